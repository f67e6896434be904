//! Function body validation and translation, in one pass.
//!
//! This is the spec's validation algorithm (an operand stack of types and a
//! stack of control frames, with stack-polymorphic code after `unreachable`,
//! `br` and `return`). While it checks each instruction it appends the
//! instruction's compiled form, so branch targets and stack adjustments are
//! computed here once and never at run time. Typing of every fixed-signature
//! instruction is generated from `opcodes.toml` by `validator!`; this file
//! holds the rest.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{ModuleContext, ValidationError};
use crate::binary::{BlockType, BrTable, FunctionBody, Instruction, MemArg, Reader};
use crate::exec::code::{BranchTarget, CompiledFunc, Op};
use crate::types::{FuncType, RefType, ValType};

/// Most locals one function may declare. Beyond the spec's limit, this keeps
/// a hostile module from asking for a frame of billions of slots.
const MAX_LOCALS: u64 = 50_000;

/// A block's parameter and result types.
type BlockSignature = (Box<[ValType]>, Box<[ValType]>);

/// Why a control frame was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Function,
    Block,
    Loop,
    If,
    Else,
}

/// An op whose target is patched when its block ends.
#[derive(Clone, Copy, Debug)]
enum Fixup {
    /// `code[index]` is a branch op.
    Op(usize),
    /// `branch_targets[index]` of a `br_table`.
    Table(usize),
}

struct ControlFrame {
    kind: FrameKind,
    params: Box<[ValType]>,
    results: Box<[ValType]>,
    /// Operand stack length when the frame was entered (below its parameters).
    height: usize,
    /// Operand slots at that point.
    slot_height: u32,
    /// The rest of the block is unreachable.
    unreachable: bool,
    /// For loops: the op index branches jump back to.
    loop_start: u32,
    /// Branches to the end of this frame, patched at `end`.
    fixups: Vec<Fixup>,
    /// For `if`: the `BrUnless` that skips to `else` or `end`.
    else_fixup: Option<usize>,
}

impl ControlFrame {
    /// The types a branch to this frame carries.
    fn label_types(&self) -> &[ValType] {
        if self.kind == FrameKind::Loop {
            &self.params
        } else {
            &self.results
        }
    }
}

/// Validates and compiles one function body.
pub(crate) struct FuncValidator<'m> {
    context: &'m ModuleContext<'m>,
    locals: Vec<ValType>,
    /// Frame slot of each local.
    local_slots: Vec<u32>,
    /// Operand types; `None` is the spec's unknown type in unreachable code.
    operands: Vec<Option<ValType>>,
    /// Slots taken by the operands (meaningful in reachable code).
    slots: u32,
    max_slots: u32,
    controls: Vec<ControlFrame>,
    code: Vec<Op>,
    offsets: Vec<u32>,
    branch_targets: Vec<BranchTarget>,
    /// Byte offset of the instruction being validated.
    offset: usize,
    /// The `ConsumeFuel` op paying for the current straight-line segment.
    fuel_op: Option<usize>,
}

opcodes_macro::validator!("../opcodes.toml");

