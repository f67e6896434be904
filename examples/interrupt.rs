//! Another thread interrupts an infinite loop.
//!
//! `cargo run --example interrupt`

use std::time::Duration;

use tabula::{Config, Engine, Error, Linker, Module, Store, TrapCode};

fn main() -> Result<(), Error> {
    let mut config = Config::new();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func (export "spin") (loop $l (br $l))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
    let handle = store.interrupt_handle()?;
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let error = spin.call(&mut store, ()).unwrap_err();
    watchdog.join().expect("watchdog thread");
    let trap = error.as_trap().expect("a trap");
    println!("stopped: {}", trap.code);
    assert_eq!(trap.code, TrapCode::Interrupted);
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
