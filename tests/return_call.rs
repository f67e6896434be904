//! Tail calls (`return_call`, `return_call_indirect`) run in constant frame
//! and value stack: a million mutual tail calls complete under a call depth
//! limit of 100, which any frame left behind per call would exhaust. Also:
//! tail calls into host functions and across instances return to the right
//! caller, and extended constant expressions evaluate.

use tabula::{
    Config, Engine, Error, Global, GlobalType, Linker, Module, Mutability, Store, TrapCode, Val,
    ValType,
};

/// Engine whose calls may nest at most 100 deep.
fn shallow_engine() -> Engine {
    let mut config = Config::new();
    config.max_call_depth(100);
    Engine::new(&config)
}

const MUTUAL: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (table funcref (elem $even_i $odd_i))
  ;; Direct: even(n, acc) and odd(n, acc) tail-call each other, counting in acc.
  (func $even (export "even") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))
                              (i64.add (local.get $acc) (i64.const 1))))))
  (func $odd (param $n i64) (param $acc i64) (result i64) (local $pad v128)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.sub (i64.const 0) (local.get $acc)))
      (else (return_call $even (i64.sub (local.get $n) (i64.const 1))
                               (i64.add (local.get $acc) (i64.const 1))))))
  ;; Through the table: entry 0 is even_i, entry 1 odd_i.
  (func $even_i (export "even_indirect") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get $n) (i64.const 1))
              (i64.add (local.get $acc) (i64.const 1))
              (i32.const 1)))))
  (func $odd_i (param $n i64) (param $acc i64) (result i64) (local i32 i32 i32 i32 i32 i32)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.sub (i64.const 0) (local.get $acc)))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get $n) (i64.const 1))
              (i64.add (local.get $acc) (i64.const 1))
              (i32.const 0)))))
  ;; A normal call of a tail-calling function: the result comes back here.
  (func (export "nested") (param $n i64) (result i64)
    (i64.add (call $even (local.get $n) (i64.const 0)) (i64.const 1000)))
  ;; Bad table entries trap as call_indirect does.
  (func (export "bad_index") (result i64)
    (return_call_indirect (type $t) (i64.const 0) (i64.const 0) (i32.const 7)))
)"#;

#[test]
fn a_million_mutual_tail_calls_run_in_constant_frame_stack() {
    let engine = shallow_engine();
    let module = Module::new(&engine, MUTUAL).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    for (name, n, expected) in [
        ("even", 1_000_000i64, 1_000_000i64),
        ("even", 1_000_001, -1_000_001),
        ("even_indirect", 1_000_000, 1_000_000),
        ("even_indirect", 1_000_001, -1_000_001),
    ] {
        let f = instance
            .get_typed_func::<(i64, i64), i64>(&store, name)
            .unwrap();
        assert_eq!(f.call(&mut store, (n, 0)).unwrap(), expected, "{name}({n})");
    }
    let nested = instance
        .get_typed_func::<i64, i64>(&store, "nested")
        .unwrap();
    assert_eq!(nested.call(&mut store, 1_000_000).unwrap(), 1_001_000);
    let bad = instance
        .get_typed_func::<(), i64>(&store, "bad_index")
        .unwrap();
    let error = bad.call(&mut store, ()).unwrap_err();
    assert_eq!(
        error.as_trap().unwrap().code,
        TrapCode::UndefinedElement,
        "{error}"
    );
}

