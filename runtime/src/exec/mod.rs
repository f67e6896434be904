//! Execution: compiled code, the interpreter, and the runtime state it works on.

pub mod code;
pub(crate) mod interp;
pub(crate) mod memory;
pub mod semantics;
pub(crate) mod stack;
pub(crate) mod store;
pub mod trace;
pub mod trap;

pub use memory::{MAX_PAGES, PAGE_SIZE};
pub use trap::{BacktraceFrame, Trap, TrapCode};
