//! Function body validation and translation, in one pass.
//!
//! This is the spec's validation algorithm (an operand stack of types and a
//! stack of control frames, with stack-polymorphic code after `unreachable`,
//! `br` and `return`). Each operand also records where its value is
//! ([`Loc`]): still in a local, a constant, in its home slot (the frame slot
//! of its stack position), or in the accumulator. `local.get` and constants
//! emit nothing; the instruction that uses them reads the local's slot or an
//! immediate lane. The last instruction emitted is kept *staged* until the
//! next one shows where its result should go: into the accumulator when the
//! next instruction reads it from there, straight into a local for a
//! following `local.set`, fused into a compare-and-branch for `br_if`/`if`,
//! or else into its home slot.
//!
//! Invariants that keep this sound:
//! - at most one operand is in the accumulator (the staged instruction's
//!   result), and anything else emitted first commits the staged instruction;
//! - when a control frame opens, no operand still refers to a local (each is
//!   copied to its home), so a `local.set` only has to look at the innermost
//!   frame's operands;
//! - a label's values live in the home slots of their stack positions; every
//!   branch copies them there.

mod objects;

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{func_ref_type, Fusions, ModuleContext, ValidationError};
use crate::binary::{
    BlockType, BrTable, Catch, DecodeError, FunctionBody, MemArg, Opcode, Proposal, Reader,
};
use crate::exec::dispatch::{Cell, Handler};
use crate::exec::handlers::{
    self, branch_forms, folds_into_address, general_access, is_commutative, row_forms,
    runtime_handler,
};
use crate::exec::semantics;
use crate::ir::{CatchTarget, CompiledFunc, Encoder, TryHandler};
use crate::types::{FuncType, HeapType, RefType, ValType};

/// Most locals one function may declare. Beyond the spec's limit, this keeps
/// a hostile module from asking for a frame of billions of slots.
const MAX_LOCALS: u64 = 50_000;

/// A validation error on the validator's hot paths: boxed, so that every
/// `Result` they return fits in registers.
pub(super) type Failure = Box<ValidationError>;

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Failure {
        Box::new(e.into())
    }
}

/// A block's parameter and result types.
type BlockSignature<'m> = (&'m [ValType], &'m [ValType]);

/// Where an operand's value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Loc {
    /// In its home slot.
    Temp,
    /// Still in the local at this slot.
    Local(u32),
    /// A constant (slot bits).
    Const(u64),
    /// In the accumulator: the staged instruction's result.
    Acc,
}

/// One entry of the operand stack.
#[derive(Clone, Copy, Debug)]
pub(super) struct Operand {
    /// `None` is the spec's unknown type in unreachable code.
    ty: Option<ValType>,
    loc: Loc,
    /// The frame slot of this stack position.
    home: u32,
}

impl Operand {
    fn slots(&self) -> u32 {
        self.ty.map_or(1, |t| t.slots())
    }
}

/// The operand kinds of a handler form (`s`lot, `a`ccumulator, `i`mmediate
/// letters, as in `opcodes.toml`), numbered as the generated tables key them.
#[derive(Clone, Copy, Default)]
struct FormKey(u16);

impl FormKey {
    fn bits(letter: u8) -> u16 {
        match letter {
            b's' => 1,
            b'a' => 2,
            b'i' => 3,
            b'x' => 4,
            _ => 5,
        }
    }

    fn of(letters: &[u8]) -> FormKey {
        FormKey(letters.iter().fold(0, |code, l| code * 8 + Self::bits(*l)))
    }

    /// The key of a form without a result.
    fn no_result(self) -> u16 {
        self.0 * 8
    }

    /// The key of this form with its result in a slot or the accumulator.
    fn with_result(self, letter: u8) -> u16 {
        self.0 * 8 + Self::bits(letter)
    }
}

/// Looks `key` up among a row's forms.
fn find(forms: &'static [(u16, Handler)], key: u16) -> Option<Handler> {
    forms.iter().find(|(k, _)| *k == key).map(|(_, h)| *h)
}

/// Most lanes an instruction takes besides its result slot.
const MAX_LANES: usize = 8;

/// Most operands a generated row takes (`i64.add128` takes four).
const MAX_OPERANDS: usize = 4;

/// The instruction whose result goes to the accumulator or a slot, decided
/// by the next one.
struct Staged {
    /// Handler writing the result to a slot (its first lane).
    to_slot: Handler,
    /// Handler leaving the result in the accumulator.
    to_acc: Handler,
    lanes: [u32; MAX_LANES],
    len: usize,
    /// The result's home slot.
    home: u32,
    /// Wasm offset of the instruction.
    offset: u32,
    /// For a generated row: the row and its operand form, to fuse with a
    /// following branch (compares) or memory access (`i32.add`).
    row: Option<(Opcode, FormKey)>,
}

/// Why a control frame was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Function,
    Block,
    Loop,
    If,
    Else,
    TryTable,
}

/// How a load or store compiles, from its memarg and its memory's type.
pub(super) struct MemoryAccess {
    /// The address operand's type: the memory's index type.
    pub(super) address: ValType,
    /// Whether the access needs the general handler (a memory other than
    /// memory 0, or 64-bit addressing) instead of the fast forms.
    pub(super) general: bool,
    /// The general handler's memarg lanes: memory, offset low and high
    /// halves, and whether the address is 64-bit.
    pub(super) lanes: [u32; 4],
}

/// A branch lane waiting for its label's address: (instruction, lane).
type Fixup = (u32, usize);

struct ControlFrame<'m> {
    kind: FrameKind,
    params: &'m [ValType],
    results: &'m [ValType],
    /// Operand stack length when the frame was entered (below its parameters).
    height: usize,
    /// Operand slots at that point.
    slot_height: u32,
    /// The rest of the block is unreachable.
    unreachable: bool,
    /// For loops: the word branches jump back to.
    loop_start: u32,
    /// Branches to the end of this frame, patched at `end`.
    fixups: Vec<Fixup>,
    /// For `if`: the branch that skips to `else` or `end`.
    else_fixup: Option<Fixup>,
    /// Length of the initialisation log when the frame was entered: locals
    /// set inside the frame count as unset again after it.
    init_height: usize,
    /// For a translated `try_table`: its catch clauses, and where its body's
    /// code starts (the range ends at its `end`).
    try_handler: Option<(u32, Box<[CatchTarget]>)>,
}

impl<'m> ControlFrame<'m> {
    /// The types a branch to this frame carries.
    fn label_types(&self) -> &'m [ValType] {
        if self.kind == FrameKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// Validates one function body and, when `TRANSLATE`, compiles it. The
/// eager validation of a whole module runs with `TRANSLATE` off, so the
/// compiler drops every bit of translation bookkeeping from that pass.
pub(crate) struct FuncValidator<'m, const TRANSLATE: bool> {
    context: &'m ModuleContext,
    locals: Vec<ValType>,
    /// Frame slot of each local.
    local_slots: Vec<u32>,
    /// Slots taken by parameters and locals: the first temporary's slot.
    base: u32,
    operands: Vec<Operand>,
    /// Slots taken by the operands (meaningful in reachable code).
    slots: u32,
    max_slots: u32,
    /// Operands that still refer to a local.
    lazy_locals: usize,
    /// Operands that still refer to each local slot.
    local_refs: Vec<u32>,
    /// An operand is in the accumulator (the staged instruction's result).
    acc_live: bool,
    controls: Vec<ControlFrame<'m>>,
    code: Encoder,
    staged: Option<Staged>,
    /// Byte offset of the instruction being validated.
    offset: usize,
    /// The `consume_fuel` instruction paying for the current segment.
    fuel_op: Option<u32>,
    /// Whether each local holds a value: always, except for a local of a
    /// non-nullable reference type before its first `local.set`/`tee`.
    /// Empty when every local has a default value.
    local_set: Vec<bool>,
    /// Non-defaultable locals set so far, innermost last (unset again at
    /// the end of the frame they were set in).
    init_log: Vec<u32>,
    /// The `try_table` bodies translated so far, innermost first.
    handlers: Vec<TryHandler>,
    /// Slots of the locals that may hold heap references (GC).
    ref_locals: Vec<u32>,
    /// The stack maps recorded so far.
    maps: objects::MapBuilder,
}

opcodes_macro::validator!("opcodes.toml");

