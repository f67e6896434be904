//! Store isolation: a handle taken from one store is never resolved in
//! another. Methods returning `Result` give `Error::StoreMismatch`; the
//! others panic with "object used with the wrong store" (as wasmtime).

use std::panic::{catch_unwind, AssertUnwindSafe};

use tabula::{
    Engine, Error, Extern, ExternRef, Func, Global, GlobalType, Instance, Linker, Memory,
    MemoryType, Module, RefType, Store, Table, TableType, Val, ValType,
};

const MODULE: &str = r#"(module
  (memory (export "memory") 1)
  (global (export "g") (mut i32) (i32.const 7))
  (table (export "t") 2 funcref)
  (func (export "f") (result i32) (i32.const 1))
  (func (export "id_func") (param funcref) (result funcref) (local.get 0))
  (func (export "id_extern") (param externref) (result externref) (local.get 0)))"#;

/// Two stores of one engine, each with an instance of `MODULE`, so an index
/// taken from `a` also names an object in `b` (the dangerous case).
fn two_stores() -> (Store<()>, Instance, Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, MODULE).unwrap();
    let linker = Linker::new(&engine);
    let mut a = Store::new(&engine, ());
    let ia = linker.instantiate(&mut a, &module).unwrap();
    let mut b = Store::new(&engine, ());
    let ib = linker.instantiate(&mut b, &module).unwrap();
    (a, ia, b, ib)
}

/// Asserts that `f` panics with the documented message.
fn assert_wrong_store_panic(f: impl FnOnce()) {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(
        message.contains("object used with the wrong store"),
        "{message}"
    );
}

fn is_mismatch<T>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::StoreMismatch))
}

#[test]
fn func_from_another_store() {
    let (a, ia, mut b, _) = two_stores();
    let f = ia.get_func(&a, "f").unwrap();
    assert!(is_mismatch(f.call(&mut b, &[], &mut [Val::I32(0)])));
    assert!(is_mismatch(f.typed::<(), i32>(&b)));
    let typed = f.typed::<(), i32>(&a).unwrap();
    assert!(is_mismatch(typed.call(&mut b, ())));
    assert_wrong_store_panic(|| {
        f.ty(&b);
    });
    // The right store still works.
    let mut a = a;
    assert_eq!(typed.call(&mut a, ()).unwrap(), 1);
}

#[test]
fn memory_from_another_store() {
    let (mut a, ia, mut b, _) = two_stores();
    let memory = ia.get_memory(&a, "memory").unwrap();
    memory.write(&mut a, 0, b"secret").unwrap();
    let mut buffer = [0u8; 6];
    assert!(is_mismatch(memory.read(&b, 0, &mut buffer)));
    assert!(is_mismatch(memory.write(&mut b, 0, b"x")));
    assert!(is_mismatch(memory.grow(&mut b, 1)));
    assert_wrong_store_panic(|| {
        memory.data(&b);
    });
    assert_wrong_store_panic(|| {
        memory.data_mut(&mut b);
    });
    assert_wrong_store_panic(|| {
        memory.size(&b);
    });
    assert_wrong_store_panic(|| {
        memory.data_ptr(&b);
    });
    assert_wrong_store_panic(|| {
        memory.ty(&b);
    });
    // Nothing leaked or changed: b's memory is untouched.
    let mb = Memory::new(&mut b, MemoryType::new(1, None)).unwrap();
    assert_eq!(&mb.data(&b)[..6], &[0; 6]);
    assert_eq!(&memory.data(&a)[..6], b"secret");
}

#[test]
fn global_from_another_store() {
    let (mut a, ia, mut b, _) = two_stores();
    let global = ia.get_global(&a, "g").unwrap();
    assert!(is_mismatch(global.set(&mut b, Val::I32(1))));
    assert_wrong_store_panic(|| {
        global.get(&mut b);
    });
    assert_wrong_store_panic(|| {
        global.ty(&b);
    });
    assert_eq!(global.get(&mut a), Val::I32(7));
}

#[test]
fn table_from_another_store() {
    let (a, ia, mut b, _) = two_stores();
    let table = ia.get_table(&a, "t").unwrap();
    let tb = Table::new(
        &mut b,
        TableType::new(RefType::FUNCREF, 2, None),
        Val::FuncRef(None),
    )
    .unwrap();
    assert!(is_mismatch(table.set(&mut b, 0, Val::FuncRef(None))));
    assert!(is_mismatch(table.grow(&mut b, 1, Val::FuncRef(None))));
    assert!(is_mismatch(table.fill(&mut b, 0, Val::FuncRef(None), 1)));
    assert!(is_mismatch(Table::copy(&mut b, &tb, 0, &table, 0, 1)));
    assert!(is_mismatch(Table::copy(&mut b, &table, 0, &tb, 0, 1)));
    assert_wrong_store_panic(|| {
        table.get(&mut b, 0);
    });
    assert_wrong_store_panic(|| {
        table.size(&b);
    });
    assert_wrong_store_panic(|| {
        table.ty(&b);
    });
}

