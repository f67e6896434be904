//! 64-bit tables (memory64's table64, WebAssembly 3.0) through the API
//! and a wast script, and the 3.0 encoding of limits. `tests/cli.rs` runs
//! one from the command line.

use tabula::wast::run_script;
use tabula::{
    Config, Engine, Error, Func, Linker, Module, RefType, Store, Table, TableType, TrapCode, Val,
    ValType,
};

/// A module with a 64-bit table of two functions, exported with the
/// instructions that index it.
const MODULE: &str = r#"(module
  (type $ii (func (param i32) (result i32)))
  (import "host" "table" (table $t i64 2 funcref))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (elem (table $t) (i64.const 0) func $dbl)
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t (ref.null func) (local.get 0)))
  (func (export "call") (param i64 i32) (result i32)
    (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "set") (param i64) (table.set $t (local.get 0) (table.get $t (i64.const 0)))))"#;

fn trap_code(error: &Error) -> Option<TrapCode> {
    error.as_trap().map(|t| t.code)
}

#[test]
fn a_64_bit_table_grows_is_indexed_and_traps_past_its_end() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = TableType::new64(RefType::FUNCREF, 2, Some(1 << 40));
    assert_eq!(ty.index_type(), ValType::I64);
    let table = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap();
    assert_eq!(table.ty(&store), ty);
    let module = Module::new(&engine, MODULE).unwrap();
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "table", table).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let call = instance
        .get_typed_func::<(i64, i32), i32>(&store, "call")
        .unwrap();
    assert_eq!(call.call(&mut store, (0, 21)).unwrap(), 42);
    let err = call.call(&mut store, (1, 21)).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::UninitializedElement));
    // Indices that a 32-bit truncation would bring back in bounds.
    for index in [2, 1 << 32, (1 << 32) + 1, -1] {
        let err = call.call(&mut store, (index, 21)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::UndefinedElement), "{index}");
    }

    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    let size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 2);
    assert_eq!(size.call(&mut store, ()).unwrap(), 5);
    assert_eq!(
        grow.call(&mut store, 1 << 41).unwrap(),
        -1,
        "past the maximum"
    );
    assert_eq!(grow.call(&mut store, -1).unwrap(), -1, "past 2^64");
    assert_eq!(table.size(&store), 5);

    let set = instance.get_typed_func::<i64, ()>(&store, "set").unwrap();
    set.call(&mut store, 4).unwrap();
    assert_eq!(call.call(&mut store, (4, 5)).unwrap(), 10);
    let err = set.call(&mut store, (1 << 32) + 4).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::TableOutOfBounds));

    // The API sees the same table, with u64 indices and sizes.
    assert!(matches!(
        table.get(&mut store, 4),
        Some(Val::FuncRef(Some(_)))
    ));
    assert_eq!(table.get(&mut store, 1 << 32), None);
    assert_eq!(table.grow(&mut store, 1, Val::FuncRef(None)).unwrap(), 5);
    let f = Func::wrap(&mut store, |x: i32| x + 1);
    table.set(&mut store, 5, Val::FuncRef(Some(f))).unwrap();
    assert_eq!(call.call(&mut store, (5, 5)).unwrap(), 6);
    assert!(table.set(&mut store, 1 << 32, Val::FuncRef(None)).is_err());
}

#[test]
fn a_table_import_matches_only_its_own_index_type() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let narrow = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 2, None),
        Val::FuncRef(None),
    )
    .unwrap();
    let module = Module::new(&engine, MODULE).unwrap();
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "table", narrow).unwrap();
    match linker.instantiate(&mut store, &module) {
        Err(Error::Link(message)) => assert!(message.contains("table type mismatch"), "{message}"),
        other => panic!("a 32-bit table satisfied a 64-bit import: {other:?}"),
    }
}

#[test]
fn the_table64_script_passes() {
    let source = include_str!("wast/table64.wast");
    let report = run_script("table64.wast", source, &Config::default());
    assert_eq!(report.failed, 0, "{:#?}", report.failures);
    assert!(report.passed >= 45, "{} passed", report.passed);
}

/// A module of one memory (section 5) or table (section 4) whose type is
/// `entry`.
fn module(section: u8, entry: &[u8]) -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.push(section);
    bytes.push(entry.len() as u8 + 1);
    bytes.push(1);
    bytes.extend_from_slice(entry);
    bytes
}

/// What `Module::new` makes of `bytes`: "ok", "malformed", "invalid" or
/// "unsupported".
fn verdict(engine: &Engine, bytes: &[u8]) -> &'static str {
    match Module::new(engine, bytes) {
        Ok(_) => "ok",
        Err(Error::Decode(e)) if e.unsupported.is_some() => "unsupported",
        Err(Error::Decode(_)) => "malformed",
        Err(Error::Validation(_)) => "invalid",
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn limits_are_u64_lebs_in_3_0_and_u32_lebs_in_2_0() {
    let wasm3 = Engine::default();
    let mut config = Config::new();
    config.wasm_2_0();
    let wasm2 = Engine::new(&config);
    // Minimum 2 as a 10-byte LEB: a u64, not a u32.
    let long_two = [0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
    // 2^32 as a u64 LEB: past a u32.
    let two_32 = [0x80, 0x80, 0x80, 0x80, 0x10];
    let with = |prefix: &[u8], leb: &[u8]| [prefix, leb].concat();
    let cases: [(u8, Vec<u8>, &str, &str); 10] = [
        (5, with(&[0x00], &long_two), "ok", "malformed"),
        (4, with(&[0x70, 0x00], &long_two), "ok", "malformed"),
        (5, with(&[0x01, 0x00], &long_two), "ok", "malformed"),
        // Past the index type's range: invalid in 3.0, malformed in 2.0.
        (4, with(&[0x70, 0x00], &two_32), "invalid", "malformed"),
        (5, with(&[0x00], &two_32), "invalid", "malformed"),
        // A 64-bit table of 2^32 + 1 is valid (its maximum, not its
        // minimum, so that nothing is allocated).
        (
            4,
            with(&[0x70, 0x05, 0x00], &[0x81, 0x80, 0x80, 0x80, 0x10]),
            "ok",
            "unsupported",
        ),
        // An eleventh byte, or unused bits in the tenth, are malformed.
        (
            5,
            with(&[0x00, 0x82], &[0x80; 9])
                .into_iter()
                .chain([0x00])
                .collect(),
            "malformed",
            "malformed",
        ),
        (
            4,
            with(
                &[0x70, 0x04],
                &[0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02],
            ),
            "malformed",
            "unsupported",
        ),
        // Shared 64-bit limits belong to threads.
        (5, vec![0x06, 0x00], "unsupported", "unsupported"),
        // A table minimum above its maximum is invalid either way.
        (4, vec![0x70, 0x05, 0x02, 0x01], "invalid", "unsupported"),
    ];
    for (section, entry, in_3, in_2) in cases {
        let bytes = module(section, &entry);
        assert_eq!(verdict(&wasm3, &bytes), in_3, "3.0: {entry:02x?}");
        assert_eq!(verdict(&wasm2, &bytes), in_2, "2.0: {entry:02x?}");
    }
}