impl<'m, const TRANSLATE: bool> FuncValidator<'m, TRANSLATE> {
    /// Validates the body of defined function `func_index` and, if
    /// `TRANSLATE`, compiles it (else the code returned is empty).
    pub(crate) fn compile(
        context: &'m ModuleContext,
        module: &'m crate::binary::Module,
        func_index: u32,
        body: &FunctionBody,
    ) -> Result<CompiledFunc, ValidationError> {
        let ty = context.func_type_of(func_index);
        let mut locals: Vec<ValType> = ty.params().to_vec();
        let declared: u64 = body.locals.iter().map(|(n, _)| u64::from(*n)).sum();
        if declared > MAX_LOCALS {
            return Err(ValidationError::new(body.code.start, "too many locals"));
        }
        for (count, ty) in &body.locals {
            locals.extend(core::iter::repeat_n(*ty, *count as usize));
        }
        let mut local_slots = Vec::with_capacity(locals.len());
        let mut next = 0u32;
        for ty in &locals {
            local_slots.push(next);
            next += ty.slots();
        }
        let param_slots = ty.param_slots();
        let mut validator = FuncValidator::<TRANSLATE> {
            context,
            locals,
            local_slots,
            base: next,
            operands: Vec::new(),
            slots: 0,
            max_slots: 0,
            lazy_locals: 0,
            // Only translation tracks operands that read locals.
            local_refs: match TRANSLATE {
                true => alloc::vec![0; next as usize],
                false => Vec::new(),
            },
            acc_live: false,
            controls: Vec::new(),
            code: Encoder::default(),
            staged: None,
            offset: body.code.start,
            fuel_op: None,
            local_set: Vec::new(),
            init_log: Vec::new(),
            handlers: Vec::new(),
            ref_locals: Vec::new(),
            maps: objects::MapBuilder::default(),
        };
        if TRANSLATE && context.holds_refs {
            validator.ref_locals = (validator.locals.iter().zip(&validator.local_slots))
                .filter(|(ty, _)| context.may_hold_object(**ty))
                .map(|(_, slot)| *slot)
                .collect();
        }
        let mut all_defaultable = true;
        for (_, local) in &body.locals {
            if let Err(e) = context.check_valtype(*local) {
                return Err(ValidationError::new(body.code.start, e));
            }
            all_defaultable &= local.is_defaultable();
        }
        // Tracked only when some local starts without a value.
        if !all_defaultable {
            let params = ty.params().len();
            validator.local_set = (validator.locals.iter().enumerate())
                .map(|(i, local)| i < params || local.is_defaultable())
                .collect();
        }
        validator.controls.push(ControlFrame {
            kind: FrameKind::Function,
            params: &[],
            results: ty.results(),
            height: 0,
            slot_height: 0,
            unreachable: false,
            loop_start: 0,
            fixups: Vec::new(),
            else_fixup: None,
            init_height: 0,
            try_handler: None,
        });
        validator.check_interrupt();
        validator.begin_fuel_segment();
        let bytes = &module.bytes[body.code.clone()];
        let mut reader = Reader::with_base(bytes, body.code.start);
        let trace = context.instrumentation.trace && TRANSLATE;
        while !reader.is_empty() {
            if validator.controls.is_empty() {
                return Err(ValidationError::new(
                    reader.offset(),
                    "operators remaining after end of function",
                ));
            }
            validator.offset = reader.offset();
            validator.charge_fuel();
            if trace {
                let defined = func_index - context.imported_funcs;
                validator.emit(handlers::trace, &[defined]);
            }
            validator.validate_next(&mut reader).map_err(|e| *e)?;
        }
        if !validator.controls.is_empty() {
            return Err(ValidationError::new(reader.offset(), "END opcode expected"));
        }
        let (code, offsets) = validator.code.finish();
        let maps = validator.maps;
        Ok(CompiledFunc {
            func_index,
            code,
            offsets,
            stack_maps: crate::ir::StackMaps {
                allocations: maps.allocations.into_boxed_slice(),
                calls: maps.calls.into_boxed_slice(),
                slots: maps.slots.into_boxed_slice(),
            },
            handlers: validator.handlers.into_boxed_slice(),
            param_slots,
            local_slots: next - param_slots,
            // A tail call to a host function leaves its results at slot 0
            // without their ever being operands here: room for them too.
            frame_slots: (next + validator.max_slots).max(ty.result_slots()),
        })
    }

    #[cold]
    #[inline(never)]
    fn error(&self, message: &str) -> Failure {
        Box::new(ValidationError::new(self.offset, message))
    }

    // ---- the operand and control stacks (the spec's appendix algorithm) ----