impl<'m> FuncValidator<'m> {
    /// Validates the body of defined function `func_index` and compiles it.
    pub(crate) fn compile(
        context: &'m ModuleContext<'m>,
        func_index: u32,
        body: &FunctionBody,
    ) -> Result<CompiledFunc, ValidationError> {
        let type_index = context.func_type_index(func_index);
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
        let mut validator = FuncValidator {
            context,
            locals,
            local_slots,
            operands: Vec::new(),
            slots: 0,
            max_slots: 0,
            controls: Vec::new(),
            code: Vec::new(),
            offsets: Vec::new(),
            branch_targets: Vec::new(),
            offset: body.code.start,
            fuel_op: None,
        };
        validator.controls.push(ControlFrame {
            kind: FrameKind::Function,
            params: Box::new([]),
            results: ty.results().into(),
            height: 0,
            slot_height: 0,
            unreachable: false,
            loop_start: 0,
            fixups: Vec::new(),
            else_fixup: None,
        });
        validator.check_interrupt();
        validator.begin_fuel_segment();
        let bytes = &context.module.bytes[body.code.clone()];
        let mut reader = Reader::with_base(bytes, body.code.start);
        while !reader.is_empty() {
            if validator.controls.is_empty() {
                return Err(ValidationError::new(
                    reader.offset(),
                    "operators remaining after end of function",
                ));
            }
            validator.offset = reader.offset();
            let instruction = Instruction::decode(&mut reader, &context.features)?;
            validator.charge_fuel();
            validator.validate_instruction(&instruction)?;
        }
        if !validator.controls.is_empty() {
            return Err(ValidationError::new(reader.offset(), "END opcode expected"));
        }
        Ok(CompiledFunc {
            func_index,
            type_index,
            code: validator.code.into_boxed_slice(),
            branch_targets: validator.branch_targets.into_boxed_slice(),
            offsets: validator.offsets.into_boxed_slice(),
            param_slots,
            local_slots: next - param_slots,
            result_slots: ty.result_slots(),
            max_operand_slots: validator.max_slots,
        })
    }

    fn error(&self, message: &str) -> ValidationError {
        ValidationError::new(self.offset, message)
    }

    // ---- the operand and control stacks (the spec's appendix algorithm) ----

    fn top_frame(&self) -> &ControlFrame {
        self.controls
            .last()
            .expect("checked before each instruction")
    }

    fn is_reachable(&self) -> bool {
        self.controls.last().is_some_and(|f| !f.unreachable)
    }

    /// Pushes an operand of type `ty`.
    pub(super) fn push_operand(&mut self, ty: ValType) {
        self.operands.push(Some(ty));
        self.slots += ty.slots();
        self.max_slots = self.max_slots.max(self.slots);
    }

    fn push_unknown(&mut self, ty: Option<ValType>) {
        match ty {
            Some(ty) => self.push_operand(ty),
            None => self.operands.push(None),
        }
    }

    /// Pops any operand; `None` means unknown (unreachable code).
    fn pop_any(&mut self) -> Result<Option<ValType>, ValidationError> {
        let frame = self.top_frame();
        if self.operands.len() == frame.height {
            if frame.unreachable {
                return Ok(None);
            }
            return Err(self.error("type mismatch: operand stack is empty"));
        }
        let ty = self.operands.pop().expect("length checked above");
        if let Some(ty) = ty {
            self.slots -= ty.slots();
        }
        Ok(ty)
    }

    /// Pops an operand that must have type `expected`.
    pub(super) fn pop_operand(&mut self, expected: ValType) -> Result<(), ValidationError> {
        match self.pop_any()? {
            Some(actual) if actual != expected => Err(ValidationError::new(
                self.offset,
                alloc::format!("type mismatch: expected {expected}, found {actual}"),
            )),
            _ => Ok(()),
        }
    }

