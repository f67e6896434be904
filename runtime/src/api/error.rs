//! The error type of the embedding API.

use alloc::string::String;

use crate::binary::DecodeError;
use crate::exec::trap::Trap;
use crate::validate::ValidationError;

/// Anything that can go wrong between bytes and results.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text format could not be parsed.
    #[error("{0}")]
    Text(String),
    /// The binary is malformed, or uses a proposal Tabula does not
    /// implement (then [`DecodeError::unsupported`] names it).
    #[error("{kind}{0}", kind = if .0.unsupported.is_some() { "" } else { "malformed module: " })]
    Decode(#[from] DecodeError),
    /// The module is invalid.
    #[error("invalid module: {0}")]
    Validation(#[from] ValidationError),
    /// An import could not be satisfied, or had the wrong type.
    #[error("unknown import or incompatible import type: {0}")]
    Link(String),
    /// A call's arguments did not match the function's type, or similar misuse.
    #[error("{0}")]
    Usage(String),
    /// Execution trapped.
    #[error("{0}")]
    Trap(#[from] Trap),
    /// The guest asked to exit (WASI `proc_exit`).
    #[error("exit status {0}")]
    Exit(i32),
}

impl Error {
    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) => Some(trap),
            _ => None,
        }
    }
}
