//! The embedding API as wasmtime users write it: contexts, re-entrant calls,
//! typed functions, linking errors.

use tabula::types::{GlobalType, Limits, MemoryType, RefType, TableType, ValType};
use tabula::{
    Caller, Engine, Error, Extern, Func, Global, Linker, Memory, Module, Store, Table, Trap, Val,
};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn engine_and_module_are_shareable() {
    assert_send_sync::<Engine>();
    assert_send_sync::<Module>();
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) (i32.const 7)))"#,
    )
    .unwrap();
    // One compiled module, two stores on two threads.
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (engine, module) = (engine.clone(), module.clone());
            std::thread::spawn(move || {
                let mut store = Store::new(&engine, ());
                let instance = Linker::new(&engine)
                    .instantiate(&mut store, &module)
                    .unwrap();
                instance
                    .get_typed_func::<(), i32>(&store, "f")
                    .unwrap()
                    .call(&mut store, ())
                    .unwrap()
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), 7);
    }
}

#[test]
fn host_function_calls_back_into_wasm_through_its_caller() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "env" "twice" (func $twice (param i32) (result i32)))
             (memory (export "memory") 1)
             (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
             (func (export "run") (param i32) (result i32)
               (i32.store (i32.const 0) (i32.const 99))
               (i32.mul (call $twice (local.get 0)) (i32.const 10))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "env",
            "twice",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Error> {
                // Read the caller's memory, then call back into the same instance.
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .unwrap();
                assert_eq!(memory.data(&caller)[0], 99);
                let inc = caller
                    .get_export("inc")
                    .and_then(Extern::into_func)
                    .unwrap();
                let inc = inc.typed::<i32, i32>(&caller)?;
                let once = inc.call(&mut caller, x)?;
                inc.call(&mut caller, once)
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 70);
    // The store is usable afterwards, and the stack was unwound correctly.
    assert_eq!(run.call(&mut store, 1).unwrap(), 30);
}

#[test]
fn host_errors_trap_with_a_backtrace() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "env" "fail" (func $fail))
             (func $outer (export "outer") (call $fail)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "fail", || -> Result<(), Trap> {
            Err(Trap::host("no such file"))
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let error = instance
        .get_typed_func::<(), ()>(&store, "outer")
        .unwrap()
        .call(&mut store, ())
        .unwrap_err();
    let trap = error.as_trap().unwrap();
    assert_eq!(trap.message.as_deref(), Some("no such file"));
    assert_eq!(trap.backtrace[0].func_name.as_deref(), Some("outer"));
}

#[test]
fn typed_func_rejects_the_wrong_signature_up_front() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (param i64) (result i64) (local.get 0)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    assert!(instance.get_typed_func::<i32, i64>(&store, "f").is_err());
    assert!(instance.get_typed_func::<i64, ()>(&store, "f").is_err());
    let f = instance.get_typed_func::<i64, i64>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, -3).unwrap(), -3);
    // Untyped calls check their arguments too.
    let untyped = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::I64(0)];
    assert!(untyped.call(&mut store, &[Val::I32(1)], &mut out).is_err());
}

#[test]
fn host_defined_memory_table_and_global() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(
        &mut store,
        MemoryType {
            limits: Limits {
                min: 1,
                max: Some(2),
            },
            memory64: false,
            page_size_log2: 16,
        },
    )
    .unwrap();
    let global = Global::new(
        &mut store,
        GlobalType {
            content: ValType::I32,
            mutable: true,
        },
        Val::I32(5),
    )
    .unwrap();
    let table = Table::new(
        &mut store,
        TableType {
            element: RefType::FUNCREF,
            limits: Limits { min: 2, max: None },
            table64: false,
        },
        Val::FuncRef(None),
    )
    .unwrap();
    let answer = Func::wrap(&mut store, || 42i32);
    table
        .set(&mut store, 1, Val::FuncRef(Some(answer)))
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
             (import "host" "memory" (memory 1))
             (import "host" "counter" (global $c (mut i32)))
             (import "host" "table" (table 2 funcref))
             (type $answer (func (result i32)))
             (func (export "run") (result i32)
               (global.set $c (i32.add (global.get $c) (i32.const 1)))
               (i32.store8 (i32.const 3) (i32.const 0xAB))
               (call_indirect (type $answer) (i32.const 1))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "memory", memory).unwrap();
    linker.define(&store, "host", "counter", global).unwrap();
    linker.define(&store, "host", "table", table).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 42);
    assert_eq!(global.get(&mut store), Val::I32(6));
    assert_eq!(memory.data(&store)[3], 0xAB);
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
    assert!(memory.grow(&mut store, 1).is_err(), "past the maximum");
    assert_eq!(table.size(&store), 2);
}

