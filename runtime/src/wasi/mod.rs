//! WASI preview1 (`wasi_snapshot_preview1`) host functions.
//!
//! A [`WasiCtx`] holds what the guest may see (arguments, environment, stdio);
//! [`add_to_linker`] defines the functions in a [`Linker`]. When the module
//! exports no `memory`, the functions use the calling instance's memory 0.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::api::{Caller, Linker, Memory, Val};
use crate::exec::trap::Trap;
use crate::types::{FuncType, ValType};
use crate::Error;

/// preview1 errno values used here.
mod errno {
    pub const SUCCESS: i32 = 0;
    pub const BADF: i32 = 8;
    pub const FAULT: i32 = 21;
    pub const IO: i32 = 29;
}

/// Where a standard stream goes.
#[derive(Clone, Debug, Default)]
pub enum Output {
    /// The host process's own stream.
    #[default]
    Inherit,
    /// A buffer the host can read afterwards.
    Capture(Arc<Mutex<Vec<u8>>>),
    /// Discarded.
    Null,
}

impl Output {
    /// A fresh capture buffer and the output that fills it.
    pub fn capture() -> (Output, Arc<Mutex<Vec<u8>>>) {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        (Output::Capture(Arc::clone(&buffer)), buffer)
    }
}

/// What a WASI guest can see of its host.
#[derive(Clone, Debug, Default)]
pub struct WasiCtx {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdout: Output,
    stderr: Output,
}

/// Builds a [`WasiCtx`].
#[derive(Default)]
pub struct WasiCtxBuilder {
    ctx: WasiCtx,
}

impl WasiCtxBuilder {
    /// A context with no arguments, no environment and inherited stdio.
    pub fn new() -> Self {
        WasiCtxBuilder::default()
    }

    /// Appends a command-line argument (`argv[0]` first).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.ctx.args.push(arg.into());
        self
    }

    /// Appends several arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.ctx.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.ctx.env.push((name.into(), value.into()));
        self
    }

    /// Sends the guest's stdout to `output`.
    pub fn stdout(&mut self, output: Output) -> &mut Self {
        self.ctx.stdout = output;
        self
    }

    /// Sends the guest's stderr to `output`.
    pub fn stderr(&mut self, output: Output) -> &mut Self {
        self.ctx.stderr = output;
        self
    }

    /// The finished context.
    pub fn build(&mut self) -> WasiCtx {
        self.ctx.clone()
    }
}

impl WasiCtx {
    fn write(&mut self, fd: i32, bytes: &[u8]) -> Result<(), i32> {
        let output = match fd {
            1 => &self.stdout,
            2 => &self.stderr,
            _ => return Err(errno::BADF),
        };
        match output {
            Output::Inherit if fd == 1 => std::io::stdout().write_all(bytes).map_err(|_| errno::IO),
            Output::Inherit => std::io::stderr().write_all(bytes).map_err(|_| errno::IO),
            Output::Capture(buffer) => {
                buffer
                    .lock()
                    .map_err(|_| errno::IO)?
                    .extend_from_slice(bytes);
                Ok(())
            }
            Output::Null => Ok(()),
        }
    }
}

/// The guest memory WASI reads and writes: the `memory` export, else memory 0.
fn guest_memory<T>(caller: &Caller<'_, T>) -> Option<Memory> {
    caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .or_else(|| caller.default_memory())
}

fn read_u32(data: &[u8], at: u32) -> Result<u32, i32> {
    let at = at as usize;
    let bytes = data.get(at..at + 4).ok_or(errno::FAULT)?;
    Ok(u32::from_le_bytes(bytes.try_into().expect("four bytes")))
}

fn fd_write<T>(caller: &mut Caller<'_, T>, ctx: fn(&mut T) -> &mut WasiCtx, args: [i32; 4]) -> i32 {
    let [fd, iovs, iovs_len, nwritten] = args.map(|a| a as u32);
    let Some(memory) = guest_memory(caller) else {
        return errno::FAULT;
    };
    let mut bytes = Vec::new();
    let data = memory.data(caller);
    for i in 0..iovs_len {
        let entry = iovs.wrapping_add(i.wrapping_mul(8));
        let (Ok(base), Ok(len)) = (read_u32(data, entry), read_u32(data, entry.wrapping_add(4)))
        else {
            return errno::FAULT;
        };
        match data.get(base as usize..base as usize + len as usize) {
            Some(chunk) => bytes.extend_from_slice(chunk),
            None => return errno::FAULT,
        }
    }
    if let Err(e) = ctx(caller.data_mut()).write(fd as i32, &bytes) {
        return e;
    }
    let written = (bytes.len() as u32).to_le_bytes();
    let data = memory.data_mut(caller);
    match data.get_mut(nwritten as usize..nwritten as usize + 4) {
        Some(slot) => slot.copy_from_slice(&written),
        None => return errno::FAULT,
    }
    errno::SUCCESS
}

/// Defines the WASI functions in `linker`; `ctx` finds the [`WasiCtx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiCtx,
) -> Result<(), Error> {
    use ValType::I32;
    const MODULE: &str = "wasi_snapshot_preview1";
    linker.func_new(
        MODULE,
        "fd_write",
        FuncType::new([I32, I32, I32, I32], [I32]),
        move |mut caller, params, results| {
            let args = [0, 1, 2, 3].map(|i| params[i].i32().unwrap_or(0));
            results[0] = Val::I32(fd_write(&mut caller, ctx, args));
            Ok(())
        },
    )?;
    linker.func_new(
        MODULE,
        "proc_exit",
        FuncType::new([I32], []),
        |_, params, _| Err(Trap::exit(params[0].i32().unwrap_or(0))),
    )?;
    Ok(())
}
