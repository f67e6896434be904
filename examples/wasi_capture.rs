//! Running a WASI command with its stdout captured into a buffer.
//!
//! `cargo run --example wasi_capture`

use tabula::wasi::{self, Output, WasiCtx, WasiCtxBuilder};
use tabula::{Engine, Error, Linker, Module, Store};

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    let module = Module::new(&engine, include_str!("hello.wat"))?;
    let (stdout, buffer) = Output::capture();
    let ctx = WasiCtxBuilder::new().arg("hello").stdout(stdout).build();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    // This `_start` returns fd_write's errno, as the tutorial's does.
    instance
        .get_typed_func::<(), i32>(&store, "_start")?
        .call(&mut store, ())?;
    let captured = String::from_utf8(buffer.lock().expect("buffer").clone()).expect("utf-8");
    print!("captured: {captured}");
    assert_eq!(captured, "Hello, World!\n");
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
