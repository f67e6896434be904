//! Two modules linked through the linker: one exports a function and a
//! memory, the other imports them.
//!
//! `cargo run --example linking`

use tabula::{Engine, Error, Linker, Module, Store};

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    let math = Module::new(
        &engine,
        r#"(module
             (memory (export "memory") 1)
             (func (export "square") (param i32) (result i32)
               (i32.mul (local.get 0) (local.get 0))))"#,
    )?;
    let app = Module::new(
        &engine,
        r#"(module
             (import "math" "square" (func $square (param i32) (result i32)))
             (import "math" "memory" (memory 1))
             (func (export "store_square") (param i32)
               (i32.store (i32.const 0) (call $square (local.get 0)))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let math_instance = linker.instantiate(&mut store, &math)?;
    // Everything `math` exports becomes importable under the name "math".
    linker.instance(&mut store, "math", math_instance)?;
    let app_instance = linker.instantiate(&mut store, &app)?;
    app_instance
        .get_typed_func::<i32, ()>(&store, "store_square")?
        .call(&mut store, 12)?;
    // Both instances share the one memory.
    let memory = math_instance
        .get_memory(&store, "memory")
        .expect("exported");
    let mut bytes = [0u8; 4];
    memory.read(&store, 0, &mut bytes)?;
    println!(
        "12 squared, read back from the shared memory: {}",
        i32::from_le_bytes(bytes)
    );
    assert_eq!(i32::from_le_bytes(bytes), 144);
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
