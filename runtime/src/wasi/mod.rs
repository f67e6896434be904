//! WASI preview1 (`wasi_snapshot_preview1`): every function of the snapshot,
//! sandboxed to the directories the host pre-opens.
//!
//! A [`WasiCtx`] holds what the guest may see: its arguments, environment,
//! standard streams and pre-opened directories. [`WasiCtxBuilder`] makes one;
//! [`add_to_linker`] defines the functions in a [`Linker`]:
//!
//! ```no_run
//! use tabula::wasi::{self, Input, Output, WasiCtx, WasiCtxBuilder};
//! use tabula::{Engine, Linker, Module, Store};
//!
//! struct Host {
//!     wasi: WasiCtx,
//! }
//!
//! # fn main() -> Result<(), tabula::Error> {
//! let engine = Engine::default();
//! let module = Module::new(&engine, std::fs::read("program.wasm").unwrap())?;
//! let (stdout, buffer) = Output::capture();
//! let wasi = WasiCtxBuilder::new()
//!     .arg("program.wasm")
//!     .env("HOME", "/data")
//!     .stdin(Input::from_bytes("input text"))
//!     .stdout(stdout)
//!     .preopened_dir("/tmp/sandbox", "/data")?
//!     .build();
//! let mut store = Store::new(&engine, Host { wasi });
//! let mut linker = Linker::new(&engine);
//! wasi::add_to_linker(&mut linker, |host: &mut Host| &mut host.wasi)?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_func(&store, "_start").unwrap();
//! match start.call(&mut store, &[], &mut []) {
//!     Ok(()) | Err(tabula::Error::Exit(0)) => {}
//!     Err(error) => return Err(error),
//! }
//! println!("{}", String::from_utf8_lossy(&buffer.lock().unwrap()));
//! # Ok(())
//! # }
//! ```
//!
//! The guest reaches the host's file system only through pre-opened
//! directories: cap-std resolves every path beneath one, so `..`, absolute
//! paths and symbolic links cannot lead outside it. Each descriptor has the
//! rights of what it can do (a file opened read-only has no `fd_write`);
//! `fd_fdstat_set_rights` can drop rights, never add them, and an operation
//! that needs a dropped right fails with `notcapable`.
//!
//! When the module exports no `memory`, the functions use the calling
//! instance's memory 0.

mod clock;
pub mod errno;
mod fd;
mod fd_table;
mod guest_memory;
mod path;
mod poll;
mod proc;
mod sock;
mod stdio;
pub mod types;

use std::sync::Arc;

pub use errno::Errno;
pub use stdio::{Input, Output};

use crate::api::{Caller, Linker, Memory, Val};
use crate::exec::trap::Trap;
use crate::types::{FuncType, ValType};
use crate::Error;
use fd_table::{Descriptor, FdTable, OpenDir};
use guest_memory::GuestMemory;

/// What a WASI guest can see of its host: arguments, environment, and its
/// file descriptors (stdio, pre-opened directories, and what it opened).
#[derive(Debug, Default)]
pub struct WasiCtx {
    args: Vec<String>,
    env: Vec<(String, String)>,
    fds: FdTable,
}

/// Builds a [`WasiCtx`].
#[derive(Debug, Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Input,
    stdout: Output,
    stderr: Output,
    preopens: Vec<(Arc<cap_std::fs::Dir>, String)>,
}

impl WasiCtxBuilder {
    /// A context with no arguments, no environment, no directories and
    /// the host's own stdin, stdout and stderr.
    pub fn new() -> Self {
        WasiCtxBuilder::default()
    }

    /// Appends a command-line argument (`argv[0]`, the program's name, first).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Takes the guest's stdin from `input`.
    pub fn stdin(&mut self, input: Input) -> &mut Self {
        self.stdin = input;
        self
    }

    /// Sends the guest's stdout to `output`.
    pub fn stdout(&mut self, output: Output) -> &mut Self {
        self.stdout = output;
        self
    }

    /// Sends the guest's stderr to `output`.
    pub fn stderr(&mut self, output: Output) -> &mut Self {
        self.stderr = output;
        self
    }

