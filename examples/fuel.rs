//! Fuel stops an infinite loop in untrusted code.
//!
//! `cargo run --example fuel`

use tabula::{Config, Engine, Error, Linker, Module, Store, TrapCode};

fn main() -> Result<(), Error> {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func (export "spin") (loop $l (br $l))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000_000)?;
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
    let error = spin.call(&mut store, ()).unwrap_err();
    let trap = error.as_trap().expect("a trap");
    println!("stopped: {} (fuel left: {})", trap.code, store.get_fuel()?);
    assert_eq!(trap.code, TrapCode::OutOfFuel);
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
