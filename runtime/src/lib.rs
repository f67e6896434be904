//! Tabula: a WebAssembly runtime whose instruction set is a table.
//!
//! Data flows one way: bytes are decoded into a [`binary::Module`], validated
//! into a [`Module`] (each function is translated into register code on its
//! first call), instantiated into an [`Instance`] inside a [`Store`], and
//! executed by the threaded handlers in [`exec`].
//!
//! Every instruction is declared once, in `opcodes.toml`; the `opcodes-macro`
//! crate generates the opcode enum, decoder, printer, validator arms and
//! the executor's handlers from it. This crate holds only what a table cannot
//! say.
//!
//! # Embedding
//!
//! The API follows wasmtime's names: an [`Engine`] compiles [`Module`]s, a
//! [`Store`] owns instances and the host's data, a [`Linker`] resolves imports.
//!
//! ```
//! use tabula::{Caller, Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "env" "double" (func $double (param i32) (result i32)))
//!     (func (export "run") (param i32) (result i32)
//!       (i32.add (call $double (local.get 0)) (i32.const 1))))"#)?;
//!
//! let mut store = Store::new(&engine, 0u32); // host data: a call counter
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("env", "double", |mut caller: Caller<'_, u32>, x: i32| {
//!     *caller.data_mut() += 1;
//!     x * 2
//! })?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
//! assert_eq!(run.call(&mut store, 20)?, 41);
//! assert_eq!(*store.data(), 1);
//! # Ok::<(), tabula::Error>(())
//! ```
//!
//! Limits for untrusted code: [`Config::consume_fuel`] with
//! [`Store::set_fuel`], [`Config::interruptible`] with
//! [`Store::interrupt_handle`], [`Config::epoch_interruption`] with
//! [`Engine::increment_epoch`], [`Config::max_call_depth`],
//! [`Config::max_backtrace_frames`], and a [`ResourceLimiter`] (such as
//! [`StoreLimits`]) through [`Store::limiter`]. WASI preview1 lives in
//! `tabula::wasi` (feature `wasi`).
//!
//! # Store isolation
//!
//! Every store gets a unique id when it is made, and every handle into it
//! ([`Func`], [`Memory`], [`Global`], [`Table`], [`Instance`], and the
//! [`ExternRef`] and `funcref` values in a [`Val`]) carries that id. A handle
//! is never resolved in a store that does not own it:
//!
//! - a method that returns a `Result` returns [`Error::StoreMismatch`] (this
//!   covers call arguments, values stored into globals and tables, imports
//!   passed to [`Instance::new`], and [`Linker::define`]);
//! - a method that returns no `Result` (such as [`Memory::data`],
//!   [`Func::ty`] or [`Instance::get_export`]) panics with "object used with
//!   the wrong store", as wasmtime does.
//!
//! ```should_panic
//! use tabula::{Engine, Memory, MemoryType, Store};
//!
//! let engine = Engine::default();
//! let mut a = Store::new(&engine, ());
//! let b = Store::new(&engine, ());
//! let memory = Memory::new(&mut a, MemoryType::new(1, None)).unwrap();
//! memory.data(&b); // panics: object used with the wrong store
//! ```
//!
//! # Features
//!
//! `std`, `wat`, `wasi`, `wast` and `cli` are on by default. With
//! `--no-default-features` the crate is `#![no_std]` + `alloc`: decoding,
//! validation, execution and the embedding API, with no text format or WASI.

#![cfg_attr(not(feature = "std"), no_std)]
// Lints (`missing_docs`, `unsafe_op_in_unsafe_fn`, ...) are set for the
// whole workspace in the root `Cargo.toml`'s `[workspace.lints]`.

extern crate alloc;

pub mod binary;
pub mod features;
pub mod types;

pub use features::Features;
pub mod exec;
mod ir;
pub mod validate;

mod api;

pub use api::*;
pub use exec::gc::GcStats;
pub use exec::{BacktraceFrame, Trap, TrapCode};
pub use types::{
    CompositeKind, CompositeType, ExternType, FieldType, FuncType, GlobalType, HeapType, Limits,
    MemoryType, Mutability, RefType, StorageType, TableType, TagType, ValType,
};
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "wasi")]
pub mod wasi;
#[cfg(feature = "wast")]
pub mod wast;
