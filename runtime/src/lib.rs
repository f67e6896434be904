//! Tabula: a WebAssembly runtime whose instruction set is a table.
//!
//! Data flows one way: bytes are decoded into a [`binary::Module`], validated
//! and compiled into a [`Module`], instantiated into an [`Instance`] inside a
//! [`Store`], and executed by the interpreter in [`exec`].
//!
//! Every instruction is declared once, in `opcodes.toml`; the `opcodes-macro`
//! crate generates the opcode enum, decoder, printer, validator arms and
//! executor arms from it. This crate holds only what a table cannot say.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod binary;
pub mod features;
pub mod types;

pub use features::Features;
pub mod exec;
pub mod validate;

mod api;

pub use api::*;
pub use exec::{Trap, TrapCode};
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "wasi")]
pub mod wasi;
#[cfg(feature = "wast")]
pub mod wast;
