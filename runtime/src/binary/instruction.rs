//! Opcodes and decoded instructions, generated from `opcodes.toml`.
//!
//! This file holds no instruction list of its own: `instructions!` expands to
//! the `Proposal` and `Opcode` enums with their metadata, the `Instruction`
//! type, `Instruction::decode` and `Display for Instruction`.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt::{self, Write as _};

use super::immediates::{BlockType, BrTable, Catch, Ieee32, Ieee64, MemArg, TextImmediate, V128};
use super::reader::{DecodeError, Reader};
use crate::features::Features;
use crate::types::{HeapType, ValType};

opcodes_macro::instructions!("opcodes.toml");

/// The instruction table as `tabula opcodes` prints it: one line per row of
/// `opcodes.toml`, in table order, giving the mnemonic, the encoding, the
/// immediates and the stack effect (or that the typing is hand-written).
///
/// ```
/// let table = tabula::binary::opcode_table();
/// let add = table.lines().find(|line| line.starts_with("i32.add ")).unwrap();
/// assert!(add.contains("0x6a") && add.ends_with("i32 i32 -> i32"));
/// ```
pub fn opcode_table() -> String {
    let mut table = String::new();
    for opcode in Opcode::ALL {
        let encoding = match opcode.prefix() {
            Some(prefix) => alloc::format!("{prefix:#04x} {:#04x}", opcode.code()),
            None => alloc::format!("{:#04x}", opcode.code()),
        };
        let immediates = match opcode.immediates() {
            [] => String::from("-"),
            list => list.join(", "),
        };
        let effect = opcode.stack_effect().unwrap_or("(hand-written typing)");
        // Writing to a `String` cannot fail.
        let _ = writeln!(
            table,
            "{:<28} {encoding:<10} {immediates:<28} {effect}",
            opcode.mnemonic()
        );
    }
    table
}

/// What one instruction of a constant expression contributes: the answer of
/// [`Instruction::constant_operand`] for the rows `opcodes.toml` marks
/// `const = true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstOperand {
    /// A number or vector of type `ty`, as its bit pattern (zero-extended).
    Value {
        /// The value's type.
        ty: ValType,
        /// The value's bits: an `i32` as its two's complement `u32`, a
        /// float as its IEEE 754 bits, a `v128` whole.
        bits: u128,
    },
    /// `ref.null`: a null reference to this heap type.
    Null(HeapType),
    /// `ref.func`: a reference to the function with this index.
    Func(u32),
    /// `global.get`: the value of the global with this index.
    Global(u32),
    /// An operator (`i32.add`, with extended constant expressions) applied
    /// to the values below it on the constant expression's stack.
    Operator {
        /// The instruction.
        opcode: Opcode,
        /// The types it pops, bottom to top.
        params: &'static [ValType],
        /// The type it pushes.
        result: ValType,
    },
    /// An instruction whose constant typing and evaluation are written by
    /// hand, from the instruction itself (GC's allocations and the
    /// `any`/`extern` conversions).
    Runtime,
}