    /// Lets the guest use the host directory `host_path` under the name
    /// `guest_path`, and everything beneath it, but nothing outside it.
    /// Directories get descriptors from 3 on, in the order they are added.
    pub fn preopened_dir(
        &mut self,
        host_path: impl AsRef<std::path::Path>,
        guest_path: impl Into<String>,
    ) -> Result<&mut Self, Error> {
        let host_path = host_path.as_ref();
        let dir = cap_std::fs::Dir::open_ambient_dir(host_path, cap_std::ambient_authority())
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot open directory {}: {e}",
                    host_path.display()
                ))
            })?;
        self.preopens.push((Arc::new(dir), guest_path.into()));
        Ok(self)
    }

    /// The finished context. The builder can build again: pre-opened
    /// directories are shared between the contexts.
    pub fn build(&mut self) -> WasiCtx {
        let mut fds = FdTable::default();
        let stdio = [
            Descriptor::Stdin(stdio::Stdin::new(self.stdin.clone())),
            Descriptor::Stdout(self.stdout.clone()),
            Descriptor::Stderr(self.stderr.clone()),
        ];
        let preopens = self.preopens.iter().map(|(dir, name)| {
            Descriptor::Dir(OpenDir {
                dir: Arc::clone(dir),
                preopen: Some(name.clone()),
            })
        });
        for descriptor in stdio.into_iter().chain(preopens) {
            fds.push(descriptor).expect("a new table has room");
        }
        WasiCtx {
            args: self.args.clone(),
            env: self.env.clone(),
            fds,
        }
    }
}

/// How a WASI function fails: with an errno for the guest, or by unwinding
/// it (`proc_exit`, a fatal signal).
#[derive(Debug)]
pub(crate) enum HostError {
    Errno(Errno),
    Trap(Trap),
}

impl From<Errno> for HostError {
    fn from(errno: Errno) -> Self {
        HostError::Errno(errno)
    }
}

impl From<std::io::Error> for HostError {
    fn from(error: std::io::Error) -> Self {
        HostError::Errno(error.into())
    }
}

/// What every WASI function returns: success, or why not.
pub(crate) type HostResult = Result<(), HostError>;

/// A host call's arguments, already type-checked by the linker.
pub(crate) struct Args<'a>(&'a [Val]);

impl Args<'_> {
    /// An `i32` argument: a pointer, length, fd or small enum, all unsigned.
    pub(crate) fn u32(&self, i: usize) -> u32 {
        self.0[i].i32().unwrap_or_default() as u32
    }

    /// An `i64` argument.
    pub(crate) fn u64(&self, i: usize) -> u64 {
        self.0[i].i64().unwrap_or_default() as u64
    }
}

/// The implementation of one function: the context, the guest's memory
/// and the arguments, all at once.
type HostFn = fn(&mut WasiCtx, &mut GuestMemory<'_>, &Args<'_>) -> HostResult;

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

