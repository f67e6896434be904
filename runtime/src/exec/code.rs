//! Compiled code: what the validator emits and the interpreter runs.
//!
//! Each function becomes a flat `Vec<Op>` in which every branch target is an
//! index into that vector, resolved once at load time. Values live in untyped
//! 64-bit stack slots (a `v128` takes two), addressed relative to the frame.

use alloc::boxed::Box;
use core::fmt;

use super::memory::MemoryView;
use super::semantics;
use super::stack::ValueStack;
use super::trace::Tracer;
use super::trap::TrapCode;
use crate::types::RefType;

opcodes_macro::executor! {
    table = "../opcodes.toml";
    internal {
        /// Pushes a local.
        LocalGet {
            /// Frame slot of the local.
            slot: u32,
        },
        /// Pops into a local.
        LocalSet {
            /// Frame slot of the local.
            slot: u32,
        },
        /// Copies the top of the stack into a local.
        LocalTee {
            /// Frame slot of the local.
            slot: u32,
        },
        /// Pops values.
        DropSlots {
            /// How many slots to pop.
            slots: u32,
        },
        /// `select` on one-slot values.
        Select,
        /// `select` on `v128` values.
        SelectV128,
        /// Jumps.
        Br {
            /// Op index to continue at.
            target: u32,
        },
        /// Keeps the top `keep` slots, removes the `drop` slots below them, and jumps.
        BrAdjust {
            /// Op index to continue at.
            target: u32,
            /// Slots removed below the kept values.
            drop: u32,
            /// Slots kept on top.
            keep: u32,
        },
        /// Pops an i32 and jumps if it is not zero.
        BrIf {
            /// Op index to continue at.
            target: u32,
        },
        /// Pops an i32; if it is not zero, does what `BrAdjust` does.
        BrIfAdjust {
            /// Op index to continue at.
            target: u32,
            /// Slots removed below the kept values.
            drop: u32,
            /// Slots kept on top.
            keep: u32,
        },
        /// Pops an i32 and jumps if it is zero (an `if` skipping its `then` arm).
        BrUnless {
            /// Op index to continue at.
            target: u32,
        },
        /// Pops an index and takes one of the function's `br_table` targets.
        BrTable {
            /// First target in the function's branch table.
            first: u32,
            /// Number of targets; the last one is the default.
            len: u32,
        },
        /// Takes fuel for the instructions up to the next metering point; traps
        /// when the store has too little (emitted only when fuel is on).
        ConsumeFuel {
            /// Wasm instructions paid for.
            amount: u32,
        },
        /// Traps if the store was asked to interrupt (emitted only when enabled).
        CheckInterrupt,
        /// Moves the results to the frame base and returns to the caller.
        Return {
            /// Slots the results take.
            results: u32,
        },
    }
}

/// A branch taken through `br_table`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BranchTarget {
    /// Op index to continue at.
    pub target: u32,
    /// Slots removed below the kept values.
    pub drop: u32,
    /// Slots kept on top.
    pub keep: u32,
}

/// A function compiled for the interpreter.
#[derive(Clone, Debug)]
pub struct CompiledFunc {
    /// Index in the module's function index space (imports first).
    pub func_index: u32,
    /// The module type index of its signature.
    pub type_index: u32,
    /// The code; the last op is always a `Return`.
    pub code: Box<[Op]>,
    /// Targets of `br_table` ops.
    pub branch_targets: Box<[BranchTarget]>,
    /// Wasm byte offset of each op, for backtraces and traces.
    pub offsets: Box<[u32]>,
    /// Slots taken by parameters (the caller has already pushed them).
    pub param_slots: u32,
    /// Slots taken by declared locals beyond the parameters (zeroed on entry).
    pub local_slots: u32,
    /// Slots taken by the results.
    pub result_slots: u32,
    /// Most operand slots in use at once, above the locals.
    pub max_operand_slots: u32,
}

impl CompiledFunc {
    /// Slots the function's frame needs: parameters, locals and operands.
    pub fn frame_slots(&self) -> usize {
        self.param_slots as usize + self.local_slots as usize + self.max_operand_slots as usize
    }
}

impl fmt::Display for CompiledFunc {
    /// Lists the compiled code, one op per line with its index.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, op) in self.code.iter().enumerate() {
            writeln!(f, "{index:5}: {op}")?;
        }
        Ok(())
    }
}

/// A validated module together with the compiled code of its functions.
#[derive(Debug)]
pub struct CompiledModule {
    /// The decoded module.
    pub module: crate::binary::Module,
    /// Compiled code of each defined function, in function index order.
    pub funcs: Box<[CompiledFunc]>,
}

impl CompiledModule {
    /// The name of function `func_index` from the name section, if any.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        self.module
            .names
            .functions
            .get(&func_index)
            .map(|s| s.as_str())
    }
}