    #[inline]
    fn top_frame(&self) -> &ControlFrame<'m> {
        self.controls
            .last()
            .expect("checked before each instruction")
    }

    fn is_reachable(&self) -> bool {
        self.controls.last().is_some_and(|f| !f.unreachable)
    }

    /// Whether code is being emitted here: translating, and reachable.
    fn emitting(&self) -> bool {
        TRANSLATE && self.is_reachable()
    }

    /// Pushes an operand whose value is at `loc`.
    #[inline]
    fn push_at(&mut self, ty: ValType, loc: Loc) {
        let home = self.base + self.slots;
        match loc {
            Loc::Local(slot) => {
                self.lazy_locals += 1;
                self.local_refs[slot as usize] += 1;
            }
            Loc::Acc => self.acc_live = true,
            Loc::Temp | Loc::Const(_) => {}
        }
        self.operands.push(Operand {
            ty: Some(ty),
            loc,
            home,
        });
        self.slots += ty.slots();
        self.max_slots = self.max_slots.max(self.slots);
    }

    /// Pushes an operand of type `ty` in its home slot.
    pub(super) fn push_operand(&mut self, ty: ValType) {
        self.push_at(ty, Loc::Temp);
    }

    /// Pushes a constant (`t.const`): no code, the users read it as an operand.
    pub(super) fn push_const(&mut self, ty: ValType, bits: u64) {
        self.push_at(ty, Loc::Const(bits));
    }

    fn push_unknown(&mut self, ty: Option<ValType>) {
        match ty {
            Some(ty) => self.push_operand(ty),
            None => self.operands.push(Operand {
                ty: None,
                loc: Loc::Temp,
                home: self.base + self.slots,
            }),
        }
    }

    /// Pops any operand; an unknown type means unreachable code.
    #[inline(always)]
    fn pop_any(&mut self) -> Result<Operand, Failure> {
        if self.operands.len() > self.top_frame().height {
            if let Some(operand) = self.operands.pop() {
                if let Some(ty) = operand.ty {
                    self.slots -= ty.slots();
                }
                self.forget(operand.loc);
                return Ok(operand);
            }
        }
        self.pop_at_frame_bottom()
    }

    /// Pops at the current frame's bottom: an unknown operand in
    /// unreachable code, else a type error.
    #[cold]
    #[inline(never)]
    fn pop_at_frame_bottom(&self) -> Result<Operand, Failure> {
        if self.top_frame().unreachable {
            return Ok(Operand {
                ty: None,
                loc: Loc::Temp,
                home: self.base + self.slots,
            });
        }
        Err(self.error("type mismatch: operand stack is empty"))
    }

    /// Pops an operand that must have type `expected`.
    #[inline(always)]
    pub(super) fn pop_operand(&mut self, expected: ValType) -> Result<Operand, Failure> {
        let operand = self.pop_any()?;
        match operand.ty {
            Some(actual) if !self.context.matches(actual, expected) => {
                Err(self.mismatch(expected, actual))
            }
            _ => Ok(operand),
        }
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, expected: ValType, actual: ValType) -> Failure {
        Box::new(ValidationError::new(
            self.offset,
            alloc::format!("type mismatch: expected {expected}, found {actual}"),
        ))
    }

    fn pop_operands(&mut self, types: &[ValType]) -> Result<Vec<Operand>, Failure> {
        let mut popped = Vec::with_capacity(types.len());
        for ty in types.iter().rev() {
            popped.push(self.pop_operand(*ty)?);
        }
        popped.reverse();
        Ok(popped)
    }

    /// Pops operands of `types` (the last on top), checking only their types.
    fn pop_types(&mut self, types: &[ValType]) -> Result<(), Failure> {
        for ty in types.iter().rev() {
            self.pop_operand(*ty)?;
        }
        Ok(())
    }

    fn push_operands(&mut self, types: &[ValType]) {
        for ty in types {
            self.push_operand(*ty);
        }
    }

    /// Checks the top operands against `types` without changing the stack
    /// (as popping and pushing them back would, for each `br_table` label).
    fn check_top_readonly(&self, types: &[ValType]) -> Result<(), Failure> {
        let frame = self.top_frame();
        let available = self.operands.len() - frame.height;
        for (i, expected) in types.iter().rev().enumerate() {
            if i >= available {
                if frame.unreachable {
                    return Ok(());
                }
                return Err(self.error("type mismatch: operand stack is empty"));
            }
            match self.operands[self.operands.len() - 1 - i].ty {
                Some(actual) if !self.context.matches(actual, *expected) => {
                    return Err(self.mismatch(*expected, actual))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks the top operands against `types` and puts them back, where
    /// they were (an unknown type becomes the expected one).
    fn check_top(&mut self, types: &[ValType]) -> Result<(), Failure> {
        // Usually the values are there with their types: nothing changes.
        let len = self.operands.len();
        if len - self.top_frame().height >= types.len()
            && self.operands[len - types.len()..]
                .iter()
                .zip(types)
                .all(|(operand, ty)| operand.ty == Some(*ty))
        {
            return Ok(());
        }
        let popped = self.pop_operands(types)?;
        for (operand, ty) in popped.iter().zip(types) {
            match operand.ty {
                Some(_) => self.push_at(*ty, operand.loc),
                None => self.push_operand(*ty),
            }
        }
        Ok(())
    }

    /// Marks the rest of the current block unreachable.
    pub(super) fn set_unreachable(&mut self) {
        self.flush();
        let frame = self
            .controls
            .last_mut()
            .expect("checked before each instruction");
        let height = frame.height;
        let slot_height = frame.slot_height;
        frame.unreachable = true;
        for index in height..self.operands.len() {
            self.forget(self.operands[index].loc);
        }
        self.operands.truncate(height);
        self.slots = slot_height;
    }

    /// Opens a frame whose parameters are already on the operand stack.
    fn push_control(&mut self, kind: FrameKind, params: &'m [ValType], results: &'m [ValType]) {
        let param_slots: u32 = params.iter().map(|t| t.slots()).sum();
        self.controls.push(ControlFrame {
            kind,
            height: self.operands.len() - params.len(),
            slot_height: self.slots - param_slots,
            unreachable: false,
            loop_start: self.code.len(),
            fixups: Vec::new(),
            else_fixup: None,
            init_height: self.init_log.len(),
            try_handler: None,
            params,
            results,
        });
    }

    fn pop_control(&mut self) -> Result<ControlFrame<'m>, Failure> {
        let results = self.top_frame().results;
        for ty in results.iter().rev() {
            self.pop_operand(*ty)?;
        }
        let frame = self.top_frame();
        if self.operands.len() != frame.height {
            return Err(self.error("type mismatch: values remain at the end of a block"));
        }
        let frame = self.controls.pop().expect("top_frame succeeded");
        self.unset_locals_since(frame.init_height);
        Ok(frame)
    }

    /// Forgets the initialisation of the locals set since the log had
    /// `height` entries.
    fn unset_locals_since(&mut self, height: usize) {
        for local in self.init_log.drain(height..) {
            self.local_set[local as usize] = false;
        }
    }

    fn block_signature(&self, blocktype: BlockType) -> Result<BlockSignature<'m>, Failure> {
        let context: &'m ModuleContext = self.context;
        match blocktype {
            BlockType::Empty => Ok((&[], &[])),
            BlockType::Value(ty) => {
                context.check_valtype(ty).map_err(|e| self.error(e))?;
                Ok((&[], context.one(ty)))
            }
            BlockType::Type(index) => {
                let ty = context
                    .func_type(index)
                    .ok_or_else(|| self.error("unknown type"))?;
                Ok((ty.params(), ty.results()))
            }
        }
    }

    fn label(&self, depth: u32) -> Result<&ControlFrame<'m>, Failure> {
        let index = (self.controls.len() as u64)
            .checked_sub(u64::from(depth) + 1)
            .ok_or_else(|| self.error("unknown label"))?;
        Ok(&self.controls[index as usize])
    }

    // ---- emitting code ----

    /// Appends an instruction as it is, after the staged one if any.
    fn emit(&mut self, handler: Handler, lanes: &[u32]) -> u32 {
        self.flush();
        self.code.emit(handler, lanes, self.offset as u32)
    }

    /// Appends an instruction before the staged one is committed. Only for
    /// copies into home slots of operands still on the stack after the
    /// staged instruction's result was popped: those lie below every slot
    /// the staged instruction reads.
    fn emit_before_staged(&mut self, handler: Handler, lanes: &[u32]) -> u32 {
        self.code.emit(handler, lanes, self.offset as u32)
    }

    /// Commits the staged instruction, its result to the accumulator (when
    /// the next instruction reads it there) or to its home slot.
    fn commit(&mut self, to_acc: bool) {
        let Some(staged) = self.staged.take() else {
            return;
        };
        if to_acc {
            self.code
                .emit(staged.to_acc, &staged.lanes[..staged.len], staged.offset);
        } else {
            self.commit_to(staged, None);
        }
    }

    /// Commits `staged` with its result in `slot` (its home if `None`).
    fn commit_to(&mut self, staged: Staged, slot: Option<u32>) {
        let mut lanes = [0u32; MAX_LANES + 1];
        lanes[0] = slot.unwrap_or(staged.home);
        lanes[1..=staged.len].copy_from_slice(&staged.lanes[..staged.len]);
        self.code
            .emit(staged.to_slot, &lanes[..=staged.len], staged.offset);
        if slot.is_none() && self.acc_live {
            if let Some(operand) = self.operands.iter_mut().rev().find(|o| o.loc == Loc::Acc) {
                operand.loc = Loc::Temp;
            }
            self.acc_live = false;
        }
    }

    /// Commits the staged instruction with its result in its home slot.
    fn flush(&mut self) {
        self.commit(false);
    }

    /// Stages an instruction whose result takes the next home slot.
    fn stage(
        &mut self,
        ty: ValType,
        to_slot: Handler,
        to_acc: Handler,
        lanes: &[u32],
        row: Option<(Opcode, FormKey)>,
    ) {
        debug_assert!(self.staged.is_none());
        let mut staged = Staged {
            to_slot,
            to_acc,
            lanes: [0; MAX_LANES],
            len: lanes.len(),
            home: self.base + self.slots,
            offset: self.offset as u32,
            row,
        };
        staged.lanes[..lanes.len()].copy_from_slice(lanes);
        self.staged = Some(staged);
        self.push_at(ty, Loc::Acc);
    }

    /// Copies a value of type `ty` at `loc` into slot `dst` (nothing if it is there).
    fn copy_into(&mut self, dst: u32, ty: ValType, loc: Loc, home: u32, before_staged: bool) {
        let (handler, lanes, len): (Handler, [u32; 3], usize) = match loc {
            Loc::Temp | Loc::Acc if home == dst => return,
            Loc::Local(slot) if slot == dst => return,
            Loc::Temp | Loc::Acc => (handlers::copy_handler(ty), [dst, home, 0], 2),
            Loc::Local(slot) => (handlers::copy_handler(ty), [dst, slot, 0], 2),
            Loc::Const(bits) if bits >> 32 == 0 => (handlers::copy_imm32, [dst, bits as u32, 0], 2),
            Loc::Const(bits) => (
                handlers::copy_imm64,
                [dst, bits as u32, (bits >> 32) as u32],
                3,
            ),
        };
        if before_staged {
            self.emit_before_staged(handler, &lanes[..len]);
        } else {
            self.emit(handler, &lanes[..len]);
        }
    }

    /// The slot holding a popped operand, storing it in its home slot first
    /// if it is a constant. Call after committing the staged instruction
    /// (an accumulator operand must have been flushed to its home).
    fn slot_of(&mut self, operand: Operand) -> u32 {
        match operand.loc {
            Loc::Local(slot) => slot,
            Loc::Temp | Loc::Acc => operand.home,
            Loc::Const(_) => {
                let ty = operand.ty.unwrap_or(ValType::I64);
                self.copy_into(operand.home, ty, operand.loc, operand.home, false);
                operand.home
            }
        }
    }

    /// Moves stack operand `index` into its home slot.
    fn materialize(&mut self, index: usize) {
        let operand = self.operands[index];
        match operand.loc {
            Loc::Temp => return,
            Loc::Acc => {
                self.flush();
                return;
            }
            Loc::Local(_) => self.forget(operand.loc),
            Loc::Const(_) => {}
        }
        let ty = operand.ty.unwrap_or(ValType::I64);
        let before_staged = !self.acc_on_stack();
        self.copy_into(operand.home, ty, operand.loc, operand.home, before_staged);
        self.operands[index].loc = Loc::Temp;
    }

    fn acc_on_stack(&self) -> bool {
        self.staged.is_some() && self.acc_live
    }

    /// Counts an operand at `loc` off the stack.
    fn forget(&mut self, loc: Loc) {
        match loc {
            Loc::Local(slot) => {
                self.lazy_locals -= 1;
                self.local_refs[slot as usize] -= 1;
            }
            Loc::Acc => self.acc_live = false,
            Loc::Temp | Loc::Const(_) => {}
        }
    }

    /// Before a control frame opens: no operand may refer to a local, and
    /// the top `params` operands (if `params_home`) must be in their homes.
    fn settle_for_block(&mut self, params: usize, params_home: bool) {
        if self.acc_on_stack() {
            self.flush();
        }
        // From the top down, stopping at the last one: every operand below
        // the innermost frame was settled when that frame opened, so the
        // work stays linear in the code.
        let mut index = self.operands.len();
        while self.lazy_locals > 0 && index > 0 {
            index -= 1;
            if matches!(self.operands[index].loc, Loc::Local(_)) {
                self.materialize(index);
            }
        }
        if params_home {
            let len = self.operands.len();
            for index in len - params..len {
                self.materialize(index);
            }
        }
    }

    /// Before `local` (at `slot`) changes: operands still reading it get
    /// their own copy.
    fn preserve_local(&mut self, slot: u32) {
        // From the top down, stopping at the last one.
        let mut index = self.operands.len();
        while self.local_refs[slot as usize] > 0 && index > 0 {
            index -= 1;
            if self.operands[index].loc == Loc::Local(slot) {
                self.materialize(index);
            }
        }
    }

    /// Emits a generated row: picks the handler form for where its operands
    /// are, stages it when its one result can go to the accumulator, and
    /// pushes the results (several go to consecutive slots).
    pub(super) fn emit_row(
        &mut self,
        opcode: Opcode,
        operands: &[Operand],
        imms: &[u32],
        results: &[ValType],
    ) -> Result<(), Failure> {
        if !self.emitting() {
            self.push_operands(results);
            return Ok(());
        }
        let forms = row_forms(opcode);
        if forms.is_empty() {
            // `nop`.
            return Ok(());
        }
        let count = operands.len();
        let mut ops = [Operand {
            ty: None,
            loc: Loc::Temp,
            home: 0,
        }; MAX_OPERANDS];
        ops[..count].copy_from_slice(operands);
        let ops = &mut ops[..count];
        // The kind each operand would like: where it already is.
        let mut kinds = [b's'; MAX_OPERANDS];
        for (kind, operand) in kinds.iter_mut().zip(ops.iter()) {
            *kind = match operand.loc {
                Loc::Temp | Loc::Local(_) => b's',
                Loc::Acc => b'a',
                Loc::Const(bits) if fits_imm(operand.ty, bits) => b'i',
                Loc::Const(_) => b's',
            };
        }
        let kinds = &mut kinds[..count];
        // An address computed by a staged `i32.add` of an immediate folds
        // into the access: `x` (slot plus immediate) or `y` (accumulator
        // plus immediate), if the row has that form.
        let mut address_sum = None;
        let no_address = self.context.disabled_fusions.contains(Fusions::ADDRESS);
        if let (Some(staged), Some(first), false) = (&self.staged, ops.first(), no_address) {
            match (first.loc, staged.row) {
                (Loc::Acc, Some((row, key))) if folds_into_address(row) => {
                    // A slot above the address's own home could be overwritten
                    // by a constant stored for a later operand before the access.
                    let slot = staged.lanes[0];
                    if key.0 == FormKey::of(b"si").0 && (slot < self.base || slot == first.home) {
                        address_sum = Some((b'x', [slot, staged.lanes[1]], 2));
                    } else if key.0 == FormKey::of(b"ai").0 {
                        address_sum = Some((b'y', [slot, 0], 1));
                    }
                }
                _ => {}
            }
        }
        let has = |key: FormKey| match results {
            [] => find(forms, key.no_result()).is_some(),
            _ => {
                find(forms, key.with_result(b's')).is_some()
                    || find(forms, key.with_result(b'a')).is_some()
            }
        };
        if let Some((kind, _, _)) = address_sum {
            kinds[0] = kind;
            if !has(FormKey::of(kinds)) {
                kinds[0] = b'a';
                address_sum = None;
            }
        }
        loop {
            if has(FormKey::of(kinds)) {
                break;
            }
            if count == 2 && is_commutative(opcode) {
                let swapped = [kinds[1], kinds[0]];
                if has(FormKey::of(&swapped)) {
                    kinds.swap(0, 1);
                    ops.swap(0, 1);
                    break;
                }
            }
            // Fall back to slots: immediates first, then the accumulator.
            if let Some(k) = kinds.iter_mut().find(|k| **k == b'i') {
                *k = b's';
            } else if let Some(k) = kinds.iter_mut().find(|k| **k == b'a') {
                *k = b's';
            } else {
                unreachable!("every row has an all-slot form")
            }
        }
        let key = FormKey::of(kinds);
        if address_sum.is_some() {
            // The `i32.add` is done by this access.
            self.staged = None;
        } else {
            self.commit(kinds.contains(&b'a'));
        }
        let mut lanes = [0u32; MAX_LANES];
        let mut len = 0;
        for (operand, kind) in ops.iter().zip(kinds.iter()) {
            match kind {
                b's' => {
                    lanes[len] = self.slot_of(*operand);
                    len += 1;
                }
                b'i' => {
                    let Loc::Const(bits) = operand.loc else {
                        unreachable!("only constants are immediates")
                    };
                    lanes[len] = bits as u32;
                    len += 1;
                }
                b'x' | b'y' => {
                    let (_, sum, n) = address_sum.expect("chosen above");
                    lanes[len..len + n].copy_from_slice(&sum[..n]);
                    len += n;
                }
                _ => {}
            }
        }
        lanes[len..len + imms.len()].copy_from_slice(imms);
        len += imms.len();
        if results.is_empty() {
            let handler = find(forms, key.no_result()).expect("form checked above");
            self.emit(handler, &lanes[..len]);
            return Ok(());
        }
        let to_slot = find(forms, key.with_result(b's'));
        let to_acc = match self.context.disabled_fusions.contains(Fusions::ACC) {
            true => None,
            false => find(forms, key.with_result(b'a')),
        };
        match (to_acc, results) {
            (Some(to_acc), [ty]) => {
                let row = Some((opcode, key));
                let to_slot =
                    to_slot.expect("a row with an accumulator result also has a slot one");
                self.stage(*ty, to_slot, to_acc, &lanes[..len], row);
            }
            _ => {
                // The results' homes: the first one's slot, the rest after it.
                let home = self.base + self.slots;
                let mut with_dst = [0u32; MAX_LANES + 1];
                with_dst[0] = home;
                with_dst[1..=len].copy_from_slice(&lanes[..len]);
                let handler = to_slot.expect("form checked above");
                self.emit(handler, &with_dst[..=len]);
                self.push_operands(results);
            }
        }
        Ok(())
    }

    /// Emits a hand-written `runtime` row: operands in slots, the result (if
    /// any) in its home slot; lanes are the result slot, the operand slots
    /// and `imms`.
    fn emit_runtime(
        &mut self,
        opcode: Opcode,
        operands: &[Operand],
        imms: &[u32],
        result: Option<ValType>,
    ) {
        let handler = runtime_handler(opcode).expect("a runtime row");
        self.emit_slots(handler, operands, imms, result);
    }

    /// Emits a load or store through its general handler (any memory, any
    /// address width), operands in slots.
    pub(super) fn emit_general_access(
        &mut self,
        opcode: Opcode,
        operands: &[Operand],
        imms: &[u32],
        result: Option<ValType>,
    ) {
        let handler = general_access(opcode).expect("a load or store row");
        self.emit_slots(handler, operands, imms, result);
    }

    /// Emits `handler` with the result slot (if any), then the operands'
    /// slots, then `imms`, and pushes the result.
    fn emit_slots(
        &mut self,
        handler: Handler,
        operands: &[Operand],
        imms: &[u32],
        result: Option<ValType>,
    ) {
        if !self.emitting() {
            if let Some(ty) = result {
                self.push_operand(ty);
            }
            return;
        }
        self.flush();
        let mut lanes: Vec<u32> = Vec::with_capacity(1 + operands.len() + imms.len());
        if result.is_some() {
            lanes.push(self.base + self.slots);
        }
        for operand in operands {
            let slot = self.slot_of(*operand);
            lanes.push(slot);
        }
        lanes.extend_from_slice(imms);
        self.emit(handler, &lanes);
        if let Some(ty) = result {
            self.push_operand(ty);
        }
    }

    // ---- branches ----

    /// Home slot of the first value a branch to frame `index` carries.
    fn label_home(&self, index: usize) -> u32 {
        self.base + self.controls[index].slot_height
    }

    /// Whether the top operands are already where a branch to frame `index`
    /// must leave its values.
    fn values_in_place(&self, index: usize) -> bool {
        let count = self.controls[index].label_types().len();
        let mut dst = self.label_home(index);
        let values = &self.operands[self.operands.len() - count..];
        values.iter().all(|o| {
            let here = o.loc == Loc::Temp && o.home == dst;
            dst += o.slots();
            here
        })
    }

    /// Copies the top operands to where a branch to frame `index` expects
    /// them, without changing the operand stack (the code may fall through).
    fn copy_values_to_label(&mut self, index: usize) {
        let types = self.controls[index].label_types();
        let mut dst = self.label_home(index);
        let first = self.operands.len() - types.len();
        for (i, ty) in types.iter().enumerate() {
            let operand = self.operands[first + i];
            self.copy_into(dst, *ty, operand.loc, operand.home, false);
            dst += ty.slots();
        }
    }

    /// Makes the branch lane `(start, lane)` jump to frame `index`'s label.
    fn link(&mut self, index: usize, fixup: Fixup) {
        let frame = &mut self.controls[index];
        if frame.kind == FrameKind::Loop {
            let target = frame.loop_start;
            self.code.patch_branch(fixup.0, fixup.1, target);
        } else {
            frame.fixups.push(fixup);
        }
    }

    /// Emits a branch on `condition` (already popped), taken when it is
    /// non-zero (`when`) or zero; returns the lane to point at the target.
    fn emit_condition_branch(&mut self, condition: Operand, when: bool) -> Fixup {
        if condition.loc == Loc::Acc {
            let staged = self
                .staged
                .take()
                .expect("an accumulator operand is staged");
            let no_branch = self.context.disabled_fusions.contains(Fusions::BRANCH);
            if let (Some((opcode, key)), false) = (staged.row, no_branch) {
                let fused = branch_forms(opcode)
                    .iter()
                    .find(|(k, _, _)| *k == key.no_result())
                    .map(|(_, on_true, on_false)| if when { *on_true } else { *on_false });
                if let Some(handler) = fused {
                    let mut lanes = [0u32; MAX_LANES + 1];
                    lanes[..staged.len].copy_from_slice(&staged.lanes[..staged.len]);
                    let start = self
                        .code
                        .emit(handler, &lanes[..=staged.len], staged.offset);
                    return (start, staged.len);
                }
            }
            self.code
                .emit(staged.to_acc, &staged.lanes[..staged.len], staged.offset);
            let handler = if when {
                handlers::br_nez_a
            } else {
                handlers::br_eqz_a
            };
            return (self.emit(handler, &[0]), 0);
        }
        self.flush();
        let slot = self.slot_of(condition);
        let handler = if when {
            handlers::br_nez_s
        } else {
            handlers::br_eqz_s
        };
        (self.emit(handler, &[slot, 0]), 1)
    }

    /// Returns from the function with the top operands as results, without
    /// changing the operand stack.
    fn emit_return(&mut self) {
        let results = self.controls[0].results;
        let first = self.operands.len() - results.len();
        if let [ty] = results[..] {
            if ty != ValType::V128 {
                let operand = self.operands[first];
                if operand.loc == Loc::Acc && self.staged.is_some() {
                    self.commit(true);
                    self.emit(handlers::ret_a, &[]);
                    return;
                }
                self.flush();
                let slot = match operand.loc {
                    Loc::Local(slot) => slot,
                    Loc::Const(_) => {
                        self.copy_into(0, ty, operand.loc, operand.home, false);
                        0
                    }
                    Loc::Temp | Loc::Acc => operand.home,
                };
                self.emit(handlers::ret_s, &[slot]);
                return;
            }
        }
        self.flush();
        // Locals first go to their homes, so the copies into the first
        // slots below cannot overwrite a local that is still to be read.
        for i in first..self.operands.len() {
            let operand = self.operands[i];
            if let (Loc::Local(_), Some(ty)) = (operand.loc, operand.ty) {
                self.copy_into(operand.home, ty, operand.loc, operand.home, false);
            }
        }
        let mut dst = 0;
        for (i, ty) in results.iter().enumerate() {
            let operand = self.operands[first + i];
            let loc = match operand.loc {
                Loc::Local(_) => Loc::Temp,
                loc => loc,
            };
            self.copy_into(dst, *ty, loc, operand.home, false);
            dst += ty.slots();
        }
        self.emit(handlers::ret, &[]);
    }

    /// Emits an unconditional branch to label `depth` with the top operands.
    fn emit_branch(&mut self, depth: u32) {
        if !self.emitting() {
            return;
        }
        let index = self.controls.len() - 1 - depth as usize;
        if index == 0 {
            self.emit_return();
            return;
        }
        if self.acc_on_stack() {
            self.flush();
        }
        self.copy_values_to_label(index);
        let start = self.emit(handlers::br, &[0]);
        self.link(index, (start, 0));
    }

    // ---- instrumentation for untrusted code ----

    /// Starts a metering segment: code from here to the next segment start is
    /// straight-line, so one `consume_fuel` at its head pays for all of it.
    fn begin_fuel_segment(&mut self) {
        self.fuel_op = None;
        if self.context.instrumentation.fuel && self.emitting() {
            let start = self.emit(handlers::consume_fuel, &[0]);
            self.fuel_op = Some(start);
        }
    }

    /// Counts one wasm instruction against the current segment.
    fn charge_fuel(&mut self) {
        if let Some(start) = self.fuel_op {
            let amount = self.code.lane(start, 0).saturating_add(1);
            self.code.set_lane(start, 0, amount);
        }
    }

    /// Lets an interrupt stop the code here (function entry and loop headers,
    /// so every unbounded execution passes one).
    fn check_interrupt(&mut self) {
        if self.context.instrumentation.interrupts && self.emitting() {
            self.emit(handlers::check_interrupt, &[]);
        }
    }

    // ---- immediate checks called by the generated arms ----

    /// Checks a load's or store's memarg and says how to compile it.
    #[inline]
    pub(super) fn check_memarg(
        &self,
        memarg: &MemArg,
        natural_align: u32,
    ) -> Result<MemoryAccess, Failure> {
        let wide = self.memory_index_type(memarg.memory)? == ValType::I64;
        if memarg.align > natural_align {
            return Err(self.error("alignment must not be larger than natural"));
        }
        if !wide && memarg.offset > u64::from(u32::MAX) {
            return Err(self.error("offset out of range"));
        }
        Ok(MemoryAccess {
            address: if wide { ValType::I64 } else { ValType::I32 },
            general: memarg.memory != 0 || wide,
            lanes: [
                memarg.memory,
                memarg.offset as u32,
                (memarg.offset >> 32) as u32,
                u32::from(wide),
            ],
        })
    }

    /// The index type (`i32` or `i64`) of memory `index`, which must exist.
    #[inline]
    fn memory_index_type(&self, index: u32) -> Result<ValType, Failure> {
        match self.context.memories.get(index as usize) {
            Some(memory) => Ok(memory.index_type()),
            None => Err(self.error("unknown memory")),
        }
    }

    pub(super) fn check_elemidx(&self, index: u32) -> Result<(), Failure> {
        self.elem(index).map(|_| ())
    }

    pub(super) fn check_dataidx(&self, index: u32) -> Result<(), Failure> {
        let count = self
            .context
            .data_count
            .ok_or_else(|| self.error("data count section required"))?;
        if index < count {
            Ok(())
        } else {
            Err(self.error("unknown data segment"))
        }
    }

    #[allow(dead_code, reason = "used by lane instructions")]
    pub(super) fn check_lane(&self, lane: u8, lanes: u8) -> Result<(), Failure> {
        if lane < lanes {
            Ok(())
        } else {
            Err(self.error("invalid lane index"))
        }
    }

    #[allow(dead_code, reason = "used by i8x16.shuffle")]
    pub(super) fn check_shuffle(&self, lanes: &[u8; 16]) -> Result<(), Failure> {
        if lanes.iter().all(|&l| l < 32) {
            Ok(())
        } else {
            Err(self.error("invalid lane index"))
        }
    }

    fn table(&self, index: u32) -> Result<crate::types::TableType, Failure> {
        self.context
            .tables
            .get(index as usize)
            .copied()
            .ok_or_else(|| self.error("unknown table"))
    }

    fn elem(&self, index: u32) -> Result<RefType, Failure> {
        self.context
            .elem_types
            .get(index as usize)
            .copied()
            .ok_or_else(|| self.error("unknown elem segment"))
    }

    fn func_type(&self, index: u32) -> Result<&'m FuncType, Failure> {
        self.context
            .func_type(index)
            .ok_or_else(|| self.error("unknown type"))
    }
}

