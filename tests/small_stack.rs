//! Long loops of every kind of instruction on a 64 KiB native stack.
//!
//! The tail-call backend chains handlers by jumps: an instruction must not
//! leave a native frame behind. If one handler's continuation became a real
//! call, a loop running it a million times would need megabytes of stack;
//! here it overflows the 64 KiB thread and the test process aborts, naming
//! the thread (and so the kind of instruction). The loop backend runs the
//! same loops (CI runs this file with `--features tabula/portable-dispatch`).
//!
//! Every loop's result is computed again in plain Rust below it.

use tabula::{Engine, Linker, Module, Store, WasmTy};

/// The thread stack the wasm runs on.
const STACK: usize = 64 * 1024;

/// Iterations of each loop.
const N: i32 = 1_000_000;

const WAT: &str = r#"(module
  (type $unary (func (param i32) (result i32)))
  (memory 1 4)
  (table $funcs 4 funcref)
  (elem (table $funcs) (i32.const 0) func $sq $inc $neg $half)
  (table $refs 8 funcref)
  (global $g32 (mut i32) (i32.const 1))
  (global $g64 (mut i64) (i64.const 2))
  (global $gf (mut f64) (f64.const 0.5))
  (global $k i32 (i32.const 5))

  (func (export "int32") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 0x12345678))
    (local.set $b (i32.const 7))
    (loop $next
      (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 1103515245)) (i32.const 12345)))
      (local.set $b (i32.xor (local.get $b) (i32.shr_u (local.get $a) (i32.const 7))))
      (local.set $b (i32.sub (local.get $b) (i32.and (local.get $a) (local.get $i))))
      (local.set $a (i32.rotl (local.get $a) (local.get $b)))
      (local.set $b (i32.or (i32.shl (local.get $b) (i32.const 1))
                            (i32.and (i32.shr_s (local.get $a) (i32.const 31)) (i32.const 1))))
      (local.set $b (i32.add (local.get $b) (i32.div_u (local.get $a) (i32.const 7))))
      (local.set $b (i32.add (local.get $b)
                             (i32.rem_u (local.get $a) (i32.or (local.get $i) (i32.const 1)))))
      (local.set $b (i32.add (local.get $b)
                             (i32.add (i32.clz (local.get $a))
                                      (i32.add (i32.ctz (local.get $b)) (i32.popcnt (local.get $i))))))
      (local.set $b (i32.rotr (local.get $b) (i32.const 3)))
      (local.set $a (i32.sub (i32.const 99) (local.get $a)))
      (local.set $b (i32.div_s (local.get $b) (i32.const -3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (i32.xor (local.get $a) (local.get $b)))

  (func (export "int64") (param $n i32) (result i64)
    (local $i i32) (local $x i64) (local $y i64)
    (local.set $x (i64.const 0x0123456789abcdef))
    (local.set $y (i64.const -5))
    (loop $next
      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))
                             (i64.const 1442695040888963407)))
      (local.set $y (i64.xor (local.get $y) (i64.shr_u (local.get $x) (i64.const 29))))
      (local.set $y (i64.add (local.get $y) (i64.extend_i32_u (local.get $i))))
      (local.set $y (i64.sub (local.get $y) (i64.extend_i32_s (i32.wrap_i64 (local.get $x)))))
      (local.set $x (i64.rotl (local.get $x) (local.get $y)))
      (local.set $y (i64.add (i64.mul (local.get $y) (local.get $y)) (i64.const 3)))
      (local.set $y (i64.add (local.get $y) (i64.div_u (local.get $x) (i64.const 1000003))))
      (local.set $y (i64.add (local.get $y) (i64.rem_s (local.get $x) (i64.const 97))))
      (local.set $y (i64.add (local.get $y)
                             (i64.add (i64.clz (local.get $x))
                                      (i64.add (i64.ctz (local.get $y)) (i64.popcnt (local.get $x))))))
      (local.set $y (i64.or (i64.shl (local.get $y) (i64.const 2))
                            (i64.and (i64.shr_s (local.get $x) (i64.const 60)) (i64.const 3))))
      (local.set $x (i64.rotr (local.get $x) (i64.const 11)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.ne (local.get $i) (local.get $n))))
    (i64.add (local.get $x) (local.get $y)))

  (func (export "float") (param $n i32) (result f64)
    (local $i i32) (local $k i32) (local $x f64) (local $y f64) (local $fi f64)
    (local $z f32) (local $w f32)
    (local.set $x (f64.const 1.5))
    (local.set $z (f32.const 2.25))
    (loop $next
      (local.set $fi (f64.convert_i32_u (local.get $i)))
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.5)) (local.get $fi)))
      (local.set $y (f64.add (local.get $y) (f64.div (f64.sqrt (local.get $x)) (f64.const 3))))
      (local.set $y (f64.sub (local.get $y) (f64.floor (f64.mul (local.get $y) (f64.const 0.001)))))
      (local.set $y (f64.max (local.get $y) (f64.min (local.get $x) (f64.const 10))))
      (local.set $z (f32.add (f32.mul (local.get $z) (f32.const 0.75))
                             (f32.convert_i32_s (i32.and (local.get $i) (i32.const 255)))))
      (local.set $z (f32.add (local.get $z) (f32.demote_f64 (f64.mul (local.get $fi) (f64.const 1e-6)))))
      (local.set $w (f32.add (local.get $w)
                             (f32.sub (f32.ceil (local.get $z))
                                      (f32.trunc (f32.div (local.get $z) (f32.const 3))))))
      (local.set $w (f32.sub (local.get $w) (f32.nearest (f32.mul (local.get $w) (f32.const 0.5)))))
      (local.set $w (f32.copysign (f32.min (f32.abs (local.get $w)) (f32.const 1000))
                                  (f32.neg (local.get $z))))
      (local.set $y (f64.add (local.get $y) (f64.promote_f32 (f32.sqrt (f32.abs (local.get $w))))))
      (local.set $x (f64.sub (local.get $x) (f64.nearest (f64.neg (f64.abs (f64.const -0.75))))))
      (local.set $k (i32.add (local.get $k)
                             (i32.add (i32.trunc_f64_s (local.get $y)) (i32.trunc_f32_s (local.get $w)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (f64.add (f64.add (local.get $x) (local.get $y))
             (f64.add (f64.promote_f32 (f32.add (local.get $z) (local.get $w)))
                      (f64.convert_i32_s (local.get $k)))))

  (func (export "compare") (param $n i32) (result i32)
    (local $i i32) (local $c i32) (local $x i64) (local $f f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.lt_s (local.get $i) (i32.const 300000))
          (then (local.set $c (i32.add (local.get $c) (i32.const 1))))
          (else (local.set $c (i32.add (local.get $c) (i32.const 2)))))
        (local.set $x (i64.add (local.get $x) (i64.const 7)))
        (if (i64.gt_u (local.get $x) (i64.const 1000))
          (then (local.set $x (i64.sub (local.get $x) (i64.const 999)))))
        (if (i64.eq (local.get $x) (i64.extend_i32_u (i32.and (local.get $i) (i32.const 1023))))
          (then (local.set $c (i32.add (local.get $c) (i32.const 100)))))
        (local.set $f (f64.add (local.get $f) (f64.const 0.25)))
        (if (f64.ge (local.get $f) (f64.const 10))
          (then (local.set $f (f64.const -3))
                (local.set $c (i32.sub (local.get $c) (i32.const 5)))))
        (block $skip
          (br_if $skip (i32.eqz (i32.and (local.get $i) (i32.const 3))))
          (br_if $skip (i32.gt_s (i32.const 0) (local.get $i)))
          (br_if $skip (f32.lt (f32.convert_i32_u (local.get $i)) (f32.const 100)))
          (local.set $c (i32.xor (local.get $c) (local.get $i))))
        (if (i32.le_u (i32.and (local.get $c) (i32.const 15)) (global.get $k))
          (then (local.set $c (i32.add (local.get $c) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $c))

  (func (export "memory") (param $n i32) (result i64)
    (local $i i32) (local $p i32) (local $s i64)
    (loop $next
      (local.set $p (i32.shl (i32.and (local.get $i) (i32.const 1023)) (i32.const 4)))
      (i32.store (local.get $p) (local.get $i))
      (i32.store8 offset=4 (local.get $p) (i32.add (local.get $i) (i32.const 200)))
      (i32.store16 offset=6 (local.get $p) (i32.mul (local.get $i) (i32.const 40503)))
      (i64.store offset=8 (local.get $p)
                 (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 0x9E3779B97F4A7C15)))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (i32.load (local.get $p)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (i32.load8_s offset=4 (local.get $p)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (i32.load8_u offset=4 (local.get $p)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (i32.load16_s offset=6 (local.get $p)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (i32.load16_u offset=6 (local.get $p)))))
      (local.set $s (i64.xor (local.get $s) (i64.load offset=8 (local.get $p))))
      (local.set $s (i64.add (local.get $s) (i64.load8_s offset=9 (local.get $p))))
      (local.set $s (i64.add (local.get $s) (i64.load8_u offset=10 (local.get $p))))
      (local.set $s (i64.add (local.get $s) (i64.load16_s offset=11 (local.get $p))))
      (local.set $s (i64.add (local.get $s) (i64.load16_u offset=12 (local.get $p))))
      (local.set $s (i64.add (local.get $s) (i64.load32_s offset=8 (local.get $p))))
      (local.set $s (i64.add (local.get $s) (i64.load32_u offset=12 (local.get $p))))
      (i64.store8 offset=16384 (local.get $p) (local.get $s))
      (i64.store16 offset=16385 (local.get $p) (local.get $s))
      (i64.store32 offset=16387 (local.get $p) (local.get $s))
      (local.set $s (i64.add (local.get $s) (i64.load offset=16384 (local.get $p))))
      (f32.store offset=32768 (local.get $p) (f32.convert_i32_s (local.get $i)))
      (f64.store offset=32776 (local.get $p) (f64.convert_i64_s (local.get $s)))
      (local.set $s (i64.add (local.get $s) (i64.trunc_f32_s (f32.load offset=32768 (local.get $p)))))
      (local.set $s (i64.add (local.get $s) (i64.reinterpret_f64 (f64.load offset=32776 (local.get $p)))))
      (i32.store (i32.const 60000) (local.get $i))
      (i64.store (i32.const 60008) (i64.const 42))
      (i32.store8 (i32.const 60016) (i32.const 255))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (i32.load (i32.const 60000)))))
      (local.set $s (i64.add (local.get $s) (i64.load (i32.const 60008))))
      (local.set $s (i64.add (local.get $s) (i64.load8_s (i32.const 60016))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))

  (func (export "locals") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32) (local $c i32)
    (loop $next
      (local.set $c (i32.add (local.tee $a (i32.add (local.get $a) (local.get $i)))
                             (local.tee $b (i32.xor (local.get $b) (local.get $a)))))
      (local.set $b (local.get $a))
      (local.set $a (local.get $c))
      (local.set $c (local.tee $b (i32.rotl (local.get $b) (i32.const 1))))
      ;; Swap a and b through the operand stack.
      (local.get $a) (local.get $b) (local.set $a) (local.set $b)
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.add (local.get $a) (i32.mul (local.get $c) (i32.const 3))))

  (func (export "globals") (param $n i32) (result i64)
    (local $i i32)
    (loop $next
      (global.set $g32 (i32.add (global.get $g32) (local.get $i)))
      (global.set $g64 (i64.add (i64.mul (global.get $g64) (i64.const 3))
                                (i64.extend_i32_u (global.get $g32))))
      (global.set $gf (f64.add (f64.mul (global.get $gf) (f64.const 0.5)) (f64.const 1)))
      (global.set $g32 (i32.xor (global.get $g32) (i32.wrap_i64 (global.get $g64))))
      (global.set $g32 (i32.add (global.get $g32) (global.get $k)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (global.get $g64)
             (i64.add (i64.extend_i32_u (global.get $g32))
                      (i64.trunc_f64_s (f64.mul (global.get $gf) (f64.const 1000))))))

  (func (export "select") (param $n i32) (result i64)
    (local $i i32) (local $a i32) (local $x i64) (local $f f64)
    (loop $next
      (local.set $a (select (local.get $i) (local.get $a) (i32.and (local.get $i) (i32.const 1))))
      (local.set $a (i32.add (local.get $a) (select (i32.const 3) (i32.const 5) (local.get $i))))
      (local.set $x (i64.add (local.get $x)
                             (select (i64.extend_i32_u (local.get $a)) (i64.const -1)
                                     (i32.lt_u (local.get $a) (i32.const 500000)))))
      (local.set $f (f64.add (local.get $f)
                             (select (result f64) (f64.const 0.5) (f64.const 0.25)
                                     (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (local.get $x) (i64.trunc_f64_s (local.get $f))))

  (func (export "br_table") (param $n i32) (result i32)
    (local $i i32) (local $c i32)
    (loop $next
      (block $d
        (block $c4
          (block $c3
            (block $c2
              (block $c1
                (block $c0
                  (br_table $c0 $c1 $c2 $c3 $c4 $d (i32.rem_u (local.get $i) (i32.const 7))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $d))
              (local.set $c (i32.add (local.get $c) (i32.const 10)))
              (br $d))
            (local.set $c (i32.mul (local.get $c) (i32.const 3)))
            (br $d))
          (local.set $c (i32.xor (local.get $c) (local.get $i))))
        (local.set $c (i32.sub (local.get $c) (i32.const 7))))
      (local.set $c (i32.add (local.get $c)
        (block $r1 (result i32)
          (drop (block $r0 (result i32)
            (br_table $r0 $r1 (i32.const 100) (i32.and (local.get $i) (i32.const 1)))))
          (i32.const 7))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $c))

  (func $divmod (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1))
    (i32.rem_u (local.get 0) (local.get 1)))

  (func (export "multivalue") (param $n i32) (result i64)
    (local $i i32) (local $acc i64) (local $q i32) (local $r i32)
    (i32.const 0) (i64.const 0)
    (loop $l (param i32 i64) (result i32 i64)
      (local.set $acc) (local.set $i)
      (block $b (result i32 i64)
        (i32.add (local.get $i) (i32.const 1))
        (i64.add (local.get $acc) (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 3)))
        (br_if $b (i32.and (local.get $i) (i32.const 1)))
        (i64.const 7)
        (i64.add))
      (local.set $acc) (local.set $i)
      (call $divmod (local.get $i) (i32.const 7))
      (local.set $r) (local.set $q)
      (local.set $acc (i64.add (local.get $acc)
                               (i64.extend_i32_u (i32.mul (local.get $q) (local.get $r)))))
      (local.get $i) (local.get $acc)
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $acc) (drop)
    (local.get $acc))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func $depth (export "depth") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get $n) (i32.const 1))) (i32.const 2)))))

  (func $mix (param i32 i32) (result i32)
    (i32.add (i32.mul (local.get 0) (i32.const 31)) (local.get 1)))

  (func (export "calls") (param $n i32) (result i32)
    (local $i i32) (local $h i32)
    (loop $next
      (local.set $h (call $mix (local.get $h) (local.get $i)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $h))

  (func $sq (type $unary) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (type $unary) (i32.add (local.get 0) (i32.const 1)))
  (func $neg (type $unary) (i32.sub (i32.const 0) (local.get 0)))
  (func $half (type $unary) (i32.shr_s (local.get 0) (i32.const 1)))

  (func (export "call_indirect") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (local.set $acc
        (i32.add (local.get $acc)
                 (call_indirect $funcs (type $unary)
                   (i32.add (local.get $i) (local.get $acc))
                   (i32.and (local.get $i) (i32.const 3)))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc))

  (func (export "memory_ops") (param $n i32) (result i64)
    (local $i i32) (local $d i32) (local $s i64)
    (local.set $s (i64.extend_i32_u (memory.grow (i32.const 1))))
    (loop $next
      (local.set $d (i32.and (i32.mul (local.get $i) (i32.const 13)) (i32.const 4095)))
      (memory.fill (i32.add (local.get $d) (i32.const 70000)) (local.get $i) (i32.const 16))
      (memory.copy (i32.add (local.get $d) (i32.const 100000))
                   (i32.add (local.get $d) (i32.const 70004))
                   (i32.const 16))
      (local.set $s (i64.add (local.get $s) (i64.load (i32.add (local.get $d) (i32.const 100000)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (memory.size))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (memory.grow (i32.const 0)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (memory.grow (i32.const 100)))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))

  (func (export "tables") (param $n i32) (result i32)
    (local $i i32) (local $c i32)
    (loop $next
      (if (i32.and (local.get $i) (i32.const 1))
        (then (table.set $refs (i32.and (local.get $i) (i32.const 7)) (ref.func $inc)))
        (else (table.set $refs (i32.and (local.get $i) (i32.const 7)) (ref.null func))))
      (local.set $c (i32.add (local.get $c)
        (ref.is_null (table.get $refs (i32.and (i32.mul (local.get $i) (i32.const 3)) (i32.const 7))))))
      (local.set $c (i32.add (local.get $c) (table.size $refs)))
      (local.set $c (i32.add (local.get $c) (ref.is_null (ref.func $sq))))
      (if (i32.eqz (ref.is_null (table.get $refs (i32.const 1))))
        (then (local.set $c (i32.add (local.get $c)
                (call_indirect $refs (type $unary) (local.get $i) (i32.const 1))))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $c))

  (func (export "simd") (param $n i32) (result i64)
    (local $i i32) (local $v v128) (local $w v128)
    (local.set $v (v128.const i32x4 1 2 3 4))
    (loop $next
      (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $i))))
      (local.set $v (i32x4.mul (local.get $v) (v128.const i32x4 3 5 7 9)))
      (local.set $w (v128.xor (local.get $w) (i32x4.shr_u (local.get $v) (i32.const 3))))
      (local.set $w (i8x16.add (local.get $w) (i8x16.splat (local.get $i))))
      (v128.store offset=48000 (i32.const 0) (local.get $w))
      (local.set $w (v128.load offset=48000 (i32.const 0)))
      (local.set $v (select (local.get $v) (local.get $w) (i32.and (local.get $i) (i32.const 1))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (i64x2.extract_lane 0 (local.get $v))
             (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $w)))))
)"#;

/// Calls `export` with `arg` on a fresh instance, on a thread with a
/// 64 KiB stack (named after the export, so an overflow says which loop).
fn run<R: WasmTy>(export: &'static str, arg: i32) -> R {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).expect("the test module compiles");
    std::thread::Builder::new()
        .name(format!("small-stack {export}"))
        .stack_size(STACK)
        .spawn(move || {
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .expect("the test module instantiates");
            instance
                .get_typed_func::<i32, R>(&store, export)
                .expect("the export has this type")
                .call(&mut store, arg)
                .expect("the loop runs without trapping")
        })
        .expect("spawn a small-stack thread")
        .join()
        .expect("the small-stack thread did not panic")
}

/// Little-endian bytes of memory, as the mirror of a wasm memory.
struct Mem(Vec<u8>);

impl Mem {
    fn new(pages: usize) -> Mem {
        Mem(vec![0; pages * 65536])
    }
    fn store(&mut self, address: u32, offset: u32, bytes: &[u8]) {
        let at = (address + offset) as usize;
        self.0[at..at + bytes.len()].copy_from_slice(bytes);
    }
    fn load<const W: usize>(&self, address: u32, offset: u32) -> [u8; W] {
        let at = (address + offset) as usize;
        self.0[at..at + W].try_into().unwrap()
    }
}

/// wasm's `fmin`/`fmax` on the non-NaN values the loops produce: -0 is below +0.
fn wasm_min(a: f64, b: f64) -> f64 {
    if a == b {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else {
        a.min(b)
    }
}

fn wasm_max(a: f64, b: f64) -> f64 {
    if a == b {
        if a.is_sign_positive() {
            a
        } else {
            b
        }
    } else {
        a.max(b)
    }
}

#[test]
fn int32_arithmetic() {
    let (mut a, mut b, mut i) = (0x1234_5678_i32, 7_i32, 0_i32);
    loop {
        a = a.wrapping_mul(1_103_515_245).wrapping_add(12345);
        b ^= ((a as u32) >> 7) as i32;
        b = b.wrapping_sub(a & i);
        a = a.rotate_left(b as u32 & 31);
        b = b.wrapping_shl(1) | ((a >> 31) & 1);
        b = b.wrapping_add(((a as u32) / 7) as i32);
        b = b.wrapping_add(((a as u32) % ((i | 1) as u32)) as i32);
        let bits = a.leading_zeros() + b.trailing_zeros() + i.count_ones();
        b = b.wrapping_add(bits as i32);
        b = b.rotate_right(3);
        a = 99_i32.wrapping_sub(a);
        b = b.wrapping_div(-3);
        i += 1;
        if i >= N {
            break;
        }
    }
    assert_eq!(run::<i32>("int32", N), a ^ b);
}

#[test]
fn int64_arithmetic() {
    let (mut x, mut y) = (0x0123_4567_89ab_cdef_i64, -5_i64);
    for i in 0..N {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        y ^= ((x as u64) >> 29) as i64;
        y = y.wrapping_add(i64::from(i as u32));
        y = y.wrapping_sub(i64::from(x as i32));
        x = x.rotate_left((y as u64 & 63) as u32);
        y = y.wrapping_mul(y).wrapping_add(3);
        y = y.wrapping_add(((x as u64) / 1_000_003) as i64);
        y = y.wrapping_add(x.wrapping_rem(97));
        let bits = x.leading_zeros() + y.trailing_zeros() + x.count_ones();
        y = y.wrapping_add(i64::from(bits));
        y = y.wrapping_shl(2) | ((x >> 60) & 3);
        x = x.rotate_right(11);
    }
    assert_eq!(run::<i64>("int64", N), x.wrapping_add(y));
}

#[test]
fn float_arithmetic() {
    let (mut x, mut y, mut k) = (1.5_f64, 0.0_f64, 0_i32);
    let (mut z, mut w) = (2.25_f32, 0.0_f32);
    for i in 0..N {
        let fi = f64::from(i as u32);
        x = x * 0.5 + fi;
        y += x.sqrt() / 3.0;
        y -= (y * 0.001).floor();
        y = wasm_max(y, wasm_min(x, 10.0));
        z = z * 0.75 + (i & 255) as f32;
        z += (fi * 1e-6) as f32;
        w += z.ceil() - (z / 3.0).trunc();
        w -= (w * 0.5).round_ties_even();
        w = (w.abs().min(1000.0)).copysign(-z);
        y += f64::from(w.abs().sqrt());
        x -= (-(-0.75_f64).abs()).round_ties_even();
        k = k.wrapping_add((y as i32).wrapping_add(w as i32));
    }
    let expected = (x + y) + (f64::from(z + w) + f64::from(k));
    let got = run::<f64>("float", N);
    assert_eq!(got.to_bits(), expected.to_bits(), "{got} != {expected}");
}

#[test]
fn compares_fused_with_branches() {
    let (mut c, mut x, mut f) = (0_i32, 0_i64, 0.0_f64);
    for i in 0..N {
        c = c.wrapping_add(if i < 300_000 { 1 } else { 2 });
        x += 7;
        if x as u64 > 1000 {
            x -= 999;
        }
        if x == i64::from(i & 1023) {
            c = c.wrapping_add(100);
        }
        f += 0.25;
        if f >= 10.0 {
            f = -3.0;
            c = c.wrapping_sub(5);
        }
        if i & 3 != 0 && i >= 0 && (i as u32 as f32) >= 100.0 {
            c ^= i;
        }
        if ((c & 15) as u32) <= 5 {
            c = c.wrapping_add(3);
        }
    }
    assert_eq!(run::<i32>("compare", N), c);
}

#[test]
fn loads_and_stores_of_every_width() {
    let mut mem = Mem::new(1);
    let mut s = 0_i64;
    for i in 0..N {
        let p = ((i & 1023) << 4) as u32;
        mem.store(p, 0, &i.to_le_bytes());
        mem.store(p, 4, &[(i + 200) as u8]);
        mem.store(p, 6, &(i.wrapping_mul(40503) as u16).to_le_bytes());
        let product = u64::from(i as u32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        mem.store(p, 8, &product.to_le_bytes());
        s = s.wrapping_add(i64::from(i32::from_le_bytes(mem.load(p, 0))));
        s = s.wrapping_add(i64::from(mem.load::<1>(p, 4)[0] as i8));
        s = s.wrapping_add(i64::from(mem.load::<1>(p, 4)[0]));
        s = s.wrapping_add(i64::from(i16::from_le_bytes(mem.load(p, 6))));
        s = s.wrapping_add(i64::from(u16::from_le_bytes(mem.load(p, 6))));
        s ^= i64::from_le_bytes(mem.load(p, 8));
        s = s.wrapping_add(i64::from(mem.load::<1>(p, 9)[0] as i8));
        s = s.wrapping_add(i64::from(mem.load::<1>(p, 10)[0]));
        s = s.wrapping_add(i64::from(i16::from_le_bytes(mem.load(p, 11))));
        s = s.wrapping_add(i64::from(u16::from_le_bytes(mem.load(p, 12))));
        s = s.wrapping_add(i64::from(i32::from_le_bytes(mem.load(p, 8))));
        s = s.wrapping_add(i64::from(u32::from_le_bytes(mem.load(p, 12))));
        mem.store(p, 16384, &[s as u8]);
        mem.store(p, 16385, &(s as u16).to_le_bytes());
        mem.store(p, 16387, &(s as u32).to_le_bytes());
        s = s.wrapping_add(i64::from_le_bytes(mem.load(p, 16384)));
        mem.store(p, 32768, &(i as f32).to_le_bytes());
        mem.store(p, 32776, &(s as f64).to_le_bytes());
        s = s.wrapping_add(f32::from_le_bytes(mem.load(p, 32768)) as i64);
        s = s.wrapping_add(f64::from_le_bytes(mem.load(p, 32776)).to_bits() as i64);
        mem.store(60000, 0, &i.to_le_bytes());
        mem.store(60008, 0, &42_i64.to_le_bytes());
        mem.store(60016, 0, &[255]);
        s = s.wrapping_add(i64::from(u32::from_le_bytes(mem.load(60000, 0))));
        s = s.wrapping_add(i64::from_le_bytes(mem.load(60008, 0)));
        s = s.wrapping_add(i64::from(mem.load::<1>(60016, 0)[0] as i8));
    }
    assert_eq!(run::<i64>("memory", N), s);
}

#[test]
fn locals_get_set_tee() {
    let (mut a, mut b, mut c) = (0_i32, 0_i32, 0_i32);
    for i in 0..N {
        a = a.wrapping_add(i);
        b ^= a;
        c = a.wrapping_add(b);
        b = a;
        a = c;
        b = b.rotate_left(1);
        c = b;
        std::mem::swap(&mut a, &mut b);
        a = a.wrapping_add(1);
    }
    assert_eq!(run::<i32>("locals", N), a.wrapping_add(c.wrapping_mul(3)));
}

#[test]
fn globals_get_set() {
    let (mut g32, mut g64, mut gf) = (1_i32, 2_i64, 0.5_f64);
    for i in 0..N {
        g32 = g32.wrapping_add(i);
        g64 = g64.wrapping_mul(3).wrapping_add(i64::from(g32 as u32));
        gf = gf * 0.5 + 1.0;
        g32 ^= g64 as i32;
        g32 = g32.wrapping_add(5);
    }
    let expected = g64
        .wrapping_add(i64::from(g32 as u32))
        .wrapping_add((gf * 1000.0) as i64);
    assert_eq!(run::<i64>("globals", N), expected);
}

#[test]
fn select_of_every_type() {
    let (mut a, mut x, mut f) = (0_i32, 0_i64, 0.0_f64);
    for i in 0..N {
        if i & 1 != 0 {
            a = i;
        }
        a = a.wrapping_add(if i != 0 { 3 } else { 5 });
        x = x.wrapping_add(if (a as u32) < 500_000 {
            i64::from(a as u32)
        } else {
            -1
        });
        f += if i % 3 == 0 { 0.5 } else { 0.25 };
    }
    assert_eq!(run::<i64>("select", N), x.wrapping_add(f as i64));
}

#[test]
fn br_table_with_and_without_values() {
    let mut c = 0_i32;
    for i in 0..N {
        match (i as u32) % 7 {
            0 => c = c.wrapping_add(1),
            1 => c = c.wrapping_add(10),
            2 => c = c.wrapping_mul(3),
            3 => c = (c ^ i).wrapping_sub(7),
            4 => c = c.wrapping_sub(7),
            _ => {}
        }
        c = c.wrapping_add(if i & 1 == 0 { 7 } else { 100 });
    }
    assert_eq!(run::<i32>("br_table", N), c);
}

#[test]
fn block_results_and_loop_parameters() {
    let (mut i, mut acc) = (0_u32, 0_i64);
    loop {
        let mut next = acc.wrapping_add(i64::from(i) * 3);
        if i & 1 == 0 {
            next = next.wrapping_add(7);
        }
        i += 1;
        acc = next;
        let (q, r) = (i / 7, i % 7);
        acc = acc.wrapping_add(i64::from(q.wrapping_mul(r)));
        if i >= N as u32 {
            break;
        }
    }
    assert_eq!(run::<i64>("multivalue", N), acc);
}

#[test]
fn recursive_calls() {
    fn fib(n: u32) -> i32 {
        let (mut a, mut b) = (0_i32, 1_i32);
        for _ in 0..n {
            (a, b) = (b, a.wrapping_add(b));
        }
        a
    }
    assert_eq!(run::<i32>("fib", 27), fib(27));
    // Deep recursion: wasm calls keep their frames off the native stack.
    assert_eq!(run::<i32>("depth", 50_000), 100_000);
}

#[test]
fn direct_calls_in_a_loop() {
    let mut h = 0_i32;
    for i in 0..N {
        h = h.wrapping_mul(31).wrapping_add(i);
    }
    assert_eq!(run::<i32>("calls", N), h);
}

#[test]
fn indirect_calls() {
    let mut acc = 0_i32;
    for i in 0..N {
        let x = i.wrapping_add(acc);
        let y = match i & 3 {
            0 => x.wrapping_mul(x),
            1 => x.wrapping_add(1),
            2 => x.wrapping_neg(),
            _ => x >> 1,
        };
        acc = acc.wrapping_add(y);
    }
    assert_eq!(run::<i32>("call_indirect", N), acc);
}

#[test]
fn memory_size_grow_fill_copy() {
    let mut mem = Mem::new(2);
    let mut s = 1_i64; // memory.grow 1 returns the old size, 1 page.
    for i in 0..N {
        let d = (i.wrapping_mul(13) & 4095) as u32;
        mem.store(d, 70000, &[i as u8; 16]);
        let chunk: [u8; 16] = mem.load(d, 70004);
        mem.store(d, 100_000, &chunk);
        s = s.wrapping_add(i64::from_le_bytes(mem.load(d, 100_000)));
        s += 2; // memory.size
        s += 2; // memory.grow 0
        s -= 1; // memory.grow 100 fails past the maximum of 4 pages
    }
    assert_eq!(run::<i64>("memory_ops", N), s);
}

#[test]
fn tables_and_references() {
    let mut null = [true; 8];
    let mut c = 0_i32;
    for i in 0..N {
        null[(i & 7) as usize] = i & 1 == 0;
        c = c.wrapping_add(i32::from(null[(i.wrapping_mul(3) & 7) as usize]));
        c = c.wrapping_add(8);
        if !null[1] {
            c = c.wrapping_add(i.wrapping_add(1));
        }
    }
    assert_eq!(run::<i32>("tables", N), c);
}

#[test]
fn v128_loop() {
    fn lanes32(v: u128) -> [u32; 4] {
        std::array::from_fn(|k| (v >> (32 * k)) as u32)
    }
    fn from32(lanes: [u32; 4]) -> u128 {
        lanes
            .iter()
            .enumerate()
            .fold(0, |v, (k, &lane)| v | (u128::from(lane) << (32 * k)))
    }
    let (mut v, mut w) = (from32([1, 2, 3, 4]), 0_u128);
    for i in 0..N {
        let factors = [3_u32, 5, 7, 9];
        let lanes = lanes32(v);
        v = from32(std::array::from_fn(|k| {
            lanes[k].wrapping_add(i as u32).wrapping_mul(factors[k])
        }));
        w ^= from32(lanes32(v).map(|lane| lane >> 3));
        let bytes = w.to_le_bytes();
        w = u128::from_le_bytes(bytes.map(|b| b.wrapping_add(i as u8)));
        if i & 1 == 0 {
            v = w;
        }
    }
    let expected = (v as u64 as i64).wrapping_add(i64::from(lanes32(w)[3]));
    assert_eq!(run::<i64>("simd", N), expected);
}
