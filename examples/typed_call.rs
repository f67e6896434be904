//! Calling an exported function with typed parameters and results.
//!
//! `cargo run --example typed_call`

use tabula::{Engine, Error, Linker, Module, Store};

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    // Text or binary: `Module::new` accepts both.
    let module = Module::new(
        &engine,
        r#"(module
             (func (export "add") (param i32 i32) (result i32)
               (i32.add (local.get 0) (local.get 1))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    // The type is checked here, once, not at every call.
    let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
    let sum = add.call(&mut store, (40, 2))?;
    println!("40 + 2 = {sum}");
    assert_eq!(sum, 42);
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