/// Whether a constant fits a 32-bit immediate lane for its type.
fn fits_imm(ty: Option<ValType>, bits: u64) -> bool {
    match ty {
        Some(ValType::I32 | ValType::F32) => true,
        Some(ValType::I64) => i64::from(bits as i32) == bits as i64,
        _ => false,
    }
}

/// `exec = "runtime"` rows: typing and translation.
impl<'m, const TRANSLATE: bool> FuncValidator<'m, TRANSLATE> {
    pub(super) fn compile_call(&mut self, funcidx: u32) -> Result<(), Failure> {
        if funcidx as usize >= self.context.func_types.len() {
            return Err(self.error("unknown function"));
        }
        let ty = self.context.func_type_of(funcidx);
        if !self.emitting() {
            self.pop_types(ty.params())?;
            self.push_operands(ty.results());
            return Ok(());
        }
        let args = self.pop_operands(ty.params())?;
        {
            let base = self.base + self.slots;
            self.place_args(&args);
            let imported = self.context.imported_funcs;
            if funcidx >= imported {
                self.emit(handlers::call_internal, &[funcidx - imported, base]);
            } else {
                self.emit(handlers::call, &[funcidx, base]);
            }
            self.note_safepoint(self.code.len(), true, &[]);
        }
        self.push_operands(ty.results());
        Ok(())
    }

