//! The tutorial's fixtures, end to end: text in, results out.

use tabula::types::{FuncType, ValType};
use tabula::wasi::{self, Output, WasiCtx, WasiCtxBuilder};
use tabula::{Engine, Linker, Module, Store, Val};

fn fixture(name: &str) -> Module {
    let path = format!(
        "{}/fixtures/tutorial/{name}.wat",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read(&path).expect("fixture exists");
    Module::new(&Engine::default(), text).expect("fixture compiles")
}

/// Instantiates a fixture with no imports and calls `export` with `args`.
fn call(name: &str, export: &str, args: &[Val]) -> Vec<Val> {
    let module = fixture(name);
    let mut store = Store::new(&Engine::default(), ());
    let instance = Linker::new(&Engine::default())
        .instantiate(&mut store, &module)
        .expect("instantiates");
    let func = instance.get_func(&store, export).expect("export exists");
    let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
    func.call(&mut store, args, &mut results).expect("runs");
    results
}

#[test]
fn i32_const() {
    assert_eq!(call("i32_const", "i32_const", &[]), [Val::I32(42)]);
}

#[test]
fn local_set() {
    assert_eq!(call("local_set", "local_set", &[]), [Val::I32(42)]);
}

#[test]
fn i32_store() {
    let module = fixture("i32_store");
    let mut store = Store::new(&Engine::default(), ());
    let instance = Linker::new(&Engine::default())
        .instantiate(&mut store, &module)
        .unwrap();
    let func = instance.get_func(&store, "i32_store").unwrap();
    func.call(&mut store, &[], &mut []).unwrap();
    // The memory is not exported: reach it as the instance's memory 0.
    let memory = instance.default_memory(&store).unwrap();
    assert_eq!(&memory.data(&store)[..4], &[42, 0, 0, 0]);
}

#[test]
fn func_call() {
    assert_eq!(
        call("func_call", "call_doubler", &[Val::I32(21)]),
        [Val::I32(42)]
    );
}

#[test]
fn call_imported_func() {
    let engine = Engine::default();
    let module = fixture("call_imported_func");
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "env",
            "add",
            FuncType::new([ValType::I32], [ValType::I32]),
            |mut caller, params, results| {
                *caller.data_mut() += 1;
                results[0] = Val::I32(params[0].i32().unwrap() + 1);
                Ok(())
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let func = instance.get_func(&store, "call_add").unwrap();
    let mut results = [Val::I32(0)];
    func.call(&mut store, &[Val::I32(41)], &mut results)
        .unwrap();
    assert_eq!(results, [Val::I32(42)]);
    assert_eq!(*store.data(), 1, "the host function ran once");
}

#[test]
fn hello_world() {
    let engine = Engine::default();
    let module = fixture("hello_world");
    let (stdout, buffer) = Output::capture();
    let ctx = WasiCtxBuilder::new().stdout(stdout).build();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_func(&store, "_start").unwrap();
    let mut results = [Val::I32(-1)];
    start.call(&mut store, &[], &mut results).unwrap();
    assert_eq!(results, [Val::I32(0)], "fd_write returned success");
    assert_eq!(&*buffer.lock().unwrap(), b"Hello, World!\n");
}

#[test]
fn deep_recursion_traps_instead_of_overflowing() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func $f (export "f") (call $f)))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    let error = f.call(&mut store, &[], &mut []).unwrap_err();
    let trap = error.as_trap().expect("a trap");
    assert_eq!(trap.code, tabula::TrapCode::CallStackExhausted);
    assert_eq!(trap.backtrace[0].func_name.as_deref(), Some("f"));
}

#[test]
fn call_depth_limit_is_configurable() {
    let mut config = tabula::Config::new();
    config.max_call_depth(50);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func $down (export "down") (param i32)
             (if (local.get 0) (then (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let down = instance.get_func(&store, "down").unwrap();
    assert!(down.call(&mut store, &[Val::I32(40)], &mut []).is_ok());
    let error = down.call(&mut store, &[Val::I32(60)], &mut []).unwrap_err();
    assert_eq!(
        error.as_trap().unwrap().code,
        tabula::TrapCode::CallStackExhausted
    );
}
