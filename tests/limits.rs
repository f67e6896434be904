//! Limits for untrusted code: fuel, interruption, memory, tables, instances.

use std::time::Duration;

use tabula::{Config, Engine, Linker, Module, Store, StoreLimits, TrapCode};

const SPIN: &str = r#"(module (func (export "spin") (loop $l (br $l))))"#;

const COUNT: &str = r#"(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i)))"#;

fn fuel_engine() -> Engine {
    let mut config = Config::new();
    config.consume_fuel(true);
    Engine::new(&config)
}

#[test]
fn fuel_stops_an_infinite_loop() {
    let engine = fuel_engine();
    let module = Module::new(&engine, SPIN).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(10_000).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let error = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::OutOfFuel);
    assert!(store.get_fuel().unwrap() < 10);
}

#[test]
fn fuel_is_deterministic_and_proportional() {
    let engine = fuel_engine();
    let module = Module::new(&engine, COUNT).unwrap();
    let used = |n: i32| {
        let mut store = Store::new(&engine, ());
        store.set_fuel(u64::MAX).unwrap();
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        assert_eq!(count.call(&mut store, n).unwrap(), n);
        u64::MAX - store.get_fuel().unwrap()
    };
    assert_eq!(used(100), used(100));
    // Each iteration runs the same 9 instructions.
    assert_eq!(used(101) - used(100), used(201) - used(200));
    assert!(used(1000) > used(100));
}

#[test]
fn fuel_needs_the_config() {
    let mut store = Store::new(&Engine::default(), ());
    assert!(store.set_fuel(1).is_err());
    assert!(store.get_fuel().is_err());
}

#[test]
fn interrupt_from_another_thread() {
    let mut config = Config::new();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, SPIN).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let handle = store.interrupt_handle().unwrap();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let error = spin.call(&mut store, ()).unwrap_err();
    stopper.join().unwrap();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::Interrupted);
    // The flag is cleared: the store can run other code afterwards.
    let module = Module::new(&engine, COUNT).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 5).unwrap(), 5);
}

#[test]
fn memory_limit_caps_growth_and_instantiation() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimits {
        max_memory_bytes: 4 * 65536,
        ..StoreLimits::default()
    });
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "past the limit memory.grow fails"
    );
    let big = Module::new(&engine, "(module (memory 8))").unwrap();
    assert!(Linker::new(&engine).instantiate(&mut store, &big).is_err());
}

#[test]
fn instance_limit() {
    let engine = Engine::default();
    let module = Module::new(&engine, "(module)").unwrap();
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimits {
        max_instances: 2,
        ..StoreLimits::default()
    });
    let linker = Linker::new(&engine);
    assert!(linker.instantiate(&mut store, &module).is_ok());
    assert!(linker.instantiate(&mut store, &module).is_ok());
    assert!(linker.instantiate(&mut store, &module).is_err());
}
