//! Exception handling (exnref): throwing and catching across wasm frames,
//! instances and host functions, what the embedder sees of an uncaught
//! exception, traps that no `try_table` catches, and a store that does not
//! grow when a loop throws and catches.

use tabula::{
    Engine, Error, Extern, FuncType, Instance, Linker, Module, Store, Tag, TagType, Trap, TrapCode,
    Val, ValType,
};

fn instantiate(store: &mut Store<()>, linker: &Linker<()>, wat: &str) -> Instance {
    let module = Module::new(store.engine(), wat).expect("valid module");
    linker.instantiate(store, &module).expect("instantiates")
}

fn trap_of(error: Error) -> Trap {
    match error {
        Error::Trap(trap) => trap,
        other => panic!("expected a trap, got {other}"),
    }
}

#[test]
fn catch_across_several_frames() {
    let mut store = Store::new(&Engine::default(), ());
    let linker = Linker::new(store.engine());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (tag $e (param i32 i64))
          (tag $other (param i32 i64))
          (func $deep (param i32)
            (if (i32.eqz (local.get 0))
              (then (throw $e (i32.const 7) (i64.const 40))))
            (call $deep (i32.sub (local.get 0) (i32.const 1))))
          (func $middle (param i32) (result i32)
            (local $x i32)
            (local.set $x (i32.const 100))
            (call $deep (local.get 0))
            (local.get $x))
          (func (export "run") (param i32) (result i64)
            (local $l i32) (local $a i32) (local $b i64)
            (local.set $l (i32.const 1000))
            (block $caught (result i32 i64)
              (try_table (catch $other $caught) (catch $e $caught)
                (drop (call $middle (local.get 0))))
              (return (i64.const -1)))
            (local.set $b)
            (local.set $a)
            (i64.add
              (i64.add (i64.extend_i32_u (local.get $a)) (local.get $b))
              (i64.extend_i32_u (local.get $l))))
          (func (export "nested") (result i32)
            ;; The inner try_table does not catch $e: the outer one does.
            (block $outer (result i32 i64)
              (try_table (catch $e $outer)
                (block $inner (result i32 i64)
                  (try_table (catch $other $inner)
                    (throw $e (i32.const 3) (i64.const 4)))
                  (return (i32.const -3)))
                (drop)
                (drop)
                (return (i32.const -1)))
              (return (i32.const -2)))
            (drop)))"#,
    );
    // Each depth unwinds that many frames of $deep, then $middle.
    let run = instance
        .get_typed_func::<i32, i64>(&store, "run")
        .expect("run");
    for depth in [0, 1, 5, 300] {
        assert_eq!(run.call(&mut store, depth).expect("caught"), 7 + 40 + 1000);
    }
    let nested = instance
        .get_typed_func::<(), i32>(&store, "nested")
        .expect("nested");
    assert_eq!(nested.call(&mut store, ()).expect("caught"), 3);
}

#[test]
fn catch_ref_and_throw_ref_and_catch_all() {
    let mut store = Store::new(&Engine::default(), ());
    let linker = Linker::new(store.engine());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (tag $e (param i32))
          (func $throw (param i32) (throw $e (local.get 0)))
          (func (export "rethrow") (param i32) (result i32)
            (local $x exnref)
            (block $outer (result i32)
              (try_table (catch $e $outer)
                (block $h (result i32 exnref)
                  (try_table (catch_ref $e $h) (call $throw (local.get 0)))
                  (unreachable))
                ;; Keep the exception, drop its payload, throw it again.
                (local.set $x)
                (drop)
                (throw_ref (local.get $x)))
              (unreachable)))
          (func (export "all") (result i32)
            (block $h
              (try_table (catch_all $h) (call $throw (i32.const 1)))
              (return (i32.const 0)))
            (i32.const 1))
          (func (export "all_ref") (result i32)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (call $throw (i32.const 1)))
              (return (i32.const 0)))
            (ref.is_null))
          (func (export "null") (throw_ref (ref.null exn)))
        )"#,
    );
    let rethrow = instance
        .get_typed_func::<i32, i32>(&store, "rethrow")
        .expect("rethrow");
    assert_eq!(rethrow.call(&mut store, 42).expect("caught"), 42);
    let all = instance.get_typed_func::<(), i32>(&store, "all").unwrap();
    assert_eq!(all.call(&mut store, ()).expect("caught"), 1);
    let all_ref = instance
        .get_typed_func::<(), i32>(&store, "all_ref")
        .unwrap();
    assert_eq!(all_ref.call(&mut store, ()).expect("caught"), 0);
    let null = instance.get_typed_func::<(), ()>(&store, "null").unwrap();
    let trap = trap_of(null.call(&mut store, ()).unwrap_err());
    assert_eq!(trap.code, TrapCode::NullExceptionReference);
}