    /// Puts call arguments (just popped) into their home slots, where the
    /// callee's frame will start.
    fn place_args(&mut self, args: &[Operand]) {
        self.flush();
        for arg in args {
            if let Some(ty) = arg.ty {
                self.copy_into(arg.home, ty, arg.loc, arg.home, false);
            }
        }
    }

    pub(super) fn compile_call_indirect(
        &mut self,
        typeidx: u32,
        tableidx: u32,
    ) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        if !self.context.ref_matches(table.element, RefType::FUNCREF) {
            return Err(self.error("type mismatch: call_indirect needs a funcref table"));
        }
        let ty = self.func_type(typeidx)?;
        let index = self.pop_operand(table.index_type())?;
        if !self.emitting() {
            self.pop_types(ty.params())?;
            self.push_operands(ty.results());
            return Ok(());
        }
        let args = self.pop_operands(ty.params())?;
        {
            let base = self.base + self.slots;
            self.place_args(&args);
            let index = self.slot_of(index);
            // A 64-bit table has its own handler: the 32-bit one stays as it was.
            let handler = match table.table64 {
                true => handlers::call_indirect64,
                false => handlers::call_indirect,
            };
            self.emit(handler, &[typeidx, tableidx, base, index]);
            self.note_safepoint(self.code.len(), true, &[]);
        }
        self.push_operands(ty.results());
        Ok(())
    }

    /// A tail call's callee must return exactly what this function returns.
    fn check_tail_results(&self, callee: &FuncType) -> Result<(), Failure> {
        let results = self.controls[0].results;
        let same_arity = callee.results().len() == results.len();
        let each = |(a, b): (&ValType, &ValType)| self.context.matches(*a, *b);
        if !same_arity || !callee.results().iter().zip(results).all(each) {
            return Err(self.error("type mismatch: tail call results differ from the function's"));
        }
        Ok(())
    }

    pub(super) fn compile_return_call(&mut self, funcidx: u32) -> Result<(), Failure> {
        if funcidx as usize >= self.context.func_types.len() {
            return Err(self.error("unknown function"));
        }
        let ty = self.context.func_type_of(funcidx);
        self.check_tail_results(ty)?;
        if !self.emitting() {
            return self.pop_types(ty.params());
        }
        let args = self.pop_operands(ty.params())?;
        let base = self.base + self.slots;
        self.place_args(&args);
        let imported = self.context.imported_funcs;
        if funcidx >= imported {
            self.emit(handlers::return_call_internal, &[funcidx - imported, base]);
        } else {
            self.emit(handlers::return_call, &[funcidx, base]);
        }
        // A host callee leaves the code and resumes here, its results
        // already where this function's go.
        self.emit(handlers::ret, &[]);
        Ok(())
    }

    pub(super) fn compile_return_call_indirect(
        &mut self,
        typeidx: u32,
        tableidx: u32,
    ) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        if !self.context.ref_matches(table.element, RefType::FUNCREF) {
            return Err(self.error("type mismatch: return_call_indirect needs a funcref table"));
        }
        let ty = self.func_type(typeidx)?;
        self.check_tail_results(ty)?;
        let index = self.pop_operand(table.index_type())?;
        if !self.emitting() {
            return self.pop_types(ty.params());
        }
        let args = self.pop_operands(ty.params())?;
        let base = self.base + self.slots;
        self.place_args(&args);
        let index = self.slot_of(index);
        let handler = match table.table64 {
            true => handlers::return_call_indirect64,
            false => handlers::return_call_indirect,
        };
        self.emit(handler, &[typeidx, tableidx, base, index]);
        self.emit(handlers::ret, &[]);
        Ok(())
    }

    pub(super) fn compile_global_get(&mut self, globalidx: u32) -> Result<(), Failure> {
        let global = *self
            .context
            .globals
            .get(globalidx as usize)
            .ok_or_else(|| self.error("unknown global"))?;
        let ty = global.content;
        if !self.emitting() {
            self.push_operand(ty);
        } else if ty == ValType::V128 {
            let home = self.base + self.slots;
            self.emit(handlers::global_get_v128, &[home, globalidx]);
            self.push_operand(ty);
        } else if globalidx == 0 {
            self.flush();
            self.stage(
                ty,
                handlers::global0_get,
                handlers::global0_get_a,
                &[],
                None,
            );
        } else {
            self.flush();
            self.stage(
                ty,
                handlers::global_get,
                handlers::global_get_a,
                &[globalidx],
                None,
            );
        }
        Ok(())
    }

    pub(super) fn compile_global_set(&mut self, globalidx: u32) -> Result<(), Failure> {
        let global = *self
            .context
            .globals
            .get(globalidx as usize)
            .ok_or_else(|| self.error("unknown global"))?;
        if !global.mutable {
            return Err(self.error("global is immutable"));
        }
        let value = self.pop_operand(global.content)?;
        if !self.emitting() {
            return Ok(());
        }
        if global.content == ValType::V128 {
            self.flush();
            let slot = self.slot_of(value);
            self.emit(handlers::global_set_v128, &[slot, globalidx]);
        } else if value.loc == Loc::Acc {
            self.commit(true);
            if globalidx == 0 {
                self.emit(handlers::global0_set_a, &[]);
            } else {
                self.emit(handlers::global_set_a, &[globalidx]);
            }
        } else {
            self.flush();
            let slot = self.slot_of(value);
            if globalidx == 0 {
                self.emit(handlers::global0_set, &[slot]);
            } else {
                self.emit(handlers::global_set, &[slot, globalidx]);
            }
        }
        Ok(())
    }

    pub(super) fn compile_memory_size(&mut self, memidx: u32) -> Result<(), Failure> {
        let ty = self.memory_index_type(memidx)?;
        self.emit_runtime(Opcode::MemorySize, &[], &[memidx], Some(ty));
        Ok(())
    }

    pub(super) fn compile_memory_grow(&mut self, memidx: u32) -> Result<(), Failure> {
        let ty = self.memory_index_type(memidx)?;
        let delta = self.pop_operand(ty)?;
        self.emit_runtime(Opcode::MemoryGrow, &[delta], &[memidx], Some(ty));
        Ok(())
    }

    /// Pops the three operands of a bulk memory instruction, typed bottom
    /// to top.
    fn pop_three(&mut self, types: [ValType; 3]) -> Result<[Operand; 3], Failure> {
        let n = self.pop_operand(types[2])?;
        let b = self.pop_operand(types[1])?;
        let a = self.pop_operand(types[0])?;
        Ok([a, b, n])
    }

    pub(super) fn compile_memory_init(&mut self, dataidx: u32, memidx: u32) -> Result<(), Failure> {
        self.check_dataidx(dataidx)?;
        let ty = self.memory_index_type(memidx)?;
        let operands = self.pop_three([ty, ValType::I32, ValType::I32])?;
        self.emit_runtime(Opcode::MemoryInit, &operands, &[dataidx, memidx], None);
        Ok(())
    }

    pub(super) fn compile_data_drop(&mut self, dataidx: u32) -> Result<(), Failure> {
        self.check_dataidx(dataidx)?;
        self.emit_runtime(Opcode::DataDrop, &[], &[dataidx], None);
        Ok(())
    }

    pub(super) fn compile_memory_copy(&mut self, dst: u32, src: u32) -> Result<(), Failure> {
        let dst_ty = self.memory_index_type(dst)?;
        let src_ty = self.memory_index_type(src)?;
        // The length is 64-bit only between two 64-bit memories.
        let len_ty = match (dst_ty, src_ty) {
            (ValType::I64, ValType::I64) => ValType::I64,
            _ => ValType::I32,
        };
        let operands = self.pop_three([dst_ty, src_ty, len_ty])?;
        self.emit_runtime(Opcode::MemoryCopy, &operands, &[dst, src], None);
        Ok(())
    }

    pub(super) fn compile_memory_fill(&mut self, memidx: u32) -> Result<(), Failure> {
        let ty = self.memory_index_type(memidx)?;
        let operands = self.pop_three([ty, ValType::I32, ty])?;
        self.emit_runtime(Opcode::MemoryFill, &operands, &[memidx], None);
        Ok(())
    }

    pub(super) fn compile_table_get(&mut self, tableidx: u32) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        let index = self.pop_operand(table.index_type())?;
        self.emit_runtime(
            Opcode::TableGet,
            &[index],
            &[tableidx],
            Some(table.element.into()),
        );
        Ok(())
    }

    pub(super) fn compile_table_set(&mut self, tableidx: u32) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        let value = self.pop_operand(table.element.into())?;
        let index = self.pop_operand(table.index_type())?;
        self.emit_runtime(Opcode::TableSet, &[index, value], &[tableidx], None);
        Ok(())
    }

    pub(super) fn compile_table_size(&mut self, tableidx: u32) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        self.emit_runtime(
            Opcode::TableSize,
            &[],
            &[tableidx],
            Some(table.index_type()),
        );
        Ok(())
    }

    pub(super) fn compile_table_grow(&mut self, tableidx: u32) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        let delta = self.pop_operand(table.index_type())?;
        let init = self.pop_operand(table.element.into())?;
        self.emit_runtime(
            Opcode::TableGrow,
            &[init, delta],
            &[tableidx],
            Some(table.index_type()),
        );
        Ok(())
    }

    pub(super) fn compile_table_fill(&mut self, tableidx: u32) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        let len = self.pop_operand(table.index_type())?;
        let value = self.pop_operand(table.element.into())?;
        let dst = self.pop_operand(table.index_type())?;
        self.emit_runtime(Opcode::TableFill, &[dst, value, len], &[tableidx], None);
        Ok(())
    }

    pub(super) fn compile_table_copy(&mut self, dst: u32, src: u32) -> Result<(), Failure> {
        let dst_table = self.table(dst)?;
        let src_table = self.table(src)?;
        if !self
            .context
            .ref_matches(src_table.element, dst_table.element)
        {
            return Err(self.error("type mismatch: table.copy between tables of different types"));
        }
        let (dst_ty, src_ty) = (dst_table.index_type(), src_table.index_type());
        // The length is 64-bit only between two 64-bit tables.
        let len_ty = match (dst_ty, src_ty) {
            (ValType::I64, ValType::I64) => ValType::I64,
            _ => ValType::I32,
        };
        let operands = self.pop_three([dst_ty, src_ty, len_ty])?;
        self.emit_runtime(Opcode::TableCopy, &operands, &[dst, src], None);
        Ok(())
    }

    pub(super) fn compile_table_init(
        &mut self,
        elemidx: u32,
        tableidx: u32,
    ) -> Result<(), Failure> {
        let table = self.table(tableidx)?;
        let elem = self.elem(elemidx)?;
        if !self.context.ref_matches(elem, table.element) {
            return Err(self.error("type mismatch: table.init of a segment of another type"));
        }
        // Offsets into the segment and the length are i32.
        let operands = self.pop_three([table.index_type(), ValType::I32, ValType::I32])?;
        self.emit_runtime(Opcode::TableInit, &operands, &[elemidx, tableidx], None);
        Ok(())
    }

    pub(super) fn compile_elem_drop(&mut self, elemidx: u32) -> Result<(), Failure> {
        self.check_elemidx(elemidx)?;
        self.emit_runtime(Opcode::ElemDrop, &[], &[elemidx], None);
        Ok(())
    }

    pub(super) fn compile_ref_null(&mut self, heap: HeapType) -> Result<(), Failure> {
        self.context
            .check_heaptype(heap)
            .map_err(|e| self.error(e))?;
        // A null reference is the constant 0.
        self.push_const(ValType::Ref(RefType::new(true, heap)), 0);
        Ok(())
    }

    pub(super) fn compile_ref_is_null(&mut self) -> Result<(), Failure> {
        let value = self.pop_any()?;
        if value.ty.is_some_and(|t| !t.is_ref()) {
            return Err(self.error("type mismatch: ref.is_null needs a reference"));
        }
        self.emit_runtime(Opcode::RefIsNull, &[value], &[], Some(ValType::I32));
        Ok(())
    }

    pub(super) fn compile_ref_func(&mut self, funcidx: u32) -> Result<(), Failure> {
        if funcidx as usize >= self.context.func_types.len() {
            return Err(self.error("unknown function"));
        }
        if !self.context.declared_refs.contains(&funcidx) {
            return Err(self.error("undeclared function reference"));
        }
        let ty = func_ref_type(
            &self.context.features,
            self.context.func_types[funcidx as usize],
        );
        self.emit_runtime(Opcode::RefFunc, &[], &[funcidx], Some(ty));
        Ok(())
    }

    /// Pops a reference operand (any type in unreachable code).
    fn pop_ref(&mut self, what: &str) -> Result<(Operand, Option<RefType>), Failure> {
        let operand = self.pop_any()?;
        match operand.ty {
            None => Ok((operand, None)),
            Some(ValType::Ref(ty)) => Ok((operand, Some(ty))),
            Some(_) => Err(self.error(&alloc::format!("type mismatch: {what} needs a reference"))),
        }
    }

    pub(super) fn compile_ref_as_non_null(&mut self) -> Result<(), Failure> {
        let (value, ty) = self.pop_ref("ref.as_non_null")?;
        let Some(ty) = ty else {
            self.push_unknown(None);
            return Ok(());
        };
        let result = ValType::Ref(RefType::new(false, ty.heap));
        if !self.emitting() {
            self.push_operand(result);
        } else if !ty.nullable {
            // Nothing to check: the value passes through where it is.
            self.push_at(result, value.loc);
        } else {
            self.emit_runtime(Opcode::RefAsNonNull, &[value], &[], Some(result));
        }
        Ok(())
    }

    /// The function type a `call_ref` or `return_call_ref` names, after
    /// popping its reference operand.
    fn pop_callee_ref(&mut self, typeidx: u32) -> Result<(&'m FuncType, Operand), Failure> {
        let ty = self.func_type(typeidx)?;
        let reference = self.pop_operand(ValType::Ref(RefType::new(
            true,
            HeapType::Concrete(typeidx),
        )))?;
        Ok((ty, reference))
    }

    pub(super) fn compile_call_ref(&mut self, typeidx: u32) -> Result<(), Failure> {
        let (ty, reference) = self.pop_callee_ref(typeidx)?;
        if !self.emitting() {
            self.pop_types(ty.params())?;
            self.push_operands(ty.results());
            return Ok(());
        }
        let args = self.pop_operands(ty.params())?;
        let base = self.base + self.slots;
        self.place_args(&args);
        let reference = self.slot_of(reference);
        self.emit(handlers::call_ref, &[base, reference]);
        self.note_safepoint(self.code.len(), true, &[]);
        self.push_operands(ty.results());
        Ok(())
    }

    pub(super) fn compile_return_call_ref(&mut self, typeidx: u32) -> Result<(), Failure> {
        let (ty, reference) = self.pop_callee_ref(typeidx)?;
        self.check_tail_results(ty)?;
        if !self.emitting() {
            return self.pop_types(ty.params());
        }
        let args = self.pop_operands(ty.params())?;
        let base = self.base + self.slots;
        self.place_args(&args);
        let reference = self.slot_of(reference);
        self.emit(handlers::return_call_ref, &[base, reference]);
        self.emit(handlers::ret, &[]);
        Ok(())
    }
}

