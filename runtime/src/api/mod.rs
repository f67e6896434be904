//! The embedding API, under the names wasmtime and wasmi users know.

mod call;
mod engine;
mod error;
mod externals;
mod instance;
mod linker;
mod module;
mod store;
mod typed;
mod values;

pub use engine::{Config, Engine};
pub use error::Error;
pub use externals::{Caller, Extern, Global, Memory, Table, Tag};
pub use instance::Instance;
pub use linker::{InstancePre, Linker};
pub use module::{ExportType, ImportType, Module};
pub use store::{
    AsContext, AsContextMut, InterruptHandle, ResourceLimiter, Store, StoreLimits,
    StoreLimitsBuilder, DEFAULT_INSTANCE_LIMIT, DEFAULT_MEMORY_LIMIT, DEFAULT_TABLE_LIMIT,
};
pub use typed::{IntoFunc, TypedFunc, WasmRet, WasmTy, WasmTyList};
pub use values::{AnyRef, ExnRef, ExternRef, Func, ThrownException, Val};

/// A `Result` whose error is this crate's [`Error`], as `wasmtime::Result`.
pub type Result<T, E = Error> = core::result::Result<T, E>;