#[test]
fn two_instances_share_an_imported_tag() {
    let mut store = Store::new(&Engine::default(), ());
    let mut linker = Linker::new(store.engine());
    let thrower = instantiate(
        &mut store,
        &linker,
        r#"(module
          (tag $e (export "e") (param i32))
          (tag $private (param i32))
          (func (export "throw") (param i32) (throw $e (local.get 0)))
          (func (export "throw_private") (param i32) (throw $private (local.get 0))))"#,
    );
    linker.instance(&mut store, "a", thrower).unwrap();
    let catcher = instantiate(
        &mut store,
        &linker,
        r#"(module
          (import "a" "e" (tag $e (param i32)))
          (import "a" "throw" (func $throw (param i32)))
          (import "a" "throw_private" (func $throw_private (param i32)))
          ;; Same type as $private, but another tag: it must not catch.
          (tag $lookalike (param i32))
          (func (export "catch") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $lookalike $h) (catch $e $h)
                (call $throw (local.get 0)))
              (i32.const -1)))
          (func (export "catch_private") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $lookalike $h) (catch $e $h)
                (call $throw_private (local.get 0)))
              (i32.const -1))))"#,
    );
    let catch = catcher.get_typed_func::<i32, i32>(&store, "catch").unwrap();
    assert_eq!(catch.call(&mut store, 9).expect("caught"), 9);
    let private = catcher
        .get_typed_func::<i32, i32>(&store, "catch_private")
        .unwrap();
    let trap = trap_of(private.call(&mut store, 9).unwrap_err());
    assert_eq!(trap.code, TrapCode::UncaughtException);
    // The tag is the thrower's second one, not the catcher's lookalike.
    let exception = trap.exception().cloned().expect("an exception");
    assert_ne!(Some(exception.tag), thrower.get_tag(&store, "e"));
    assert_eq!(exception.payload, vec![Val::I32(9)]);
}

#[test]
fn an_exception_passes_through_a_host_function() {
    let mut store = Store::new(&Engine::default(), ());
    let mut linker: Linker<()> = Linker::new(store.engine());
    let tag = Tag::new(&mut store, &TagType::new([ValType::I32])).unwrap();
    linker.define(&store, "host", "e", tag).unwrap();
    // The host calls back into wasm, which throws; the error goes back
    // through the host function to its wasm caller, which catches it.
    linker
        .func_new(
            "host",
            "call_back",
            FuncType::new([ValType::I32], []),
            |mut caller, args, _results| {
                let Some(Extern::Func(thrower)) = caller.get_export("thrower") else {
                    panic!("thrower is exported");
                };
                let outcome = thrower.call(&mut caller, args, &mut []);
                let trap = trap_of(outcome.expect_err("the callee throws"));
                assert_eq!(trap.code, TrapCode::UncaughtException);
                Err(trap)
            },
        )
        .unwrap();
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (import "host" "e" (tag $e (param i32)))
          (import "host" "call_back" (func $call_back (param i32)))
          (func (export "thrower") (param i32) (throw $e (i32.mul (local.get 0) (i32.const 2))))
          (func (export "run") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (call $call_back (local.get 0)))
              (i32.const -1))))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 21).expect("caught"), 42);
}

#[test]
fn an_uncaught_exception_reaches_the_embedder() {
    let mut store = Store::new(&Engine::default(), ());
    let linker = Linker::new(store.engine());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (tag $e (export "e") (param i64 f32))
          (func $inner (throw $e (i64.const -5) (f32.const 1.5)))
          (func (export "run") (call $inner)))"#,
    );
    let run = instance.get_func(&store, "run").unwrap();
    let error = run.call(&mut store, &[], &mut []).unwrap_err();
    assert!(error.to_string().contains("uncaught exception"), "{error}");
    let trap = trap_of(error);
    assert_eq!(trap.code, TrapCode::UncaughtException);
    let exception = trap.exception().cloned().expect("the exception");
    assert_eq!(Some(exception.tag), instance.get_tag(&store, "e"));
    assert_eq!(
        exception.payload,
        vec![Val::I64(-5), Val::F32(1.5f32.to_bits())]
    );
    assert_eq!(
        exception.tag.ty(&store).params(),
        &[ValType::I64, ValType::F32]
    );
}

#[test]
fn traps_are_not_caught() {
    let mut store = Store::new(&Engine::default(), ());
    let linker = Linker::new(store.engine());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (func $trap (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
          (func (export "run") (result i32)
            (block $h
              (try_table (catch_all $h) (return (call $trap))))
            (i32.const -1)))"#,
    );
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    let trap = trap_of(run.call(&mut store, ()).unwrap_err());
    assert_eq!(trap.code, TrapCode::IntegerDivideByZero);
    assert!(trap.exception().is_none());
}