/// Every function of `wasi_snapshot_preview1`, with its core wasm parameters.
/// All but `proc_exit` return an errno.
const FUNCTIONS: &[(&str, &[ValType], HostFn)] = &[
    ("args_get", &[I32, I32], proc::args_get),
    ("args_sizes_get", &[I32, I32], proc::args_sizes_get),
    ("environ_get", &[I32, I32], proc::environ_get),
    ("environ_sizes_get", &[I32, I32], proc::environ_sizes_get),
    ("clock_res_get", &[I32, I32], clock::clock_res_get),
    ("clock_time_get", &[I32, I64, I32], clock::clock_time_get),
    ("fd_advise", &[I32, I64, I64, I32], fd::fd_advise),
    ("fd_allocate", &[I32, I64, I64], fd::fd_allocate),
    ("fd_close", &[I32], fd::fd_close),
    ("fd_datasync", &[I32], fd::fd_datasync),
    ("fd_fdstat_get", &[I32, I32], fd::fd_fdstat_get),
    ("fd_fdstat_set_flags", &[I32, I32], fd::fd_fdstat_set_flags),
    (
        "fd_fdstat_set_rights",
        &[I32, I64, I64],
        fd::fd_fdstat_set_rights,
    ),
    ("fd_filestat_get", &[I32, I32], fd::fd_filestat_get),
    (
        "fd_filestat_set_size",
        &[I32, I64],
        fd::fd_filestat_set_size,
    ),
    (
        "fd_filestat_set_times",
        &[I32, I64, I64, I32],
        fd::fd_filestat_set_times,
    ),
    ("fd_pread", &[I32, I32, I32, I64, I32], fd::fd_pread),
    ("fd_prestat_get", &[I32, I32], fd::fd_prestat_get),
    (
        "fd_prestat_dir_name",
        &[I32, I32, I32],
        fd::fd_prestat_dir_name,
    ),
    ("fd_pwrite", &[I32, I32, I32, I64, I32], fd::fd_pwrite),
    ("fd_read", &[I32, I32, I32, I32], fd::fd_read),
    ("fd_readdir", &[I32, I32, I32, I64, I32], fd::fd_readdir),
    ("fd_renumber", &[I32, I32], fd::fd_renumber),
    ("fd_seek", &[I32, I64, I32, I32], fd::fd_seek),
    ("fd_sync", &[I32], fd::fd_sync),
    ("fd_tell", &[I32, I32], fd::fd_tell),
    ("fd_write", &[I32, I32, I32, I32], fd::fd_write),
    (
        "path_create_directory",
        &[I32, I32, I32],
        path::path_create_directory,
    ),
    (
        "path_filestat_get",
        &[I32, I32, I32, I32, I32],
        path::path_filestat_get,
    ),
    (
        "path_filestat_set_times",
        &[I32, I32, I32, I32, I64, I64, I32],
        path::path_filestat_set_times,
    ),
    (
        "path_link",
        &[I32, I32, I32, I32, I32, I32, I32],
        path::path_link,
    ),
    (
        "path_open",
        &[I32, I32, I32, I32, I32, I64, I64, I32, I32],
        path::path_open,
    ),
    (
        "path_readlink",
        &[I32, I32, I32, I32, I32, I32],
        path::path_readlink,
    ),
    (
        "path_remove_directory",
        &[I32, I32, I32],
        path::path_remove_directory,
    ),
    (
        "path_rename",
        &[I32, I32, I32, I32, I32, I32],
        path::path_rename,
    ),
    (
        "path_symlink",
        &[I32, I32, I32, I32, I32],
        path::path_symlink,
    ),
    ("path_unlink_file", &[I32, I32, I32], path::path_unlink_file),
    ("poll_oneoff", &[I32, I32, I32, I32], poll::poll_oneoff),
    ("proc_exit", &[I32], proc::proc_exit),
    ("proc_raise", &[I32], proc::proc_raise),
    ("sched_yield", &[], proc::sched_yield),
    ("random_get", &[I32, I32], proc::random_get),
    ("sock_accept", &[I32, I32, I32], sock::sock_accept),
    (
        "sock_recv",
        &[I32, I32, I32, I32, I32, I32],
        sock::sock_recv,
    ),
    ("sock_send", &[I32, I32, I32, I32, I32], sock::sock_send),
    ("sock_shutdown", &[I32, I32], sock::sock_shutdown),
];

/// The guest memory WASI reads and writes: the `memory` export, else memory 0.
fn guest_memory<T>(caller: &Caller<'_, T>) -> Option<Memory> {
    caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .or_else(|| caller.default_memory())
}

/// Runs `f` with the context and the guest's memory borrowed together.
///
/// Both live in the store, so the context is moved out of the host's data
/// for the length of the call (`WasiCtx::default()` allocates nothing) and
/// put back before the guest runs again.
fn call<T>(
    caller: &mut Caller<'_, T>,
    ctx: fn(&mut T) -> &mut WasiCtx,
    f: HostFn,
    params: &[Val],
) -> HostResult {
    let memory = guest_memory(caller);
    let mut wasi = std::mem::take(ctx(caller.data_mut()));
    let outcome = {
        let bytes: &mut [u8] = match memory {
            Some(memory) => memory.data_mut(caller),
            None => &mut [],
        };
        f(&mut wasi, &mut GuestMemory::new(bytes), &Args(params))
    };
    *ctx(caller.data_mut()) = wasi;
    outcome
}

/// The name every function is defined under.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Defines every `wasi_snapshot_preview1` function in `linker`; `ctx` finds
/// the [`WasiCtx`] in the store's data (e.g. `|host| &mut host.wasi`).
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiCtx,
) -> Result<(), Error> {
    for &(name, params, f) in FUNCTIONS {
        let results: &[ValType] = if name == "proc_exit" { &[] } else { &[I32] };
        let ty = FuncType::new(params.iter().copied(), results.iter().copied());
        linker.func_new(MODULE, name, ty, move |mut caller, params, results| {
            let errno = match call(&mut caller, ctx, f, params) {
                Ok(()) => Errno::SUCCESS,
                Err(HostError::Errno(errno)) => errno,
                Err(HostError::Trap(trap)) => return Err(trap),
            };
            if let Some(result) = results.first_mut() {
                *result = Val::I32(i32::from(errno.0));
            }
            Ok(())
        })?;
    }
    Ok(())
}
