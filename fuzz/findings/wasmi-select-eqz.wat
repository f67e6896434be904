;; wasmi 2.0.0 miscomputes `select` whose condition is `i32.eqz` of a local
;; when one operand is a constant. The spec: `i32.eqz 3` is 0, so `select`
;; returns its second operand. `f` must return 20 and `g` 0; wasmi returns
;; 10 from both (Tabula: 20 and 0).
(module
  (func (export "f") (result i32) (local i32 i32)
    (local.set 1 (i32.const 10))
    (local.set 0 (i32.const 3))
    (select (local.get 1) (i32.const 20) (i32.eqz (local.get 0))))
  (func (export "g") (result i32) (local i32 i32)
    (local.set 0 (i32.const 3))
    (select (i32.const 10) (local.get 1) (i32.eqz (local.get 0)))))
