//! A host function `("env", "log")` that reads a `(ptr, len)` string from the
//! calling instance's memory through `Caller`.
//!
//! `cargo run --example host_log`

use tabula::{Caller, Engine, Error, Linker, Module, Store, Trap};

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "env" "log" (func $log (param i32 i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "hello from wasm")
             (func (export "run") (call $log (i32.const 16) (i32.const 15))))"#,
    )?;
    // The store's data collects what the guest logged.
    let mut store = Store::new(&engine, Vec::<String>::new());
    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "env",
        "log",
        |mut caller: Caller<'_, Vec<String>>, ptr: u32, len: u32| -> Result<(), Trap> {
            let memory = caller
                .get_export("memory")
                .and_then(|export| export.into_memory())
                .ok_or_else(|| Trap::host("no exported memory"))?;
            let bytes = memory
                .data(&caller)
                .get(ptr as usize..ptr as usize + len as usize)
                .ok_or_else(|| Trap::host("string out of bounds"))?;
            let text = String::from_utf8_lossy(bytes).into_owned();
            println!("guest says: {text}");
            caller.data_mut().push(text);
            Ok(())
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&store, "run")?
        .call(&mut store, ())?;
    assert_eq!(store.data(), &["hello from wasm".to_string()]);
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
