//! Typing and translation of the GC instructions: structs, arrays, casts
//! and the `any`/`extern` conversions; and the stack maps the collector
//! reads at allocations and calls.
//!
//! Lane layouts are documented on each handler in `exec::objects`, which
//! also encodes the lanes that describe a field ([`access`]) and a heap
//! type ([`heap_lane`]).

use alloc::vec::Vec;

use super::{Failure, FuncValidator, Loc, Operand};
use crate::exec::gc::struct_offsets;
use crate::exec::handlers;
use crate::exec::objects::{access, heap_lane};
use crate::types::{FieldType, HeapType, RefType, StorageType, ValType};

/// What the collector needs to find the references in a function's frames.
#[derive(Default)]
pub(crate) struct MapBuilder {
    /// `(word, first slot, slot count)` at each allocation (the
    /// instruction's first word).
    pub(crate) allocations: Vec<(u32, u32, u32)>,
    /// The same at each call (the word of its return address).
    pub(crate) calls: Vec<(u32, u32, u32)>,
    pub(crate) slots: Vec<u32>,
}

impl<const TRANSLATE: bool> FuncValidator<'_, TRANSLATE> {
    /// Records which frame slots may hold heap references at word `at`: the
    /// locals that may, and the operands on the stack (plus `extra`, just
    /// popped and in their home slots) that may. `call`: `at` is a return
    /// address.
    pub(super) fn note_safepoint(&mut self, at: u32, call: bool, extra: &[Operand]) {
        if !TRANSLATE || !self.context.holds_refs {
            return;
        }
        let start = self.maps.slots.len() as u32;
        let context = self.context;
        self.maps.slots.extend_from_slice(&self.ref_locals);
        let on_stack = self.operands.iter().filter(|o| o.loc == Loc::Temp);
        let popped = extra
            .iter()
            .filter(|o| matches!(o.loc, Loc::Temp | Loc::Acc));
        for operand in on_stack.chain(popped) {
            if operand.ty.is_some_and(|t| context.may_hold_object(t)) {
                self.maps.slots.push(operand.home);
            }
        }
        let len = self.maps.slots.len() as u32 - start;
        if len == 0 {
            return;
        }
        match call {
            true => self.maps.calls.push((at, start, len)),
            false => self.maps.allocations.push((at, start, len)),
        }
    }

    /// Emits an allocation: the instruction, then its stack map, which
    /// lists `operands` (popped, in their home slots) too.
    fn emit_allocation(
        &mut self,
        handler: crate::exec::dispatch::Handler,
        lanes: &[u32],
        operands: &[Operand],
    ) {
        let at = self.emit(handler, lanes);
        self.note_safepoint(at, false, operands);
    }

    /// The fields of struct type `index`.
    fn struct_fields(&self, index: u32) -> Result<&'_ [FieldType], Failure> {
        self.context
            .struct_type(index)
            .ok_or_else(|| self.error("type mismatch: not a struct type"))
    }

    /// The element type of array type `index`.
    fn array_element(&self, index: u32) -> Result<FieldType, Failure> {
        self.context
            .array_type(index)
            .ok_or_else(|| self.error("type mismatch: not an array type"))
    }

    /// `(ref null $t)`.
    fn nullable(typeidx: u32) -> ValType {
        ValType::Ref(RefType::new(true, HeapType::Concrete(typeidx)))
    }

    /// `(ref $t)`.
    fn non_null(typeidx: u32) -> ValType {
        ValType::Ref(RefType::new(false, HeapType::Concrete(typeidx)))
    }

    // ---- structs ----

    pub(super) fn compile_struct_new(&mut self, typeidx: u32) -> Result<(), Failure> {
        let fields = self.struct_fields(typeidx)?;
        let types: Vec<ValType> = fields.iter().map(|f| f.storage.unpacked()).collect();
        let operands = self.pop_operands(&types)?;
        if self.emitting() {
            let lanes = self.allocation_lanes(typeidx, &operands);
            self.emit_allocation(handlers::struct_new, &lanes, &operands);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    /// `struct.new`'s and `array.new_fixed`'s lanes: the result slot, the
    /// type, the count and each operand's slot (no copies: a local is read
    /// where it is).
    fn allocation_lanes(&mut self, typeidx: u32, operands: &[Operand]) -> Vec<u32> {
        self.flush();
        let dst = self.base + self.slots;
        let mut lanes = alloc::vec![dst, typeidx, operands.len() as u32];
        for operand in operands {
            let slot = self.slot_of(*operand);
            lanes.push(slot);
        }
        lanes
    }

    pub(super) fn compile_struct_new_default(&mut self, typeidx: u32) -> Result<(), Failure> {
        let fields = self.struct_fields(typeidx)?;
        if fields
            .iter()
            .any(|f| !f.storage.unpacked().is_defaultable())
        {
            return Err(self.error("type mismatch: struct.new_default needs defaultable fields"));
        }
        if self.emitting() {
            let dst = self.base + self.slots;
            self.emit_allocation(handlers::struct_new_default, &[dst, typeidx], &[]);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    /// The field's storage type and byte offset.
    fn field(&self, typeidx: u32, fieldidx: u32) -> Result<(FieldType, u32), Failure> {
        let fields = self.struct_fields(typeidx)?;
        let Some(field) = fields.get(fieldidx as usize) else {
            return Err(self.error("unknown field"));
        };
        let storage: Vec<StorageType> = fields.iter().map(|f| f.storage).collect();
        let (offsets, _) = struct_offsets(&storage);
        Ok((*field, offsets[fieldidx as usize]))
    }

    fn compile_struct_read(
        &mut self,
        typeidx: u32,
        fieldidx: u32,
        packed: Option<bool>,
    ) -> Result<(), Failure> {
        let (field, offset) = self.field(typeidx, fieldidx)?;
        if packed.is_some() != field.storage.is_packed() {
            return Err(self.error(match packed {
                Some(_) => "type mismatch: struct.get_s/u needs a packed field",
                None => "type mismatch: struct.get needs an unpacked field",
            }));
        }
        let reference = self.pop_operand(Self::nullable(typeidx))?;
        if self.emitting() {
            self.flush();
            let reference = self.slot_of(reference);
            let dst = self.base + self.slots;
            let code = access(field.storage, packed == Some(true));
            self.emit(handlers::struct_get, &[dst, reference, offset, code]);
        }
        self.push_operand(field.storage.unpacked());
        Ok(())
    }

    pub(super) fn compile_struct_get(
        &mut self,
        typeidx: u32,
        fieldidx: u32,
    ) -> Result<(), Failure> {
        self.compile_struct_read(typeidx, fieldidx, None)
    }

    pub(super) fn compile_struct_get_s(
        &mut self,
        typeidx: u32,
        fieldidx: u32,
    ) -> Result<(), Failure> {
        self.compile_struct_read(typeidx, fieldidx, Some(true))
    }

    pub(super) fn compile_struct_get_u(
        &mut self,
        typeidx: u32,
        fieldidx: u32,
    ) -> Result<(), Failure> {
        self.compile_struct_read(typeidx, fieldidx, Some(false))
    }

    pub(super) fn compile_struct_set(
        &mut self,
        typeidx: u32,
        fieldidx: u32,
    ) -> Result<(), Failure> {
        let (field, offset) = self.field(typeidx, fieldidx)?;
        if !field.mutable {
            return Err(self.error("immutable field"));
        }
        let value = self.pop_operand(field.storage.unpacked())?;
        let reference = self.pop_operand(Self::nullable(typeidx))?;
        if self.emitting() {
            self.flush();
            let value = self.slot_of(value);
            let reference = self.slot_of(reference);
            let code = access(field.storage, false);
            self.emit(handlers::struct_set, &[reference, value, offset, code]);
        }
        Ok(())
    }

    // ---- arrays ----

    pub(super) fn compile_array_new(&mut self, typeidx: u32) -> Result<(), Failure> {
        let element = self.array_element(typeidx)?;
        let len = self.pop_operand(ValType::I32)?;
        let value = self.pop_operand(element.storage.unpacked())?;
        if self.emitting() {
            self.flush();
            let operands = [value, len];
            let (value, len) = (self.slot_of(value), self.slot_of(len));
            let dst = self.base + self.slots;
            self.emit_allocation(handlers::array_new, &[dst, value, len, typeidx], &operands);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    pub(super) fn compile_array_new_default(&mut self, typeidx: u32) -> Result<(), Failure> {
        let element = self.array_element(typeidx)?;
        if !element.storage.unpacked().is_defaultable() {
            return Err(self.error("type mismatch: array.new_default needs a defaultable element"));
        }
        let len = self.pop_operand(ValType::I32)?;
        if self.emitting() {
            self.flush();
            let len = self.slot_of(len);
            let dst = self.base + self.slots;
            self.emit_allocation(handlers::array_new_default, &[dst, len, typeidx], &[]);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    pub(super) fn compile_array_new_fixed(
        &mut self,
        typeidx: u32,
        count: u32,
    ) -> Result<(), Failure> {
        let element = self.array_element(typeidx)?;
        if count > 10_000 {
            return Err(self.error("array.new_fixed: too many operands"));
        }
        let types = alloc::vec![element.storage.unpacked(); count as usize];
        let operands = self.pop_operands(&types)?;
        if self.emitting() {
            let lanes = self.allocation_lanes(typeidx, &operands);
            self.emit_allocation(handlers::array_new_fixed, &lanes, &operands);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    /// An array type whose elements are numbers or vectors (for data).
    fn numeric_array(&self, typeidx: u32) -> Result<FieldType, Failure> {
        let element = self.array_element(typeidx)?;
        if element.storage.unpacked().is_ref() {
            return Err(self.error("type mismatch: array type is not numeric or vector"));
        }
        Ok(element)
    }

    /// An array type whose elements segment `elemidx`'s can be.
    fn reference_array(&self, typeidx: u32, elemidx: u32) -> Result<FieldType, Failure> {
        let element = self.array_element(typeidx)?;
        let segment = self.elem(elemidx)?;
        let fits = match element.storage {
            StorageType::Val(ValType::Ref(r)) => self.context.ref_matches(segment, r),
            _ => false,
        };
        if !fits {
            return Err(self.error("type mismatch: element segment does not fit the array"));
        }
        Ok(element)
    }

    pub(super) fn compile_array_new_data(
        &mut self,
        typeidx: u32,
        dataidx: u32,
    ) -> Result<(), Failure> {
        let element = self.numeric_array(typeidx)?;
        self.check_dataidx(dataidx)?;
        let len = self.pop_operand(ValType::I32)?;
        let offset = self.pop_operand(ValType::I32)?;
        if self.emitting() {
            self.flush();
            let (offset, len) = (self.slot_of(offset), self.slot_of(len));
            let dst = self.base + self.slots;
            let code = access(element.storage, false);
            let lanes = [dst, offset, len, typeidx, dataidx, code];
            self.emit_allocation(handlers::array_new_data, &lanes, &[]);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    pub(super) fn compile_array_new_elem(
        &mut self,
        typeidx: u32,
        elemidx: u32,
    ) -> Result<(), Failure> {
        self.reference_array(typeidx, elemidx)?;
        let len = self.pop_operand(ValType::I32)?;
        let offset = self.pop_operand(ValType::I32)?;
        if self.emitting() {
            self.flush();
            let (offset, len) = (self.slot_of(offset), self.slot_of(len));
            let dst = self.base + self.slots;
            let lanes = [dst, offset, len, typeidx, elemidx];
            self.emit_allocation(handlers::array_new_elem, &lanes, &[]);
        }
        self.push_operand(Self::non_null(typeidx));
        Ok(())
    }

    fn compile_array_read(&mut self, typeidx: u32, packed: Option<bool>) -> Result<(), Failure> {
        let element = self.array_element(typeidx)?;
        if packed.is_some() != element.storage.is_packed() {
            return Err(self.error(match packed {
                Some(_) => "type mismatch: array.get_s/u needs a packed element",
                None => "type mismatch: array.get needs an unpacked element",
            }));
        }
        let index = self.pop_operand(ValType::I32)?;
        let reference = self.pop_operand(Self::nullable(typeidx))?;
        if self.emitting() {
            self.flush();
            let (reference, index) = (self.slot_of(reference), self.slot_of(index));
            let dst = self.base + self.slots;
            let code = access(element.storage, packed == Some(true));
            self.emit(handlers::array_get, &[dst, reference, index, code]);
        }
        self.push_operand(element.storage.unpacked());
        Ok(())
    }

    pub(super) fn compile_array_get(&mut self, typeidx: u32) -> Result<(), Failure> {
        self.compile_array_read(typeidx, None)
    }

    pub(super) fn compile_array_get_s(&mut self, typeidx: u32) -> Result<(), Failure> {
        self.compile_array_read(typeidx, Some(true))
    }

    pub(super) fn compile_array_get_u(&mut self, typeidx: u32) -> Result<(), Failure> {
        self.compile_array_read(typeidx, Some(false))
    }

    /// An array type that may be written.
    fn mutable_array(&self, typeidx: u32) -> Result<FieldType, Failure> {
        let element = self.array_element(typeidx)?;
        if !element.mutable {
            return Err(self.error("immutable array"));
        }
        Ok(element)
    }

    pub(super) fn compile_array_set(&mut self, typeidx: u32) -> Result<(), Failure> {
        let element = self.mutable_array(typeidx)?;
        let value = self.pop_operand(element.storage.unpacked())?;
        let index = self.pop_operand(ValType::I32)?;
        let reference = self.pop_operand(Self::nullable(typeidx))?;
        if self.emitting() {
            self.flush();
            let (reference, index) = (self.slot_of(reference), self.slot_of(index));
            let value = self.slot_of(value);
            let code = access(element.storage, false);
            self.emit(handlers::array_set, &[reference, index, value, code]);
        }
        Ok(())
    }

    pub(super) fn compile_array_len(&mut self) -> Result<(), Failure> {
        let array = ValType::Ref(RefType::new(true, HeapType::Array));
        let reference = self.pop_operand(array)?;
        if self.emitting() {
            self.flush();
            let reference = self.slot_of(reference);
            let dst = self.base + self.slots;
            self.emit(handlers::array_len, &[dst, reference]);
        }
        self.push_operand(ValType::I32);
        Ok(())
    }

    pub(super) fn compile_array_fill(&mut self, typeidx: u32) -> Result<(), Failure> {
        let element = self.mutable_array(typeidx)?;
        let len = self.pop_operand(ValType::I32)?;
        let value = self.pop_operand(element.storage.unpacked())?;
        let offset = self.pop_operand(ValType::I32)?;
        let reference = self.pop_operand(Self::nullable(typeidx))?;
        if self.emitting() {
            self.flush();
            let (reference, offset) = (self.slot_of(reference), self.slot_of(offset));
            let (value, len) = (self.slot_of(value), self.slot_of(len));
            let code = access(element.storage, false);
            self.emit(handlers::array_fill, &[reference, offset, value, len, code]);
        }
        Ok(())
    }

    pub(super) fn compile_array_copy(&mut self, dst: u32, src: u32) -> Result<(), Failure> {
        let dst_element = self.mutable_array(dst)?;
        let src_element = self.array_element(src)?;
        let fits = match (src_element.storage, dst_element.storage) {
            (StorageType::Val(a), StorageType::Val(b)) => self.context.matches(a, b),
            (a, b) => a == b,
        };
        if !fits {
            return Err(self.error("type mismatch: array.copy between incompatible arrays"));
        }
        let len = self.pop_operand(ValType::I32)?;
        let src_offset = self.pop_operand(ValType::I32)?;
        let src_ref = self.pop_operand(Self::nullable(src))?;
        let dst_offset = self.pop_operand(ValType::I32)?;
        let dst_ref = self.pop_operand(Self::nullable(dst))?;
        if self.emitting() {
            self.flush();
            let lanes = [
                self.slot_of(dst_ref),
                self.slot_of(dst_offset),
                self.slot_of(src_ref),
                self.slot_of(src_offset),
                self.slot_of(len),
                dst_element.storage.size(),
            ];
            self.emit(handlers::array_copy, &lanes);
        }
        Ok(())
    }

    /// Pops `array.init_data`/`init_elem`'s operands and emits `handler`
    /// with them and `imms`.
    fn compile_array_init(
        &mut self,
        typeidx: u32,
        handler: crate::exec::dispatch::Handler,
        imms: [u32; 2],
    ) -> Result<(), Failure> {
        let len = self.pop_operand(ValType::I32)?;
        let src = self.pop_operand(ValType::I32)?;
        let dst = self.pop_operand(ValType::I32)?;
        let reference = self.pop_operand(Self::nullable(typeidx))?;
        if self.emitting() {
            self.flush();
            let lanes = [
                self.slot_of(reference),
                self.slot_of(dst),
                self.slot_of(src),
                self.slot_of(len),
                imms[0],
                imms[1],
            ];
            self.emit(handler, &lanes);
        }
        Ok(())
    }

    pub(super) fn compile_array_init_data(
        &mut self,
        typeidx: u32,
        dataidx: u32,
    ) -> Result<(), Failure> {
        self.mutable_array(typeidx)?;
        let element = self.numeric_array(typeidx)?;
        self.check_dataidx(dataidx)?;
        let code = access(element.storage, false);
        self.compile_array_init(typeidx, handlers::array_init_data, [dataidx, code])
    }

    pub(super) fn compile_array_init_elem(
        &mut self,
        typeidx: u32,
        elemidx: u32,
    ) -> Result<(), Failure> {
        self.mutable_array(typeidx)?;
        self.reference_array(typeidx, elemidx)?;
        self.compile_array_init(typeidx, handlers::array_init_elem, [elemidx, 0])
    }

    // ---- casts and conversions ----

    /// Pops the operand of a cast to `target`: a reference of the same
    /// hierarchy. Returns it and its type (`None` in unreachable code).
    fn pop_cast_operand(&mut self, target: RefType) -> Result<(Operand, Option<RefType>), Failure> {
        self.context
            .check_heaptype(target.heap)
            .map_err(|e| self.error(e))?;
        let (operand, ty) = self.pop_ref("a cast")?;
        if let Some(ty) = ty {
            let top = RefType::new(true, self.context.top(ty.heap));
            if !self.context.ref_matches(target, top) {
                return Err(self.error("type mismatch: cast to another hierarchy"));
            }
        }
        Ok((operand, ty))
    }

    fn compile_ref_test_to(&mut self, target: RefType) -> Result<(), Failure> {
        let (operand, _) = self.pop_cast_operand(target)?;
        if self.emitting() {
            self.flush();
            let slot = self.slot_of(operand);
            let dst = self.base + self.slots;
            let lanes = [
                dst,
                slot,
                heap_lane(target.heap),
                u32::from(target.nullable),
            ];
            self.emit(handlers::ref_test, &lanes);
        }
        self.push_operand(ValType::I32);
        Ok(())
    }

    pub(super) fn compile_ref_test(&mut self, heap: HeapType) -> Result<(), Failure> {
        self.compile_ref_test_to(RefType::new(false, heap))
    }

    pub(super) fn compile_ref_test_null(&mut self, heap: HeapType) -> Result<(), Failure> {
        self.compile_ref_test_to(RefType::new(true, heap))
    }

    fn compile_ref_cast_to(&mut self, target: RefType) -> Result<(), Failure> {
        let (operand, _) = self.pop_cast_operand(target)?;
        if self.emitting() {
            self.flush();
            let slot = self.slot_of(operand);
            let dst = self.base + self.slots;
            let lanes = [
                dst,
                slot,
                heap_lane(target.heap),
                u32::from(target.nullable),
            ];
            self.emit(handlers::ref_cast, &lanes);
        }
        self.push_operand(ValType::Ref(target));
        Ok(())
    }

    pub(super) fn compile_ref_cast(&mut self, heap: HeapType) -> Result<(), Failure> {
        self.compile_ref_cast_to(RefType::new(false, heap))
    }

    pub(super) fn compile_ref_cast_null(&mut self, heap: HeapType) -> Result<(), Failure> {
        self.compile_ref_cast_to(RefType::new(true, heap))
    }

    /// `br_on_cast` (`on_fail` false) and `br_on_cast_fail`.
    fn compile_br_on_cast_either(
        &mut self,
        flags: u8,
        depth: u32,
        from: HeapType,
        to: HeapType,
        on_fail: bool,
    ) -> Result<(), Failure> {
        let source = RefType::new(flags & 1 != 0, from);
        let target = RefType::new(flags & 2 != 0, to);
        for heap in [from, to] {
            self.context
                .check_heaptype(heap)
                .map_err(|e| self.error(e))?;
        }
        if !self.context.ref_matches(target, source) {
            return Err(
                self.error("type mismatch: br_on_cast target is not a subtype of its source")
            );
        }
        // What the branch carries and what falls through.
        let difference = RefType::new(source.nullable && !target.nullable, source.heap);
        let (taken, kept) = match on_fail {
            false => (target, difference),
            true => (difference, target),
        };
        let types = self.label(depth)?.label_types();
        let Some((last, rest)) = types.split_last() else {
            return Err(self.error("type mismatch: br_on_cast needs a label with a value"));
        };
        if !self.context.matches(ValType::Ref(taken), *last) {
            return Err(self.error("type mismatch: br_on_cast's label does not fit"));
        }
        let reference = self.pop_operand(ValType::Ref(source))?;
        self.check_top(rest)?;
        let reference = self.settled(reference);
        self.push_at(ValType::Ref(taken), reference.loc);
        if self.emitting() {
            // The test's result decides the branch; the reference stays
            // where it is for the label.
            self.flush();
            let slot = self.slot_of(reference);
            let test = self.base + self.slots;
            self.max_slots = self.max_slots.max(self.slots + 1);
            let lanes = [
                test,
                slot,
                heap_lane(target.heap),
                u32::from(target.nullable),
            ];
            self.emit(handlers::ref_test, &lanes);
            let condition = Operand {
                ty: Some(ValType::I32),
                loc: Loc::Temp,
                home: test,
            };
            self.emit_branch_if(depth, condition, !on_fail);
        }
        self.pop_any()?;
        self.push_at(ValType::Ref(kept), reference.loc);
        Ok(())
    }

    pub(super) fn compile_br_on_cast(
        &mut self,
        flags: u8,
        depth: u32,
        from: HeapType,
        to: HeapType,
    ) -> Result<(), Failure> {
        self.compile_br_on_cast_either(flags, depth, from, to, false)
    }

    pub(super) fn compile_br_on_cast_fail(
        &mut self,
        flags: u8,
        depth: u32,
        from: HeapType,
        to: HeapType,
    ) -> Result<(), Failure> {
        self.compile_br_on_cast_either(flags, depth, from, to, true)
    }

    /// `any.convert_extern` and `extern.convert_any`: the word stays, the
    /// hierarchy changes (nullability kept).
    fn compile_convert(&mut self, from: HeapType, to: HeapType) -> Result<(), Failure> {
        let operand = self.pop_operand(ValType::Ref(RefType::new(true, from)))?;
        let nullable = match operand.ty {
            Some(ValType::Ref(r)) => r.nullable,
            _ => true,
        };
        let ty = ValType::Ref(RefType::new(nullable, to));
        if self.emitting() {
            self.flush();
            let src = self.slot_of(operand);
            let dst = self.base + self.slots;
            self.emit(handlers::any_convert_extern, &[dst, src]);
        }
        self.push_operand(ty);
        Ok(())
    }

    pub(super) fn compile_any_convert_extern(&mut self) -> Result<(), Failure> {
        self.compile_convert(HeapType::Extern, HeapType::Any)
    }

    pub(super) fn compile_extern_convert_any(&mut self) -> Result<(), Failure> {
        self.compile_convert(HeapType::Any, HeapType::Extern)
    }
}
