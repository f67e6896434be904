;; Reduced from the differential target (seed 12, input 801 268).
;; `local.set 0 (1)` runs before `local.get 0`, so the block's parameter is 1
;; whatever the (untaken) `then` branch later writes to local 0. The spec
;; gives g = 136846542 (else branch) ^ 1 (block parameter) ^ 507
;; (table.size 1) = 136846644, which Tabula computes; wasmi 2.0.0 gives
;; 136846645, as if the parameter were local 0's value before the
;; `local.set` (0). Without the `local.tee 0` in the untaken branch wasmi
;; agrees.
(module
  (type $t (func (param i32) (result i64)))
  (table 1 370 funcref)
  (table 507 632 externref)
  (table 357 763 externref)
  (global $g (export "g") (mut i32) (i32.const 0))
  (global $h (export "h") (mut i64) (i64.const 0))
  (global $k (export "k") (mut i64) (i64.const 0))
  (func (export "f") (type $t)
    table.size 2
    (local.set 0 (i64x2.all_true (i16x8.extadd_pairwise_i8x16_u (v128.const i32x4 0xd9d013ee 0xf68c6775 0x899ed5bb 0xda1b4a8f))))
    f64.convert_i32_s
    table.size 1
    i64.const 65536
    f64.convert_i64_s
    local.get 0
    block (type $t)
      table.size 0
      i64.extend_i32_s
      i32.const 136846542
      table.size 2
      i32.eqz
      i32.popcnt
      if (type $t)
        drop
        i32.const 2049194803
        local.tee 0
        drop
        i64.const 1
      else
        global.get $g
        i32.xor
        global.set $g
        i64.const 4398046511104
      end
      global.get $h
      i64.xor
      global.set $h
      global.get $h
      i64.xor
      global.set $h
      global.get $g
      i32.xor
      global.set $g
      i64.const 5
    end
    global.get $h
    i64.xor
    global.set $h
    i64.reinterpret_f64
    global.get $k
    i64.xor
    global.set $k
    global.get $g
    i32.xor
    global.set $g
    i64.reinterpret_f64
    global.get $k
    i64.xor
    global.set $k
    i64.const 9))