#[test]
fn instance_from_another_store() {
    let (a, ia, mut b, _) = two_stores();
    assert!(is_mismatch(ia.get_typed_func::<(), i32>(&b, "f")));
    assert_wrong_store_panic(|| {
        ia.get_export(&b, "f");
    });
    assert_wrong_store_panic(|| {
        ia.exports(&b);
    });
    assert_wrong_store_panic(|| {
        ia.default_memory(&b);
    });
    let mut linker = Linker::new(b.engine());
    assert!(is_mismatch(linker.instance(&mut b, "a", ia)));
    assert!(ia.get_func(&a, "f").is_some());
}

#[test]
fn reference_values_from_another_store() {
    let (mut a, ia, mut b, ib) = two_stores();
    let fa = ia.get_func(&a, "f").unwrap();
    let ea = ExternRef::new(&mut a, 5u32).unwrap();

    // As call arguments, untyped and typed.
    let id_func = ib.get_func(&b, "id_func").unwrap();
    let mut out = [Val::FuncRef(None)];
    assert!(is_mismatch(id_func.call(
        &mut b,
        &[Val::FuncRef(Some(fa))],
        &mut out
    )));
    let id_extern = ib
        .get_typed_func::<Option<ExternRef>, Option<ExternRef>>(&b, "id_extern")
        .unwrap();
    assert!(is_mismatch(id_extern.call(&mut b, Some(ea))));

    // Stored into globals and tables, or used to make them.
    let gty = GlobalType {
        content: ValType::FUNCREF,
        mutable: true,
    };
    assert!(is_mismatch(Global::new(
        &mut b,
        gty,
        Val::FuncRef(Some(fa))
    )));
    let gb = Global::new(&mut b, gty, Val::FuncRef(None)).unwrap();
    assert!(is_mismatch(gb.set(&mut b, Val::FuncRef(Some(fa)))));
    let tb = ib.get_table(&b, "t").unwrap();
    assert!(is_mismatch(tb.set(&mut b, 0, Val::FuncRef(Some(fa)))));
    assert!(is_mismatch(tb.fill(&mut b, 0, Val::FuncRef(Some(fa)), 1)));
    assert!(is_mismatch(tb.grow(&mut b, 1, Val::FuncRef(Some(fa)))));
    let tty = TableType::new(RefType::FUNCREF, 1, None);
    assert!(is_mismatch(Table::new(&mut b, tty, Val::FuncRef(Some(fa)))));

    // Host data is only readable through its own store.
    assert!(is_mismatch(ea.data(&b)));
    assert_eq!(ea.data(&a).unwrap().downcast_ref::<u32>(), Some(&5));

    // A host function of store b cannot hand wasm a reference from store a.
    let leak = Func::wrap(&mut b, move || Some(fa));
    let mut out = [Val::FuncRef(None)];
    let error = leak.call(&mut b, &[], &mut out).unwrap_err();
    assert!(error.to_string().contains("another store"), "{error}");
}

#[test]
fn linking_with_another_stores_externs() {
    let (a, ia, mut b, _) = two_stores();
    let engine = b.engine().clone();
    let mut linker = Linker::new(&engine);
    for (name, item) in ia.exports(&a) {
        assert!(is_mismatch(linker.define(&b, "a", &name, item)), "{name}");
    }
    // Instance::new checks its imports too.
    let importer =
        Module::new(&engine, r#"(module (import "a" "f" (func (result i32))))"#).unwrap();
    let fa = ia.get_export(&a, "f").unwrap();
    assert!(is_mismatch(Instance::new(&mut b, &importer, &[fa])));
    // A linker filled from store a cannot instantiate into store b.
    let mut linker_a = Linker::new(&engine);
    linker_a.define(&a, "a", "f", fa).unwrap();
    assert!(is_mismatch(linker_a.instantiate(&mut b, &importer)));
    assert!(matches!(fa, Extern::Func(_)));
}

#[test]
fn handles_stay_small_and_copy() {
    fn copy<T: Copy>() {}
    copy::<Func>();
    copy::<Memory>();
    copy::<Global>();
    copy::<Table>();
    copy::<Instance>();
    copy::<ExternRef>();
    copy::<Val>();
    assert!(std::mem::size_of::<Func>() <= 16);
    assert!(std::mem::size_of::<Memory>() <= 16);
    assert!(std::mem::size_of::<Instance>() <= 16);
    assert!(std::mem::size_of::<ExternRef>() <= 16);
}

#[test]
fn every_store_gets_a_fresh_id() {
    // An empty store b and a store a with one memory: index 0 exists only in a.
    let engine = Engine::default();
    let mut a = Store::new(&engine, ());
    let memory = Memory::new(&mut a, MemoryType::new(1, None)).unwrap();
    drop(a);
    // A store made after a was dropped never takes its id.
    let mut c = Store::new(&engine, ());
    Memory::new(&mut c, MemoryType::new(1, None)).unwrap();
    assert!(is_mismatch(memory.write(&mut c, 0, b"x")));
}
