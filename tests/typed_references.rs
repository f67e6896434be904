//! Typed function references and declared subtypes, through the embedding
//! API: what validation accepts and refuses, what traps, and how types
//! compare across modules (by structure and recursion group, not by index).

use tabula::{Engine, Error, Linker, Module, Store, TrapCode, Val};

fn instantiate(text: &str) -> (Store<()>, tabula::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, text).unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap_or_else(|e| panic!("{e}"));
    (store, instance)
}

fn call(
    store: &mut Store<()>,
    instance: &tabula::Instance,
    name: &str,
    args: &[Val],
) -> Result<Vec<Val>, Error> {
    let func = instance.get_func(&*store, name).expect("exported");
    let mut results = vec![Val::I32(0); func.ty(&*store).results().len()];
    func.call(&mut *store, args, &mut results)?;
    Ok(results)
}

const CALLS: &str = r#"(module
  (type $binop (func (param i32 i32) (result i32)))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (elem declare func $add $sub)
  (table $ops 2 (ref $binop) (ref.func $add))
  (func (export "apply") (param $which i32) (param i32 i32) (result i32)
    (call_ref $binop (local.get 1) (local.get 2)
      (select (result (ref $binop)) (ref.func $add) (ref.func $sub) (local.get $which))))
  (func (export "through-table") (param i32 i32) (result i32)
    (call_ref $binop (local.get 0) (local.get 1) (table.get $ops (i32.const 1))))
  (func (export "null") (result i32)
    (call_ref $binop (i32.const 1) (i32.const 2) (ref.null $binop)))
  (func (export "as-non-null") (param $f funcref) (result i32)
    (ref.is_null (ref.as_non_null (local.get $f))))
  (func (export "is-null") (param $f (ref null $binop)) (result i32)
    (block $null
      (br_on_null $null (local.get $f))
      (drop)
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "count-down") (param $n i32) (result i32)
    (return_call_ref $binop (local.get $n) (i32.const 1) (ref.func $sub)))
)"#;

#[test]
fn call_ref_and_friends_run_and_trap_on_null() {
    let (mut store, instance) = instantiate(CALLS);
    let apply = |store: &mut Store<()>, which| {
        call(
            store,
            &instance,
            "apply",
            &[Val::I32(which), Val::I32(7), Val::I32(5)],
        )
        .unwrap()
    };
    assert_eq!(apply(&mut store, 1), [Val::I32(12)]);
    assert_eq!(apply(&mut store, 0), [Val::I32(2)]);
    // The table was filled by its initialiser, not with nulls.
    let result = call(
        &mut store,
        &instance,
        "through-table",
        &[Val::I32(3), Val::I32(4)],
    );
    assert_eq!(result.unwrap(), [Val::I32(7)]);
    assert_eq!(
        call(&mut store, &instance, "count-down", &[Val::I32(9)]).unwrap(),
        [Val::I32(8)]
    );
    assert_eq!(
        call(&mut store, &instance, "is-null", &[Val::FuncRef(None)]).unwrap(),
        [Val::I32(1)]
    );

    let err = call(&mut store, &instance, "null", &[]).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code),
        Some(TrapCode::NullFunctionReference)
    );
    let err = call(&mut store, &instance, "as-non-null", &[Val::FuncRef(None)]).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code), Some(TrapCode::NullReference));
    assert!(err.to_string().contains("null reference"), "{err}");
}

#[test]
fn validation_tracks_nullability_and_local_initialisation() {
    let engine = Engine::default();
    let invalid = [
        // A nullable reference is not a non-nullable one.
        r#"(module (type $t (func)) (func (param (ref null $t)) (result (ref $t)) (local.get 0)))"#,
        // A non-nullable local must be set before it is read...
        r#"(module (type $t (func)) (func (local (ref $t)) (drop (local.get 0))))"#,
        // ...and a set inside a block does not outlive the block.
        r#"(module (type $t (func)) (elem declare func 0)
             (func (local (ref $t)) (block (local.set 0 (ref.func 0))) (drop (local.get 0))))"#,
        // A table of non-nullable references needs an initialiser.
        r#"(module (type $t (func)) (table 1 (ref $t)))"#,
        // A type may not refer to a later recursion group.
        r#"(module (type (func (param (ref 1)))) (type (func)))"#,
        // A final type cannot be a supertype.
        r#"(module (type $a (func)) (type (sub $a (func))))"#,
    ];
    for text in invalid {
        match Module::new(&engine, text) {
            Err(Error::Validation(_)) => {}
            other => panic!("{text}: expected a validation error, got {other:?}"),
        }
    }
    let valid = [
        r#"(module (type $t (func)) (elem declare func 0)
             (func (local (ref $t)) (local.set 0 (ref.func 0)) (block (drop (local.get 0)))))"#,
        // A group's types may refer to each other.
        r#"(module (rec (type $a (func (param (ref null $b)))) (type $b (func (param (ref null $a))))))"#,
    ];
    for text in valid {
        Module::new(&engine, text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

#[test]
fn equivalent_types_match_across_modules_and_subtypes_pass_call_indirect() {
    let engine = Engine::default();
    // The exporter and the importer declare the same recursive group; the
    // function's type is the second type of the group in one module and
    // matches the same position in the other, whatever the indices.
    let exporter = Module::new(
        &engine,
        r#"(module
             (type $pad (func (param i64)))
             (rec (type $a (func (param (ref null $b)) (result i32)))
                  (type $b (func (param (ref null $a)) (result i32))))
             (func (export "f") (type $b) (i32.const 42)))"#,
    )
    .unwrap();
    let importer = Module::new(
        &engine,
        r#"(module
             (rec (type $a (func (param (ref null $b)) (result i32)))
                  (type $b (func (param (ref null $a)) (result i32))))
             (import "m" "f" (func $f (type $b)))
             (func (export "g") (result i32) (call $f (ref.null $a))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let first = linker.instantiate(&mut store, &exporter).unwrap();
    linker.instance(&mut store, "m", first).unwrap();
    let second = linker.instantiate(&mut store, &importer).unwrap();
    assert_eq!(call(&mut store, &second, "g", &[]).unwrap(), [Val::I32(42)]);

    // Same shape, other position in the group: not the same type.
    let mismatched = Module::new(
        &engine,
        r#"(module
             (rec (type $a (func (param (ref null $b)) (result i32)))
                  (type $b (func (param (ref null $a)) (result i32))))
             (import "m" "f" (func $f (type $a))))"#,
    )
    .unwrap();
    assert!(linker.instantiate(&mut store, &mismatched).is_err());

    // call_indirect of a supertype accepts a function of a declared subtype.
    let (mut store, instance) = instantiate(
        r#"(module
             (type $base (sub (func (result i32))))
             (type $derived (sub final $base (func (result i32))))
             (type $other (func (result i32)))
             (func $d (type $derived) (i32.const 5))
             (func $o (type $other) (i32.const 6))
             (table funcref (elem $d $o))
             (func (export "call") (param i32) (result i32)
               (call_indirect (type $base) (local.get 0))))"#,
    );
    assert_eq!(
        call(&mut store, &instance, "call", &[Val::I32(0)]).unwrap(),
        [Val::I32(5)]
    );
    // $other has $base's shape but does not declare it: a mismatch.
    let err = call(&mut store, &instance, "call", &[Val::I32(1)]).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.code),
        Some(TrapCode::IndirectCallTypeMismatch)
    );
}
