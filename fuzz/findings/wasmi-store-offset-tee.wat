;; wasmi 2.0.0 panics (`unreachable!()` in `choose_store_op_vt`) translating
;; a store whose address and value are the same `local.tee`d result of
;; `memory.size` (or `memory.grow`) with an offset of 65536 or more.
;; The spec: address 1 + 70000 is past the 1-page memory, so `f` traps with
;; "out of bounds memory access" (Tabula does).
(module
  (memory 1)
  (func (export "f") (local i32)
    memory.size
    local.tee 0
    local.get 0
    i32.store offset=70000))