    fn pop_operands(&mut self, types: &[ValType]) -> Result<(), ValidationError> {
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

    /// Marks the rest of the current block unreachable.
    pub(super) fn set_unreachable(&mut self) {
        let frame = self
            .controls
            .last_mut()
            .expect("checked before each instruction");
        self.operands.truncate(frame.height);
        self.slots = frame.slot_height;
        frame.unreachable = true;
    }

    /// Opens a frame whose parameters are already on the operand stack.
    fn push_control(&mut self, kind: FrameKind, params: Box<[ValType]>, results: Box<[ValType]>) {
        let param_slots: u32 = params.iter().map(|t| t.slots()).sum();
        self.controls.push(ControlFrame {
            kind,
            height: self.operands.len() - params.len(),
            slot_height: self.slots - param_slots,
            unreachable: false,
            loop_start: self.code.len() as u32,
            fixups: Vec::new(),
            else_fixup: None,
            params,
            results,
        });
    }

    fn pop_control(&mut self) -> Result<ControlFrame, ValidationError> {
        let results = self.top_frame().results.clone();
        self.pop_operands(&results)?;
        let frame = self.top_frame();
        if self.operands.len() != frame.height {
            return Err(self.error("type mismatch: values remain at the end of a block"));
        }
        Ok(self.controls.pop().expect("top_frame succeeded"))
    }

    fn block_signature(&self, blocktype: BlockType) -> Result<BlockSignature, ValidationError> {
        match blocktype {
            BlockType::Empty => Ok((Box::new([]), Box::new([]))),
            BlockType::Value(ty) => Ok((Box::new([]), Box::new([ty]))),
            BlockType::Type(index) => {
                let ty = self
                    .context
                    .func_type(index)
                    .ok_or_else(|| self.error("unknown type"))?;
                Ok((ty.params().into(), ty.results().into()))
            }
        }
    }

    fn label(&self, depth: u32) -> Result<&ControlFrame, ValidationError> {
        let index = (self.controls.len() as u64)
            .checked_sub(u64::from(depth) + 1)
            .ok_or_else(|| self.error("unknown label"))?;
        Ok(&self.controls[index as usize])
    }

    // ---- emitting compiled code ----

    /// Appends a compiled op, unless the code is unreachable.
    pub(super) fn emit(&mut self, op: Op) {
        if self.is_reachable() {
            self.code.push(op);
            self.offsets.push(self.offset as u32);
        }
    }

    /// The branch to label `depth` from the current stack: where it goes and
    /// how the stack is adjusted. Forward targets are patched at `end`.
    fn branch_to(&mut self, depth: u32) -> Result<(BranchTarget, Option<usize>), ValidationError> {
        let frame_index = self.controls.len() - 1 - depth as usize;
        let frame = &self.controls[frame_index];
        let keep: u32 = frame.label_types().iter().map(|t| t.slots()).sum();
        let drop = self.slots - frame.slot_height - keep;
        let target = if frame.kind == FrameKind::Loop {
            frame.loop_start
        } else {
            u32::MAX
        };
        let patch = (frame.kind != FrameKind::Loop).then_some(frame_index);
        Ok((BranchTarget { target, drop, keep }, patch))
    }

    fn patch(&mut self, fixup: Fixup, target: u32) {
        match fixup {
            Fixup::Op(index) => match &mut self.code[index] {
                Op::Br { target: t }
                | Op::BrIf { target: t }
                | Op::BrUnless { target: t }
                | Op::BrAdjust { target: t, .. }
                | Op::BrIfAdjust { target: t, .. } => *t = target,
                other => unreachable!("fixup points at {other}"),
            },
            Fixup::Table(index) => self.branch_targets[index].target = target,
        }
    }

    /// Emits a branch (conditional or not) to label `depth`.
    fn emit_branch(&mut self, depth: u32, conditional: bool) -> Result<(), ValidationError> {
        if !self.is_reachable() {
            return Ok(());
        }
        let (branch, patch) = self.branch_to(depth)?;
        let BranchTarget { target, drop, keep } = branch;
        let function_level = depth as usize == self.controls.len() - 1;
        let op = match (function_level, conditional, drop) {
            (true, false, _) => Op::Return { results: keep },
            (_, false, 0) => Op::Br { target },
            (_, false, _) => Op::BrAdjust { target, drop, keep },
            (_, true, 0) => Op::BrIf { target },
            (_, true, _) => Op::BrIfAdjust { target, drop, keep },
        };
        // A branch to the function frame returns; conditional ones jump to the final `Return`.
        let is_return = matches!(op, Op::Return { .. });
        self.emit(op);
        if let (Some(frame), false) = (patch, is_return) {
            let index = self.code.len() - 1;
            self.controls[frame].fixups.push(Fixup::Op(index));
        }
        Ok(())
    }

    // ---- instrumentation for untrusted code ----

    /// Starts a metering segment: code from here to the next segment start is
    /// straight-line, so one `ConsumeFuel` at its head pays for all of it.
    fn begin_fuel_segment(&mut self) {
        self.fuel_op = None;
        if self.context.instrumentation.fuel && self.is_reachable() {
            self.emit(Op::ConsumeFuel { amount: 0 });
            self.fuel_op = Some(self.code.len() - 1);
        }
    }

    /// Counts one wasm instruction against the current segment.
    fn charge_fuel(&mut self) {
        if let Some(index) = self.fuel_op {
            if let Op::ConsumeFuel { amount } = &mut self.code[index] {
                *amount = amount.saturating_add(1);
            }
        }
    }

    /// Lets an interrupt stop the code here (function entry and loop headers,
    /// so every unbounded execution passes one).
    fn check_interrupt(&mut self) {
        if self.context.instrumentation.interrupts {
            self.emit(Op::CheckInterrupt);
        }
    }

    // ---- immediate checks called by the generated arms ----

    pub(super) fn check_memarg(
        &self,
        memarg: &MemArg,
        natural_align: u32,
    ) -> Result<(), ValidationError> {
        self.check_memidx(0)?;
        if memarg.align > natural_align {
            return Err(self.error("alignment must not be larger than natural"));
        }
        Ok(())
    }

    pub(super) fn check_memidx(&self, index: u32) -> Result<(), ValidationError> {
        if (index as usize) < self.context.memories.len() {
            Ok(())
        } else {
            Err(self.error("unknown memory"))
        }
    }

    pub(super) fn check_tableidx(&self, index: u32) -> Result<(), ValidationError> {
        self.table(index).map(|_| ())
    }

    pub(super) fn check_elemidx(&self, index: u32) -> Result<(), ValidationError> {
        self.elem(index).map(|_| ())
    }

    pub(super) fn check_dataidx(&self, index: u32) -> Result<(), ValidationError> {
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
    pub(super) fn check_lane(&self, lane: u8, lanes: u8) -> Result<(), ValidationError> {
        if lane < lanes {
            Ok(())
        } else {
            Err(self.error("invalid lane index"))
        }
    }

    #[allow(dead_code, reason = "used by i8x16.shuffle")]
    pub(super) fn check_shuffle(&self, lanes: &[u8; 16]) -> Result<(), ValidationError> {
        if lanes.iter().all(|&l| l < 32) {
            Ok(())
        } else {
            Err(self.error("invalid lane index"))
        }
    }

    fn table(&self, index: u32) -> Result<crate::types::TableType, ValidationError> {
        self.context
            .tables
            .get(index as usize)
            .copied()
            .ok_or_else(|| self.error("unknown table"))
    }

    fn elem(&self, index: u32) -> Result<RefType, ValidationError> {
        self.context
            .elem_types
            .get(index as usize)
            .copied()
            .ok_or_else(|| self.error("unknown elem segment"))
    }

    fn func_type(&self, index: u32) -> Result<&'m FuncType, ValidationError> {
        self.context
            .func_type(index)
            .ok_or_else(|| self.error("unknown type"))
    }

    // ---- hand-written typing of `exec = "runtime"` rows ----

    pub(super) fn check_call(&mut self, funcidx: u32) -> Result<(), ValidationError> {
        if funcidx as usize >= self.context.func_types.len() {
            return Err(self.error("unknown function"));
        }
        let ty = self.context.func_type_of(funcidx);
        self.pop_operands(ty.params())?;
        self.push_operands(ty.results());
        Ok(())
    }

    pub(super) fn check_call_indirect(
        &mut self,
        typeidx: u32,
        tableidx: u32,
    ) -> Result<(), ValidationError> {
        let table = self.table(tableidx)?;
        if table.element != RefType::FuncRef {
            return Err(self.error("type mismatch: call_indirect needs a funcref table"));
        }
        let ty = self.func_type(typeidx)?;
        self.pop_operand(ValType::I32)?;
        self.pop_operands(ty.params())?;
        self.push_operands(ty.results());
        Ok(())
    }

    pub(super) fn check_global_get(&mut self, globalidx: u32) -> Result<(), ValidationError> {
        let global = self
            .context
            .globals
            .get(globalidx as usize)
            .ok_or_else(|| self.error("unknown global"))?;
        self.push_operand(global.content);
        Ok(())
    }

    pub(super) fn check_global_set(&mut self, globalidx: u32) -> Result<(), ValidationError> {
        let global = *self
            .context
            .globals
            .get(globalidx as usize)
            .ok_or_else(|| self.error("unknown global"))?;
        if !global.mutable {
            return Err(self.error("global is immutable"));
        }
        self.pop_operand(global.content)
    }

    pub(super) fn check_table_get(&mut self, tableidx: u32) -> Result<(), ValidationError> {
        let table = self.table(tableidx)?;
        self.pop_operand(ValType::I32)?;
        self.push_operand(table.element.into());
        Ok(())
    }

    pub(super) fn check_table_set(&mut self, tableidx: u32) -> Result<(), ValidationError> {
        let table = self.table(tableidx)?;
        self.pop_operand(table.element.into())?;
        self.pop_operand(ValType::I32)
    }

    pub(super) fn check_table_grow(&mut self, tableidx: u32) -> Result<(), ValidationError> {
        let table = self.table(tableidx)?;
        self.pop_operand(ValType::I32)?;
        self.pop_operand(table.element.into())?;
        self.push_operand(ValType::I32);
        Ok(())
    }

    pub(super) fn check_table_fill(&mut self, tableidx: u32) -> Result<(), ValidationError> {
        let table = self.table(tableidx)?;
        self.pop_operand(ValType::I32)?;
        self.pop_operand(table.element.into())?;
        self.pop_operand(ValType::I32)
    }

    pub(super) fn check_table_copy(&mut self, dst: u32, src: u32) -> Result<(), ValidationError> {
        let dst_table = self.table(dst)?;
        let src_table = self.table(src)?;
        if dst_table.element != src_table.element {
            return Err(self.error("type mismatch: table.copy between tables of different types"));
        }
        self.pop_operands(&[ValType::I32, ValType::I32, ValType::I32])
    }

    pub(super) fn check_table_init(
        &mut self,
        elemidx: u32,
        tableidx: u32,
    ) -> Result<(), ValidationError> {
        let table = self.table(tableidx)?;
        let elem = self.elem(elemidx)?;
        if table.element != elem {
            return Err(self.error("type mismatch: table.init of a segment of another type"));
        }
        self.pop_operands(&[ValType::I32, ValType::I32, ValType::I32])
    }

    pub(super) fn check_ref_null(&mut self, reftype: RefType) -> Result<(), ValidationError> {
        self.push_operand(reftype.into());
        Ok(())
    }

    pub(super) fn check_ref_is_null(&mut self) -> Result<(), ValidationError> {
        match self.pop_any()? {
            None => {}
            Some(ty) if ty.is_ref() => {}
            Some(_) => return Err(self.error("type mismatch: ref.is_null needs a reference")),
        }
        self.push_operand(ValType::I32);
        Ok(())
    }

    pub(super) fn check_ref_func(&mut self, funcidx: u32) -> Result<(), ValidationError> {
        if funcidx as usize >= self.context.func_types.len() {
            return Err(self.error("unknown function"));
        }
        if !self.context.declared_refs.contains(&funcidx) {
            return Err(self.error("undeclared function reference"));
        }
        self.push_operand(ValType::FuncRef);
        Ok(())
    }

    // ---- `exec = "control"` rows: typing and translation ----

    pub(super) fn compile_block(&mut self, blocktype: BlockType) -> Result<(), ValidationError> {
        let (params, results) = self.block_signature(blocktype)?;
        self.pop_operands(&params)?;
        self.push_operands(&params);
        self.push_control(FrameKind::Block, params, results);
        Ok(())
    }

    pub(super) fn compile_loop(&mut self, blocktype: BlockType) -> Result<(), ValidationError> {
        let (params, results) = self.block_signature(blocktype)?;
        self.pop_operands(&params)?;
        self.push_operands(&params);
        self.push_control(FrameKind::Loop, params, results);
        // Branches back to the loop land here, so each iteration pays again.
        self.check_interrupt();
        self.begin_fuel_segment();
        Ok(())
    }

    pub(super) fn compile_if(&mut self, blocktype: BlockType) -> Result<(), ValidationError> {
        let (params, results) = self.block_signature(blocktype)?;
        self.pop_operand(ValType::I32)?;
        self.emit(Op::BrUnless { target: u32::MAX });
        let else_fixup = self.is_reachable().then(|| self.code.len() - 1);
        self.pop_operands(&params)?;
        self.push_operands(&params);
        self.push_control(FrameKind::If, params, results);
        self.controls.last_mut().expect("just pushed").else_fixup = else_fixup;
        self.begin_fuel_segment();
        Ok(())
    }

    pub(super) fn compile_else(&mut self) -> Result<(), ValidationError> {
        if self.top_frame().kind != FrameKind::If {
            return Err(self.error("else without a matching if"));
        }
        let frame = self.pop_control()?;
        // The `then` arm jumps over the `else` arm.
        let reachable_before = !frame.unreachable;
        let mut frame = frame;
        if reachable_before {
            self.code.push(Op::Br { target: u32::MAX });
            self.offsets.push(self.offset as u32);
            frame.fixups.push(Fixup::Op(self.code.len() - 1));
        }
        if let Some(index) = frame.else_fixup.take() {
            self.patch(Fixup::Op(index), self.code.len() as u32);
        }
        // Reopen the frame for the `else` arm with the parameters back on the stack.
        self.operands.truncate(frame.height);
        self.slots = frame.slot_height;
        let params = frame.params.clone();
        self.push_operands(&params);
        frame.kind = FrameKind::Else;
        frame.unreachable = false;
        self.controls.push(frame);
        self.begin_fuel_segment();
        Ok(())
    }

    pub(super) fn compile_end(&mut self) -> Result<(), ValidationError> {
        let frame = self.pop_control()?;
        if frame.kind == FrameKind::If && frame.params != frame.results {
            return Err(self.error("type mismatch: if without else must leave its parameters"));
        }
        self.operands.truncate(frame.height);
        self.slots = frame.slot_height;
        let end = self.code.len() as u32;
        if frame.kind == FrameKind::Function {
            // Every function ends in a `Return`, which conditional branches to
            // the function label also target.
            self.code.push(Op::Return {
                results: frame.results.iter().map(|t| t.slots()).sum(),
            });
            self.offsets.push(self.offset as u32);
        }
        for fixup in &frame.fixups {
            self.patch(*fixup, end);
        }
        if let Some(index) = frame.else_fixup {
            self.patch(Fixup::Op(index), end);
        }
        self.push_operands(&frame.results);
        // Code after `end` is reached from several places: a new segment.
        if !self.controls.is_empty() {
            self.begin_fuel_segment();
        }
        Ok(())
    }

    pub(super) fn compile_br(&mut self, depth: u32) -> Result<(), ValidationError> {
        let types: Box<[ValType]> = self.label(depth)?.label_types().into();
        self.pop_operands(&types)?;
        self.push_operands(&types);
        self.emit_branch(depth, false)
    }

    pub(super) fn compile_br_if(&mut self, depth: u32) -> Result<(), ValidationError> {
        let types: Box<[ValType]> = self.label(depth)?.label_types().into();
        self.pop_operand(ValType::I32)?;
        self.pop_operands(&types)?;
        self.push_operands(&types);
        self.emit_branch(depth, true)?;
        self.begin_fuel_segment();
        Ok(())
    }

    pub(super) fn compile_br_table(&mut self, table: &BrTable) -> Result<(), ValidationError> {
        self.pop_operand(ValType::I32)?;
        let default_arity = self.label(table.default)?.label_types().len();
        for &depth in table.labels.iter().chain(core::iter::once(&table.default)) {
            let types: Box<[ValType]> = self.label(depth)?.label_types().into();
            if types.len() != default_arity {
                return Err(self.error("type mismatch: br_table labels have different arities"));
            }
            // Check each label against the stack without consuming it.
            let saved = (self.operands.clone(), self.slots);
            self.pop_operands(&types)?;
            (self.operands, self.slots) = saved;
        }
        if self.is_reachable() {
            let first = self.branch_targets.len() as u32;
            for &depth in table.labels.iter().chain(core::iter::once(&table.default)) {
                let (mut branch, patch) = self.branch_to(depth)?;
                let index = self.branch_targets.len();
                if depth as usize == self.controls.len() - 1 {
                    // The function label: jump to the final `Return`.
                    branch.target = u32::MAX;
                    self.controls[0].fixups.push(Fixup::Table(index));
                } else if let Some(frame) = patch {
                    self.controls[frame].fixups.push(Fixup::Table(index));
                }
                self.branch_targets.push(branch);
            }
            let len = table.labels.len() as u32 + 1;
            self.emit(Op::BrTable { first, len });
        }
        self.set_unreachable();
        Ok(())
    }

    pub(super) fn compile_return(&mut self) -> Result<(), ValidationError> {
        let results = self.controls[0].results.clone();
        self.pop_operands(&results)?;
        self.push_operands(&results);
        self.emit(Op::Return {
            results: results.iter().map(|t| t.slots()).sum(),
        });
        Ok(())
    }

    pub(super) fn compile_drop(&mut self) -> Result<(), ValidationError> {
        let ty = self.pop_any()?;
        if let Some(ty) = ty {
            self.emit(Op::DropSlots { slots: ty.slots() });
        }
        Ok(())
    }

    fn emit_select(&mut self, ty: Option<ValType>) {
        match ty {
            Some(ValType::V128) => self.emit(Op::SelectV128),
            Some(_) => self.emit(Op::Select),
            None => {}
        }
    }

    pub(super) fn compile_select(&mut self) -> Result<(), ValidationError> {
        self.pop_operand(ValType::I32)?;
        let first = self.pop_any()?;
        let second = self.pop_any()?;
        let is_numeric = |t: Option<ValType>| t.is_none_or(|t| !t.is_ref());
        if !is_numeric(first) || !is_numeric(second) {
            return Err(self.error("type mismatch: select without a type needs numeric operands"));
        }
        let ty = match (first, second) {
            (Some(a), Some(b)) if a != b => {
                return Err(self.error("type mismatch: select operands differ"))
            }
            (Some(a), _) | (None, Some(a)) => Some(a),
            (None, None) => None,
        };
        self.push_unknown(ty);
        self.emit_select(ty);
        Ok(())
    }

    pub(super) fn compile_select_t(&mut self, types: &[ValType]) -> Result<(), ValidationError> {
        let [ty] = types else {
            return Err(self.error("invalid result arity"));
        };
        self.pop_operand(ValType::I32)?;
        self.pop_operand(*ty)?;
        self.pop_operand(*ty)?;
        self.push_operand(*ty);
        self.emit_select(Some(*ty));
        Ok(())
    }

    fn local(&self, index: u32) -> Result<(ValType, u32), ValidationError> {
        let ty = *self
            .locals
            .get(index as usize)
            .ok_or_else(|| self.error("unknown local"))?;
        Ok((ty, self.local_slots[index as usize]))
    }

    pub(super) fn compile_local_get(&mut self, index: u32) -> Result<(), ValidationError> {
        let (ty, slot) = self.local(index)?;
        self.push_operand(ty);
        for part in 0..ty.slots() {
            self.emit(Op::LocalGet { slot: slot + part });
        }
        Ok(())
    }

    pub(super) fn compile_local_set(&mut self, index: u32) -> Result<(), ValidationError> {
        let (ty, slot) = self.local(index)?;
        self.pop_operand(ty)?;
        for part in (0..ty.slots()).rev() {
            self.emit(Op::LocalSet { slot: slot + part });
        }
        Ok(())
    }

    pub(super) fn compile_local_tee(&mut self, index: u32) -> Result<(), ValidationError> {
        let (ty, slot) = self.local(index)?;
        self.pop_operand(ty)?;
        self.push_operand(ty);
        if ty.slots() == 1 {
            self.emit(Op::LocalTee { slot });
        } else {
            self.emit(Op::LocalSet { slot: slot + 1 });
            self.emit(Op::LocalSet { slot });
            self.emit(Op::LocalGet { slot });
            self.emit(Op::LocalGet { slot: slot + 1 });
        }
        Ok(())
    }
}
