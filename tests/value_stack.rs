//! The value stack starts small and grows on demand up to
//! `Config::max_stack_slots`: deep calls still work, the limit still traps,
//! and frames keep their values when a nested call from the host moves the
//! stack under them.

use tabula::{Caller, Config, Engine, Error, Extern, Linker, Module, Store, TrapCode};

/// `deep(n)` recurses `n` times, each frame holding 40 locals (well past the
/// stack's initial 4096 slots after ~100 calls), and returns the sum of one
/// local per frame, so a frame that lost its values gives a wrong sum.
const DEEP: &str = r#"(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func $deep (export "deep") (param $n i32) (result i32)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64)
    (local $f i64) (local $g i64) (local $h i64) (local $i i64) (local $j i64)
    (local $k i64) (local $l i64) (local $m i64) (local $o i64) (local $p i64)
    (local $q i64) (local $r i64) (local $s i64) (local $t i64) (local $u i64)
    (local $v i64) (local $w i64) (local $x i64) (local $y i64) (local $z i64)
    (local $a2 i64) (local $b2 i64) (local $c2 i64) (local $d2 i64) (local $e2 i64)
    (local $f2 i64) (local $g2 i64) (local $h2 i64) (local $i2 i64) (local $j2 i64)
    (local $k2 i64) (local $l2 i64) (local $m2 i64) (local $keep i32)
    (local.set $keep (local.get $n))
    (local.set $z (i64.extend_i32_u (local.get $n)))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else
        (i32.add
          (call $deep (i32.sub (local.get $n) (i32.const 1)))
          (i32.add (local.get $keep) (i32.wrap_i64 (local.get $z)))))))
  ;; Holds values in its frame across a host call that recurses deeply.
  (func (export "outer") (param $n i32) (result i32) (local $x i32) (local $y i32)
    (local.set $x (i32.const 1000))
    (local.set $y (i32.const 7))
    (i32.add
      (call $host (local.get $n))
      (i32.add (local.get $x) (local.get $y)))))"#;

/// The sum `deep(n)` returns: twice 1 + 2 + ... + n.
fn deep_sum(n: i32) -> i32 {
    n * (n + 1)
}

fn setup(config: &Config) -> (Store<()>, tabula::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, DEEP).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "env",
            "host",
            |mut caller: Caller<'_, ()>, n: i32| -> Result<i32, Error> {
                let deep = caller
                    .get_export("deep")
                    .and_then(Extern::into_func)
                    .unwrap()
                    .typed::<i32, i32>(&caller)?;
                deep.call(&mut caller, n)
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn deep_recursion_grows_the_stack() {
    let (mut store, instance) = setup(&Config::new());
    let deep = instance.get_typed_func::<i32, i32>(&store, "deep").unwrap();
    // ~40 slots a frame: 5 000 frames need about 200 000 slots.
    assert_eq!(deep.call(&mut store, 5_000).unwrap(), deep_sum(5_000));
    // And again, on the stack grown by the first call.
    assert_eq!(deep.call(&mut store, 100).unwrap(), deep_sum(100));
}

#[test]
fn frames_survive_a_nested_call_that_moves_the_stack() {
    let (mut store, instance) = setup(&Config::new());
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    // `outer`'s frame is live, below the host call, while the nested `deep`
    // grows (and moves) the stack several times.
    assert_eq!(
        outer.call(&mut store, 3_000).unwrap(),
        deep_sum(3_000) + 1007
    );
}

#[test]
fn the_configured_maximum_still_traps() {
    let mut config = Config::new();
    config.max_stack_slots(20_000);
    let (mut store, instance) = setup(&config);
    let deep = instance.get_typed_func::<i32, i32>(&store, "deep").unwrap();
    // 300 frames fit in 20 000 slots; 5 000 do not.
    assert_eq!(deep.call(&mut store, 300).unwrap(), deep_sum(300));
    let error = deep.call(&mut store, 5_000).unwrap_err();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::CallStackExhausted);
    // The store is still usable after the trap.
    assert_eq!(deep.call(&mut store, 10).unwrap(), deep_sum(10));
    // Through a host call too.
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    let error = outer.call(&mut store, 5_000).unwrap_err();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::CallStackExhausted);
}
