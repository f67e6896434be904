//! The binary format: bytes in, a decoded [`Module`] out.

mod dump;
mod immediates;
mod instruction;
mod module;
mod reader;

pub use dump::{dump, dump_marked};
pub use immediates::{
    BlockType, BrTable, Catch, CatchKind, Ieee32, Ieee64, MemArg, TextImmediate, V128,
};
pub use instruction::{opcode_table, ConstOperand, Instruction, Opcode, Proposal};
pub use module::{
    decode, ConstExpr, Data, DataMode, Element, ElementMode, Export, ExportKind, FunctionBody,
    Global, Import, ImportKind, Module, Names,
};
pub use reader::{DecodeError, Reader, UnsupportedProposal};