/// Exception handling: `throw`, `throw_ref` and `try_table`.
impl<'m, const TRANSLATE: bool> FuncValidator<'m, TRANSLATE> {
    /// The payload types of tag `index`.
    fn tag(&self, index: u32) -> Result<&'m [ValType], Failure> {
        let context: &'m ModuleContext = self.context;
        context
            .tag_params(index)
            .ok_or_else(|| self.error("unknown tag"))
    }

    pub(super) fn compile_throw(&mut self, tagidx: u32) -> Result<(), Failure> {
        let params = self.tag(tagidx)?;
        if !self.emitting() {
            return self.pop_types(params);
        }
        let args = self.pop_operands(params)?;
        // The payload goes to consecutive home slots, as call arguments do.
        let base = self.base + self.slots;
        self.place_args(&args);
        let count: u32 = params.iter().map(|t| t.slots()).sum();
        self.emit(handlers::throw, &[tagidx, base, count]);
        Ok(())
    }

    pub(super) fn compile_throw_ref(&mut self) -> Result<(), Failure> {
        let exn = self.pop_operand(ValType::EXNREF)?;
        self.emit_runtime(Opcode::ThrowRef, &[exn], &[], None);
        Ok(())
    }

    /// Checks a catch clause against its label (in the context around the
    /// `try_table`) and, when translating, returns where it lands.
    fn catch_target(&mut self, catch: &Catch) -> Result<Option<CatchTarget>, Failure> {
        let payload: &[ValType] = match catch.kind.has_tag() {
            true => self.tag(catch.tag)?,
            false => &[],
        };
        let label = self.label(catch.label)?.label_types();
        let with_ref = catch.kind.pushes_ref();
        // The clause's values, `(ref exn)` last for the `_ref` kinds, must
        // be subtypes of the label's.
        let exn = ValType::Ref(RefType::new(false, HeapType::Exn));
        let matches = label.len() == payload.len() + usize::from(with_ref)
            && (payload.iter().zip(label)).all(|(t, l)| self.context.matches(*t, *l))
            && (!with_ref || self.context.matches(exn, label[payload.len()]));
        if !matches {
            return Err(self.error("type mismatch: catch clause and label types differ"));
        }
        if !self.emitting() {
            return Ok(None);
        }
        let index = self.controls.len() - 1 - catch.label as usize;
        // The landing pad: a branch to the label, or a return when the
        // label is the function's. The unwinder writes the values where
        // such a branch expects them.
        let (dst, target) = if index == 0 {
            (0, self.emit(handlers::ret, &[]))
        } else {
            let start = self.emit(handlers::br, &[0]);
            self.link(index, (start, 0));
            (self.label_home(index), start)
        };
        Ok(Some(CatchTarget {
            kind: catch.kind,
            tag: catch.tag,
            dst,
            target,
        }))
    }

    pub(super) fn compile_try_table(
        &mut self,
        blocktype: BlockType,
        catches: &[Catch],
    ) -> Result<(), Failure> {
        let (params, results) = self.block_signature(blocktype)?;
        self.check_top(params)?;
        let emitting = self.emitting();
        let mut skip = None;
        if emitting {
            self.settle_for_block(params.len(), false);
            // Landing pads first, jumped over on entry.
            skip = Some(self.emit(handlers::br, &[0]));
        }
        let mut targets = Vec::with_capacity(if emitting { catches.len() } else { 0 });
        for catch in catches {
            if let Some(target) = self.catch_target(catch)? {
                targets.push(target);
            }
        }
        self.push_control(FrameKind::TryTable, params, results);
        if let Some(skip) = skip {
            let body = self.code.len();
            self.code.patch_branch(skip, 0, body);
            let frame = self.controls.last_mut().expect("just pushed");
            frame.loop_start = body;
            frame.try_handler = Some((body, targets.into_boxed_slice()));
            self.begin_fuel_segment();
        }
        Ok(())
    }
}