/// Ordinary recursion of the same depth still exhausts the limit: the test
/// above is not passing because the limit is ignored.
#[test]
fn ordinary_recursion_still_hits_the_depth_limit() {
    let engine = shallow_engine();
    let module = Module::new(
        &engine,
        r#"(module (func $f (export "f") (param i32) (result i32)
             (if (result i32) (local.get 0)
               (then (call $f (i32.sub (local.get 0) (i32.const 1))))
               (else (i32.const 0)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
    let error = f.call(&mut store, 1_000).unwrap_err();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::CallStackExhausted);
}

#[test]
fn tail_calls_into_host_functions_return_to_the_callers_caller() {
    let engine = shallow_engine();
    let module = Module::new(
        &engine,
        r#"(module
          (import "env" "triple" (func $triple (param i32 i64) (result i64 i32)))
          (type $h (func (param i32 i64) (result i64 i32)))
          (table funcref (elem $triple))
          (func $direct (param i32 i64) (result i64 i32)
            (local i64 i64 i64 i64 i64)
            (return_call $triple (local.get 0) (local.get 1)))
          (func $indirect (param i32 i64) (result i64 i32)
            (return_call_indirect (type $h) (local.get 0) (local.get 1) (i32.const 0)))
          ;; The callers check the results arrive under what was on their stack.
          (func (export "via_direct") (param i32 i64) (result i64)
            (i64.add (i64.const 7)
              (i64.add (call $direct (local.get 0) (local.get 1))
                       (i64.extend_i32_s))))
          (func (export "via_indirect") (param i32 i64) (result i64)
            (i64.add (i64.const 7)
              (i64.add (call $indirect (local.get 0) (local.get 1))
                       (i64.extend_i32_s))))
          ;; The entry function itself tail-calls the host.
          (func (export "entry") (param i32 i64) (result i64 i32)
            (return_call $triple (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "triple", |a: i32, b: i64| -> (i64, i32) {
            (b * 3, a * 3)
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    for name in ["via_direct", "via_indirect"] {
        let f = instance
            .get_typed_func::<(i32, i64), i64>(&store, name)
            .unwrap();
        // 7 + (100 * 3) + (2 * 3)
        assert_eq!(f.call(&mut store, (2, 100)).unwrap(), 313, "{name}");
    }
    let entry = instance
        .get_typed_func::<(i32, i64), (i64, i32)>(&store, "entry")
        .unwrap();
    assert_eq!(entry.call(&mut store, (5, 10)).unwrap(), (30, 15));
}

#[test]
fn tail_calls_across_instances_switch_back_on_return() {
    let engine = shallow_engine();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    // Each instance's global 0 tells which one is running.
    let callee = Module::new(
        &engine,
        r#"(module (global $id i32 (i32.const 200))
             (func (export "id_plus") (param i32) (result i32)
               (i32.add (global.get $id) (local.get 0))))"#,
    )
    .unwrap();
    let callee = linker.instantiate(&mut store, &callee).unwrap();
    linker.instance(&mut store, "b", callee).unwrap();
    let caller = Module::new(
        &engine,
        r#"(module
             (import "b" "id_plus" (func $id_plus (param i32) (result i32)))
             (global $id i32 (i32.const 100))
             (func $tail (param i32) (result i32)
               (return_call $id_plus (local.get 0)))
             (func (export "run") (result i32)
               ;; After the tail call returns, this instance's global again.
               (i32.add (call $tail (i32.const 1)) (global.get $id))))"#,
    )
    .unwrap();
    let caller = linker.instantiate(&mut store, &caller).unwrap();
    let run = caller.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 301);
}

#[test]
fn tail_call_typing_is_checked() {
    let engine = Engine::default();
    // The callee's results must be the caller's.
    let mismatch = r#"(module
      (func $f (result i64) (i64.const 0))
      (func (result i32) (return_call $f)))"#;
    assert!(matches!(
        Module::new(&engine, mismatch),
        Err(Error::Validation(_))
    ));
    // Code after a tail call is stack-polymorphic.
    let polymorphic = r#"(module
      (func $f (result i32) (i32.const 0))
      (func (result i32) (return_call $f) (i64.add)))"#;
    assert!(matches!(
        Module::new(&engine, polymorphic),
        Err(Error::Validation(_))
    ));
    let fine = r#"(module
      (func $f (result i32) (i32.const 0))
      (func (result i32) (return_call $f) (drop)))"#;
    Module::new(&engine, fine).unwrap();
    // WebAssembly 2.0 does not know tail calls.
    let v2 = Engine::new(Config::new().wasm_2_0());
    let tail = r#"(module (func $f (return_call $f)))"#;
    assert!(Module::new(&v2, tail).is_err());
    Module::new(&engine, tail).unwrap();
}

#[test]
fn extended_constant_expressions_evaluate() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
          (import "env" "base" (global $base i32))
          (global $a i32 (i32.add (global.get $base) (i32.const 8)))
          (global $b i64 (i64.mul (i64.sub (i64.const 10) (i64.const 3)) (i64.const 6)))
          (global $c i32 (i32.mul (global.get $a) (i32.const 2)))
          (memory 1)
          (data (i32.sub (global.get $c) (i32.const 1)) "\2a")
          (func (export "get") (result i32 i64 i32 i32)
            (global.get $a) (global.get $b) (global.get $c)
            (i32.load8_u (i32.const 99))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let base = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(42),
    )
    .unwrap();
    linker.define(&store, "env", "base", base).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let get = instance
        .get_typed_func::<(), (i32, i64, i32, i32)>(&store, "get")
        .unwrap();
    assert_eq!(get.call(&mut store, ()).unwrap(), (50, 42, 100, 42));
    // Strict WebAssembly 2.0 refuses them.
    let v2 = Engine::new(Config::new().wasm_2_0());
    let extended = r#"(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"#;
    assert!(Module::new(&v2, extended).is_err());
    Module::new(&engine, extended).unwrap();
}

/// A tail call whose callee's frame does not fit grows (and so moves) the
/// value stack first, then runs with its arguments intact.
#[test]
fn tail_call_into_a_large_frame_grows_the_value_stack() {
    let engine = shallow_engine();
    // More locals than the 4096 slots a store's value stack starts with.
    let locals = "i64 ".repeat(6000);
    let text = format!(
        r#"(module
          (func $big (param $a i64) (param $b i64) (result i64) (local {locals})
            (i64.sub (local.get $a) (local.get $b)))
          (func (export "run") (param i64) (result i64)
            (return_call $big (local.get 0) (i64.const 2))))"#
    );
    let module = Module::new(&engine, &text).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i64, i64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 44).unwrap(), 42);
}

/// Tracing decodes the tail-call instructions like any other.
#[test]
fn tail_calls_are_traced() {
    struct Lines(Vec<String>);
    impl tabula::exec::trace::Tracer for Lines {
        fn record(&mut self, event: &tabula::exec::trace::TraceEvent<'_>) {
            self.0.push(event.instruction.to_string());
        }
    }
    let mut config = Config::new();
    config.trace(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module
          (type $t (func (result i32)))
          (table funcref (elem $one))
          (func $one (result i32) (i32.const 1))
          (func (export "run") (result i32)
            (return_call_indirect (type $t) (i32.const 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let mut results = [Val::I32(0)];
    let mut lines = Lines(Vec::new());
    run.call_traced(&mut store, &[], &mut results, &mut lines)
        .unwrap();
    assert_eq!(results, [Val::I32(1)]);
    assert!(
        lines
            .0
            .iter()
            .any(|l| l.starts_with("return_call_indirect")),
        "{:?}",
        lines.0
    );
}
