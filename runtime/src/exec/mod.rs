//! Execution: the handlers, the dispatch that chains them, and the runtime
//! state they work on.

pub(crate) mod dispatch;
pub(crate) mod gc;
pub(crate) mod handlers;
pub(crate) mod interp;
pub(crate) mod memory;
pub(crate) mod objects;
pub mod semantics;
pub(crate) mod stack;
pub(crate) mod store;
pub mod trace;
pub mod trap;

pub use dispatch::TAIL_CALLS;
pub use memory::{MAX_PAGES, PAGE_SIZE};
pub use trap::{BacktraceFrame, Trap, TrapCode};