/// `exec = "control"` rows: typing and translation.
impl<'m, const TRANSLATE: bool> FuncValidator<'m, TRANSLATE> {
    pub(super) fn compile_block(&mut self, blocktype: BlockType) -> Result<(), Failure> {
        let (params, results) = self.block_signature(blocktype)?;
        self.check_top(params)?;
        if self.emitting() {
            self.settle_for_block(params.len(), false);
        }
        self.push_control(FrameKind::Block, params, results);
        Ok(())
    }

    pub(super) fn compile_loop(&mut self, blocktype: BlockType) -> Result<(), Failure> {
        let (params, results) = self.block_signature(blocktype)?;
        self.check_top(params)?;
        if self.emitting() {
            // Branches back carry the parameters to their home slots.
            self.settle_for_block(params.len(), true);
        }
        self.push_control(FrameKind::Loop, params, results);
        // Branches back to the loop land here, so each iteration pays again.
        self.check_interrupt();
        self.begin_fuel_segment();
        Ok(())
    }

    pub(super) fn compile_if(&mut self, blocktype: BlockType) -> Result<(), Failure> {
        let (params, results) = self.block_signature(blocktype)?;
        let condition = self.pop_operand(ValType::I32)?;
        self.check_top(params)?;
        let mut else_fixup = None;
        if self.emitting() {
            // Both arms start from the parameters in their home slots.
            self.settle_for_block(params.len(), true);
            else_fixup = Some(self.emit_condition_branch(condition, false));
        }
        self.push_control(FrameKind::If, params, results);
        self.controls.last_mut().expect("just pushed").else_fixup = else_fixup;
        self.begin_fuel_segment();
        Ok(())
    }

    /// Puts the values a frame ends with into their home slots.
    fn settle_results(&mut self) {
        if !self.emitting() {
            return;
        }
        let count = self.top_frame().results.len();
        let len = self.operands.len();
        for index in len.saturating_sub(count)..len {
            self.materialize(index);
        }
        self.flush();
    }

    pub(super) fn compile_else(&mut self) -> Result<(), Failure> {
        if self.top_frame().kind != FrameKind::If {
            return Err(self.error("else without a matching if"));
        }
        self.settle_results();
        let reachable_before = self.emitting();
        let mut frame = self.pop_control()?;
        // The `then` arm jumps over the `else` arm.
        if reachable_before {
            let start = self.emit(handlers::br, &[0]);
            frame.fixups.push((start, 0));
        }
        if let Some((start, lane)) = frame.else_fixup.take() {
            self.code.patch_branch(start, lane, self.code.len());
        }
        // Locals set in the `then` arm are unset in the `else` arm (popping
        // the frame did that); reopen the frame for the `else` arm with the
        // parameters back on the stack.
        self.operands.truncate(frame.height);
        self.slots = frame.slot_height;
        self.push_operands(frame.params);
        frame.kind = FrameKind::Else;
        frame.unreachable = false;
        self.controls.push(frame);
        self.begin_fuel_segment();
        Ok(())
    }

    pub(super) fn compile_end(&mut self) -> Result<(), Failure> {
        if self.top_frame().kind == FrameKind::Function {
            if self.emitting() {
                let results = self.top_frame().results;
                self.check_top(results)?;
                self.emit_return();
            }
        } else {
            self.settle_results();
        }
        let mut frame = self.pop_control()?;
        if let Some((start, catches)) = frame.try_handler.take() {
            let end = self.code.len();
            self.handlers.push(TryHandler {
                start,
                end,
                catches,
            });
        }
        if frame.kind == FrameKind::If && frame.params != frame.results {
            return Err(self.error("type mismatch: if without else must leave its parameters"));
        }
        self.operands.truncate(frame.height);
        self.slots = frame.slot_height;
        let end = self.code.len();
        for (start, lane) in &frame.fixups {
            self.code.patch_branch(*start, *lane, end);
        }
        if let Some((start, lane)) = frame.else_fixup {
            self.code.patch_branch(start, lane, end);
        }
        self.push_operands(frame.results);
        // Code after `end` is reached from several places: a new segment.
        if !self.controls.is_empty() {
            self.begin_fuel_segment();
        }
        Ok(())
    }

    pub(super) fn compile_br(&mut self, depth: u32) -> Result<(), Failure> {
        let types = self.label(depth)?.label_types();
        self.check_top(types)?;
        self.emit_branch(depth);
        Ok(())
    }

    pub(super) fn compile_br_if(&mut self, depth: u32) -> Result<(), Failure> {
        let types = self.label(depth)?.label_types();
        let condition = self.pop_operand(ValType::I32)?;
        self.check_top(types)?;
        self.emit_branch_if(depth, condition, true);
        Ok(())
    }

    pub(super) fn compile_br_on_null(&mut self, depth: u32) -> Result<(), Failure> {
        let types = self.label(depth)?.label_types();
        let (reference, ty) = self.pop_ref("br_on_null")?;
        self.check_top(types)?;
        let reference = self.settled(reference);
        // Null is 0: branch when the reference is zero.
        self.emit_branch_if(depth, reference, false);
        match ty {
            Some(ty) => self.push_at(ValType::Ref(RefType::new(false, ty.heap)), reference.loc),
            None => self.push_unknown(None),
        }
        Ok(())
    }