#[test]
fn link_errors_name_the_import() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "missing" (func)))"#).unwrap();
    let mut store = Store::new(&engine, ());
    match Linker::new(&engine).instantiate(&mut store, &module) {
        Err(Error::Link(message)) => assert!(message.contains("env::missing"), "{message}"),
        other => panic!("expected a link error, got {other:?}"),
    }
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "missing", |x: i32| x).unwrap();
    assert!(
        matches!(linker.instantiate(&mut store, &module), Err(Error::Link(_))),
        "wrong type"
    );
}

#[test]
fn module_lists_imports_and_exports() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "a" "b" (func (param i32)))
             (memory (export "mem") 1) (func (export "f") (result f64) (f64.const 1)))"#,
    )
    .unwrap();
    let imports = module.imports();
    assert_eq!(
        (imports[0].module.as_str(), imports[0].name.as_str()),
        ("a", "b")
    );
    let exports: Vec<String> = module.exports().into_iter().map(|e| e.name).collect();
    assert_eq!(exports, ["mem", "f"]);
}

#[test]
fn host_defined_64_bit_memory() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new64(1, Some(4))).unwrap();
    assert_eq!(memory.ty(&store), MemoryType::new64(1, Some(4)));
    let module = Module::new(
        &engine,
        r#"(module
             (import "host" "memory" (memory i64 1))
             (func (export "poke") (param i64 i32)
               (i32.store8 (local.get 0) (local.get 1)))
             (func (export "grow") (param i64) (result i64)
               (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "memory", memory).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let poke = instance
        .get_typed_func::<(i64, i32), ()>(&store, "poke")
        .unwrap();
    poke.call(&mut store, (65535, 42)).unwrap();
    assert_eq!(memory.data(&store)[65535], 42);
    let trap = poke.call(&mut store, (65536, 1)).unwrap_err();
    assert_eq!(
        trap.as_trap().map(|t| t.code),
        Some(tabula::TrapCode::MemoryOutOfBounds)
    );
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "past the maximum");
    assert_eq!(memory.size(&store), 4);
    // A 32-bit import cannot be satisfied by a 64-bit memory.
    let narrow = Module::new(&engine, r#"(module (import "host" "memory" (memory 1)))"#).unwrap();
    assert!(linker.instantiate(&mut store, &narrow).is_err());
}

#[test]
fn host_defined_memory_with_one_byte_pages() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = MemoryType::new(3, Some(10)).with_page_size_log2(0);
    let memory = Memory::new(&mut store, ty).unwrap();
    assert_eq!(memory.ty(&store), ty);
    assert_eq!((memory.size(&store), memory.data_size(&store)), (3, 3));
    let module = Module::new(
        &engine,
        r#"(module
             (import "host" "memory" (memory 1 (pagesize 1)))
             (func (export "poke") (param i32 i32)
               (i32.store8 (local.get 0) (local.get 1)))
             (func (export "size") (result i32) (memory.size))
             (func (export "grow") (param i32) (result i32)
               (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "memory", memory).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let poke = instance
        .get_typed_func::<(i32, i32), ()>(&store, "poke")
        .unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    poke.call(&mut store, (2, 42)).unwrap();
    assert_eq!(memory.data(&store)[2], 42);
    let out_of_bounds = |store: &mut Store<()>, address| {
        poke.call(store, (address, 1))
            .unwrap_err()
            .as_trap()
            .map(|t| t.code)
    };
    assert_eq!(
        out_of_bounds(&mut store, 3),
        Some(tabula::TrapCode::MemoryOutOfBounds)
    );
    // One page is one byte, from wasm and from the host.
    assert_eq!(grow.call(&mut store, 1).unwrap(), 3);
    assert_eq!(size.call(&mut store, ()).unwrap(), 4);
    poke.call(&mut store, (3, 7)).unwrap();
    assert_eq!(
        out_of_bounds(&mut store, 4),
        Some(tabula::TrapCode::MemoryOutOfBounds)
    );
    assert_eq!(memory.grow(&mut store, 6).unwrap(), 4);
    assert_eq!((memory.size(&store), memory.data_size(&store)), (10, 10));
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "past the maximum");
    // Page sizes must match exactly to link, and only 1 and 64 KiB exist.
    let default_pages =
        Module::new(&engine, r#"(module (import "host" "memory" (memory 1)))"#).unwrap();
    assert!(linker.instantiate(&mut store, &default_pages).is_err());
    assert!(Memory::new(&mut store, MemoryType::new(0, None).with_page_size_log2(12)).is_err());
}
