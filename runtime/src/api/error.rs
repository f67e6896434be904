//! The error type of the embedding API.

use alloc::string::String;

use crate::binary::DecodeError;
use crate::exec::trap::{HostError, Trap};
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
    /// A handle or reference value was used with a store that does not own
    /// it (see [the crate docs](crate#store-isolation)).
    #[error("object used with the wrong store")]
    StoreMismatch,
    /// Execution trapped.
    #[error("{0}")]
    Trap(#[from] Trap),
    /// An error of the host's own, made by [`Error::new`]; raised from a host
    /// function it traps, and stays downcastable.
    #[error("{0}")]
    Host(HostError),
    /// The guest asked to exit (WASI `proc_exit`).
    #[error("exit status {0}")]
    Exit(i32),
}

impl Error {
    /// Wraps a host error, kept whole for [`Error::downcast_ref`] (as
    /// wasmtime's `Error::new`).
    pub fn new(error: impl core::error::Error + Send + Sync + 'static) -> Error {
        Error::Host(alloc::sync::Arc::new(error))
    }

    /// An error that is only a message (as wasmtime's `Error::msg`).
    pub fn msg(message: impl core::fmt::Display) -> Error {
        Error::Usage(alloc::format!("{message}"))
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) => Some(trap),
            _ => None,
        }
    }

    /// The error a host function returned, if this error is the trap it
    /// caused and that error is an `E` (as with wasmtime's
    /// `anyhow::Error::downcast_ref`). A [`Trap`] itself can be asked for too.
    ///
    /// ```
    /// use tabula::{Engine, Linker, Module, Store};
    ///
    /// #[derive(Debug)]
    /// struct Denied(u32);
    /// impl std::fmt::Display for Denied {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "request {} denied", self.0)
    ///     }
    /// }
    /// impl std::error::Error for Denied {}
    ///
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (import "host" "ask" (func $ask (param i32)))
    ///     (func (export "run") (call $ask (i32.const 7))))"#)?;
    /// let mut linker = Linker::new(&engine);
    /// linker.func_wrap("host", "ask", |id: u32| -> Result<(), Denied> { Err(Denied(id)) })?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// let run = instance.get_typed_func::<(), ()>(&store, "run")?;
    /// let error = run.call(&mut store, ()).unwrap_err();
    /// assert_eq!(error.downcast_ref::<Denied>().unwrap().0, 7);
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn downcast_ref<E: core::error::Error + 'static>(&self) -> Option<&E> {
        if let Error::Host(error) = self {
            let error: &(dyn core::error::Error + 'static) = &**error;
            return error.downcast_ref::<E>();
        }
        let trap = self.as_trap()?;
        if let Some(trap) = (trap as &dyn core::any::Any).downcast_ref::<E>() {
            return Some(trap);
        }
        trap.downcast_ref::<E>()
    }

    /// The trap that raising this error from a host function causes.
    pub(crate) fn into_trap(self) -> Trap {
        match self {
            Error::Trap(trap) => trap,
            Error::Exit(status) => Trap::exit(status),
            Error::Host(error) => Trap::from_shared_host_error(error),
            other => Trap::from_host_error(other),
        }
    }

    /// Whether [`Error::downcast_ref`] would find an `E`.
    pub fn is<E: core::error::Error + 'static>(&self) -> bool {
        self.downcast_ref::<E>().is_some()
    }
}