    pub(super) fn compile_br_on_non_null(&mut self, depth: u32) -> Result<(), Failure> {
        let types = self.label(depth)?.label_types();
        let Some((last, rest)) = types.split_last() else {
            return Err(self.error("type mismatch: br_on_non_null needs a label with a value"));
        };
        let ValType::Ref(last) = *last else {
            return Err(self.error("type mismatch: br_on_non_null needs a reference label"));
        };
        let (reference, ty) = self.pop_ref("br_on_non_null")?;
        if let Some(ty) = ty {
            if !self.context.ref_matches(RefType::new(false, ty.heap), last) {
                return Err(self.mismatch(ValType::Ref(last), ValType::Ref(ty)));
            }
        }
        self.check_top(rest)?;
        // The branch carries the reference: it is on the stack while the
        // label's values move, and dropped after on the fall-through path.
        let reference = self.settled(reference);
        let carried = ty.map_or(ValType::Ref(last), |t| {
            ValType::Ref(RefType::new(false, t.heap))
        });
        self.push_at(carried, reference.loc);
        self.emit_branch_if(depth, reference, true);
        self.pop_any()?;
        Ok(())
    }

    /// An operand popped from the accumulator, written to its home slot so
    /// it can be read again after a branch.
    fn settled(&mut self, operand: Operand) -> Operand {
        if operand.loc == Loc::Acc {
            self.flush();
            return Operand {
                loc: Loc::Temp,
                ..operand
            };
        }
        operand
    }

    /// Branches to label `depth` when `condition` (popped, an i32 or a
    /// reference) is non-zero (`when`) or zero, with the label's values on
    /// top of the operand stack.
    fn emit_branch_if(&mut self, depth: u32, condition: Operand, when: bool) {
        if self.emitting() {
            let index = self.controls.len() - 1 - depth as usize;
            if condition.loc != Loc::Acc && self.acc_on_stack() {
                self.flush();
            }
            if index != 0 && self.values_in_place(index) {
                let fixup = self.emit_condition_branch(condition, when);
                self.link(index, fixup);
            } else {
                // Copy the values (or return) only on the taken path.
                let skip = self.emit_condition_branch(condition, !when);
                if index == 0 {
                    self.emit_return();
                } else {
                    self.copy_values_to_label(index);
                    let start = self.emit(handlers::br, &[0]);
                    self.link(index, (start, 0));
                }
                self.code.patch_branch(skip.0, skip.1, self.code.len());
            }
        }
        self.begin_fuel_segment();
    }

    pub(super) fn compile_br_table(&mut self, table: &BrTable) -> Result<(), Failure> {
        let index = self.pop_operand(ValType::I32)?;
        let default_arity = self.label(table.default)?.label_types().len();
        for &depth in table.labels.iter().chain(core::iter::once(&table.default)) {
            let types = self.label(depth)?.label_types();
            if types.len() != default_arity {
                return Err(self.error("type mismatch: br_table labels have different arities"));
            }
            self.check_top_readonly(types)?;
        }
        if self.emitting() {
            let targets: Vec<u32> = table
                .labels
                .iter()
                .chain(core::iter::once(&table.default))
                .copied()
                .collect();
            let count = targets.len() as u32;
            let (start, first_lane) = if index.loc == Loc::Acc {
                self.commit(true);
                let mut lanes = alloc::vec![count];
                lanes.resize(1 + targets.len(), 0);
                (self.emit(handlers::br_table_a, &lanes), 1)
            } else {
                self.flush();
                let slot = self.slot_of(index);
                let mut lanes = alloc::vec![slot, count];
                lanes.resize(2 + targets.len(), 0);
                (self.emit(handlers::br_table_s, &lanes), 2)
            };
            // Targets that need their values moved (or a return) go through
            // a stub after the table, one per distinct label.
            let mut stubs: Vec<(u32, u32)> = Vec::new();
            for (i, depth) in targets.iter().enumerate() {
                let lane = first_lane + i;
                let frame = self.controls.len() - 1 - *depth as usize;
                if frame != 0 && self.values_in_place(frame) {
                    self.link(frame, (start, lane));
                    continue;
                }
                let stub = match stubs.iter().find(|(d, _)| d == depth) {
                    Some((_, stub)) => *stub,
                    None => {
                        let stub = self.code.len();
                        if frame == 0 {
                            self.emit_return();
                        } else {
                            self.copy_values_to_label(frame);
                            let br = self.emit(handlers::br, &[0]);
                            self.link(frame, (br, 0));
                        }
                        stubs.push((*depth, stub));
                        stub
                    }
                };
                self.code.patch_branch(start, lane, stub);
            }
        }
        self.set_unreachable();
        Ok(())
    }

    pub(super) fn compile_return(&mut self) -> Result<(), Failure> {
        let results = self.controls[0].results;
        self.check_top(results)?;
        if self.emitting() {
            self.emit_return();
        }
        Ok(())
    }

    pub(super) fn compile_drop(&mut self) -> Result<(), Failure> {
        let operand = self.pop_any()?;
        if operand.loc == Loc::Acc && self.staged.is_some() {
            // Still run it (it may trap); its result is not needed.
            self.commit(true);
        }
        Ok(())
    }

    fn emit_select(&mut self, ty: ValType, first: Operand, second: Operand, condition: Operand) {
        if !self.emitting() {
            self.push_operand(ty);
            return;
        }
        let home = self.base + self.slots;
        if condition.loc == Loc::Acc && ty != ValType::V128 {
            self.commit(true);
            let a = self.slot_of(first);
            let b = self.slot_of(second);
            self.emit(handlers::select_a, &[home, a, b]);
        } else {
            self.flush();
            let a = self.slot_of(first);
            let b = self.slot_of(second);
            let c = self.slot_of(condition);
            let handler = if ty == ValType::V128 {
                handlers::select_v128
            } else {
                handlers::select_s
            };
            self.emit(handler, &[home, a, b, c]);
        }
        self.push_operand(ty);
    }

    pub(super) fn compile_select(&mut self) -> Result<(), Failure> {
        let condition = self.pop_operand(ValType::I32)?;
        let second = self.pop_any()?;
        let first = self.pop_any()?;
        let is_numeric = |t: Option<ValType>| t.is_none_or(|t| !t.is_ref());
        if !is_numeric(first.ty) || !is_numeric(second.ty) {
            return Err(self.error("type mismatch: select without a type needs numeric operands"));
        }
        let ty = match (first.ty, second.ty) {
            (Some(a), Some(b)) if a != b => {
                return Err(self.error("type mismatch: select operands differ"))
            }
            (Some(a), _) | (None, Some(a)) => Some(a),
            (None, None) => None,
        };
        match ty {
            Some(ty) => self.emit_select(ty, first, second, condition),
            None => self.push_unknown(None),
        }
        Ok(())
    }

    pub(super) fn compile_select_t(&mut self, types: &[ValType]) -> Result<(), Failure> {
        let [ty] = types else {
            return Err(self.error("invalid result arity"));
        };
        self.context.check_valtype(*ty).map_err(|e| self.error(e))?;
        let condition = self.pop_operand(ValType::I32)?;
        let second = self.pop_operand(*ty)?;
        let first = self.pop_operand(*ty)?;
        self.emit_select(*ty, first, second, condition);
        Ok(())
    }

    /// Records that local `index` holds a value from here to the end of
    /// the current frame.
    fn mark_set(&mut self, index: u32) {
        if let Some(set @ false) = self.local_set.get_mut(index as usize) {
            *set = true;
            self.init_log.push(index);
        }
    }

    fn local(&self, index: u32) -> Result<(ValType, u32), Failure> {
        let ty = *self
            .locals
            .get(index as usize)
            .ok_or_else(|| self.error("unknown local"))?;
        Ok((ty, self.local_slots[index as usize]))
    }

    pub(super) fn compile_local_get(&mut self, index: u32) -> Result<(), Failure> {
        let (ty, slot) = self.local(index)?;
        if !self.local_set.is_empty() && !self.local_set[index as usize] {
            return Err(self.error("uninitialized local"));
        }
        if self.emitting() {
            self.push_at(ty, Loc::Local(slot));
        } else {
            self.push_operand(ty);
        }
        Ok(())
    }

    /// Writes a popped operand into local `slot`; returns where the value
    /// is afterwards.
    fn store_local(&mut self, ty: ValType, slot: u32, value: Operand) -> Loc {
        if value.loc == Loc::Local(slot) {
            return value.loc;
        }
        let retarget = !self.context.disabled_fusions.contains(Fusions::LOCAL_SET);
        if value.loc == Loc::Acc && self.staged.is_some() && retarget {
            // The staged instruction writes the local directly.
            self.preserve_local(slot);
            let staged = self.staged.take().expect("checked above");
            self.commit_to(staged, Some(slot));
            return Loc::Local(slot);
        }
        self.flush();
        self.preserve_local(slot);
        self.copy_into(slot, ty, value.loc, value.home, false);
        match value.loc {
            // Flushed to its home above.
            Loc::Acc => Loc::Temp,
            loc => loc,
        }
    }

    pub(super) fn compile_local_set(&mut self, index: u32) -> Result<(), Failure> {
        let (ty, slot) = self.local(index)?;
        let value = self.pop_operand(ty)?;
        self.mark_set(index);
        if self.emitting() {
            self.store_local(ty, slot, value);
        }
        Ok(())
    }

    pub(super) fn compile_local_tee(&mut self, index: u32) -> Result<(), Failure> {
        let (ty, slot) = self.local(index)?;
        let value = self.pop_operand(ty)?;
        self.mark_set(index);
        if self.emitting() {
            let loc = self.store_local(ty, slot, value);
            self.push_at(ty, loc);
        } else {
            self.push_operand(ty);
        }
        Ok(())
    }
}
