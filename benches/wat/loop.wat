;; A tight arithmetic loop: locals, arithmetic, compare and branch.
(module
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc)
        (i64.extend_i32_u (i32.xor (i32.mul (local.get $i) (i32.const 0x9E3779B1)) (i32.shr_u (local.get $i) (i32.const 7))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
