//! Opcodes and decoded instructions, generated from `opcodes.toml`.
//!
//! This file holds no instruction list of its own: `instructions!` expands to
//! the `Proposal` and `Opcode` enums with their metadata, the `Instruction`
//! type, `Instruction::decode` and `Display for Instruction`.

use alloc::boxed::Box;
use core::fmt;

use super::immediates::{BlockType, BrTable, Ieee32, Ieee64, MemArg, TextImmediate, V128};
use super::reader::{DecodeError, Reader};
use crate::features::Features;
use crate::types::{RefType, ValType};

opcodes_macro::instructions!("../opcodes.toml");