#[test]
fn a_million_throws_do_not_grow_the_store() {
    let mut store = Store::new(&Engine::default(), ());
    let linker = Linker::new(store.engine());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (tag $e (param i32))
          (func $throw (param i32) (throw $e (local.get 0)))
          (func (export "run") (param i32) (result i32)
            (local $sum i32)
            (loop $next
              (block $h (result i32)
                (try_table (catch $e $h) (call $throw (local.get 0)))
                (unreachable))
              (local.set $sum (i32.add (local.get $sum)))
              (br_if $next (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (local.get $sum)))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 1_000_000).unwrap(), 1_784_293_664);
    assert_eq!(store.exception_slots(), 1);
}

#[test]
fn catch_to_the_function_and_loop_labels_and_exnrefs_at_the_host() {
    let mut store = Store::new(&Engine::default(), ());
    let linker = Linker::new(store.engine());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (tag $e (param i32))
          (tag $wide (param v128 f64 i32))
          (func (export "to_function") (result i32)
            ;; Label 0 outside the try_table is the function's: a return.
            (try_table (catch $e 0) (throw $e (i32.const 5)))
            (i32.const -1))
          (func (export "to_loop") (result i32)
            (local $n i32)
            (loop $again
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (if (i32.lt_u (local.get $n) (i32.const 5))
                (then (try_table (catch_all $again) (throw $e (i32.const 0))))))
            (local.get $n))
          (func (export "wide") (result f64)
            (local $v v128) (local $f f64) (local $i i32)
            (block $h (result v128 f64 i32)
              (try_table (catch $wide $h)
                (throw $wide (v128.const i32x4 1 2 3 4) (f64.const 0.5) (i32.const 6)))
              (unreachable))
            (local.set $i)
            (local.set $f)
            (local.set $v)
            (f64.add
              (f64.add (local.get $f) (f64.convert_i32_s (local.get $i)))
              (f64.convert_i32_s (i32x4.extract_lane 3 (local.get $v)))))
          (func (export "make") (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $e (i32.const 9)))
              (unreachable)))
          (func (export "rethrow") (param exnref) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (throw_ref (local.get 0)))
              (unreachable))))"#,
    );
    let to_function = instance
        .get_typed_func::<(), i32>(&store, "to_function")
        .unwrap();
    assert_eq!(to_function.call(&mut store, ()).unwrap(), 5);
    let to_loop = instance
        .get_typed_func::<(), i32>(&store, "to_loop")
        .unwrap();
    assert_eq!(to_loop.call(&mut store, ()).unwrap(), 5);
    let wide = instance.get_typed_func::<(), f64>(&store, "wide").unwrap();
    assert_eq!(wide.call(&mut store, ()).unwrap(), 0.5 + 6.0 + 4.0);
    // An exnref handed to the host comes back as the same exception.
    let make = instance.get_func(&store, "make").unwrap();
    let mut made = [Val::ExnRef(None)];
    make.call(&mut store, &[], &mut made).unwrap();
    assert!(matches!(made[0], Val::ExnRef(Some(_))));
    let rethrow = instance.get_func(&store, "rethrow").unwrap();
    let mut result = [Val::I32(0)];
    rethrow.call(&mut store, &made, &mut result).unwrap();
    assert_eq!(result[0], Val::I32(9));
}

/// A host function tail-called from inside a `try_table` runs in place of
/// that frame: its exception is caught by the caller's handler, not by the
/// `try_table` around the `return_call`.
#[test]
fn a_tail_called_host_function_throws_past_its_callers_frame() {
    let mut store = Store::new(&Engine::default(), ());
    let mut linker: Linker<()> = Linker::new(store.engine());
    let tag = Tag::new(&mut store, &TagType::new([ValType::I32])).unwrap();
    linker.define(&store, "host", "e", tag).unwrap();
    linker
        .func_new(
            "host",
            "call_back",
            FuncType::new([ValType::I32], [ValType::I32]),
            |mut caller, args, _results| {
                let Some(Extern::Func(thrower)) = caller.get_export("thrower") else {
                    panic!("thrower is exported");
                };
                let outcome = thrower.call(&mut caller, args, &mut []);
                Err(trap_of(outcome.expect_err("the callee throws")))
            },
        )
        .unwrap();
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
          (import "host" "e" (tag $e (param i32)))
          (import "host" "call_back" (func $call_back (param i32) (result i32)))
          (func (export "thrower") (param i32) (throw $e (local.get 0)))
          (func $tail (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return_call $call_back (local.get 0)))
              (unreachable))
            (i32.const 1000)
            (i32.add))
          (func (export "run") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return (call $tail (local.get 0))))
              (unreachable))
            (i32.const 2000)
            (i32.add)))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 3).expect("caught"), 2003);
}
