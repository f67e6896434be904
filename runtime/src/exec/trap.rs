//! Trap kinds: the ways the spec says execution can abort.

use core::fmt;

/// Why execution trapped. `Display` gives the spec testsuite's wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// `unreachable` was executed.
    Unreachable,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow (`MIN / -1`) or a float too large for the integer type.
    IntegerOverflow,
    /// Float-to-integer conversion of NaN.
    InvalidConversionToInteger,
    /// A load, store or bulk memory operation outside the memory.
    MemoryOutOfBounds,
    /// A table access or bulk table operation outside the table.
    TableOutOfBounds,
    /// `call_indirect` with an index past the end of the table.
    UndefinedElement,
    /// `call_indirect` found a function of another type.
    IndirectCallTypeMismatch,
    /// `call_indirect` found a null table entry.
    UninitializedElement,
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference,
    /// `ref.as_non_null` of a null reference.
    NullReference,
    /// The call depth or value stack limit was reached.
    CallStackExhausted,
    /// The store ran out of fuel.
    OutOfFuel,
    /// Another thread asked the running call to stop.
    Interrupted,
    /// A host function reported an error.
    HostError,
    /// `throw_ref` of a null exnref.
    NullExceptionReference,
    /// An exception was thrown and nothing caught it
    /// ([`Trap::exception`] says which).
    UncaughtException,
    /// `struct.get` or `struct.set` on a null reference (GC).
    NullStructReference,
    /// An `array.*` instruction on a null reference (GC).
    NullArrayReference,
    /// `i31.get_s` or `i31.get_u` on a null reference (GC).
    NullI31Reference,
    /// An array index or range past the array's end (GC).
    ArrayOutOfBounds,
    /// `ref.cast` of a reference that is not of the target type (GC).
    CastFailure,
    /// A struct or array larger than one object may be (2 GiB), or more
    /// than the system could give (GC).
    AllocationTooLarge,
    /// An allocation would take the GC heap past
    /// [`Config::max_gc_heap`](crate::Config::max_gc_heap), even after a
    /// collection.
    GcHeapExhausted,
}

impl TrapCode {
    /// The message the spec testsuite expects for this trap.
    pub const fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullReference => "null reference",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::HostError => "host function error",
            TrapCode::NullExceptionReference => "null exception reference",
            TrapCode::UncaughtException => "uncaught exception",
            TrapCode::NullStructReference => "null structure reference",
            TrapCode::NullArrayReference => "null array reference",
            TrapCode::NullI31Reference => "null i31 reference",
            TrapCode::ArrayOutOfBounds => "out of bounds array access",
            TrapCode::CastFailure => "cast failure",
            TrapCode::AllocationTooLarge => "allocation too large",
            TrapCode::GcHeapExhausted => "GC heap exhausted",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for TrapCode {}

/// One wasm frame of a trap's backtrace, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacktraceFrame {
    /// Index in the module's function index space.
    pub func_index: u32,
    /// The function's name from the `name` section.
    pub func_name: Option<alloc::string::String>,
    /// Byte offset of the instruction within the module.
    pub offset: u32,
}

/// A host function's error, kept whole so the embedder can downcast it.
pub type HostError = alloc::sync::Arc<dyn core::error::Error + Send + Sync>;

/// A trap: its kind, and where the wasm code was when it happened.
#[derive(Clone, Debug)]
pub struct Trap {
    /// What went wrong.
    pub code: TrapCode,
    /// The innermost frames of the wasm call stack, innermost first: at most
    /// `Config::max_backtrace_frames` of them.
    pub backtrace: alloc::vec::Vec<BacktraceFrame>,
    /// How many outer frames were live but not kept in `backtrace`.
    pub omitted_frames: usize,
    /// Extra detail, e.g. a host function's error message.
    pub message: Option<alloc::string::String>,
    /// Set when the guest asked to exit (WASI `proc_exit`) rather than failed.
    pub exit_status: Option<i32>,
    /// The error a host function returned, when it caused the trap.
    pub host_error: Option<HostError>,
}

/// Traps are equal when everything but the host error is, and both or
/// neither carry the same host error object.
impl PartialEq for Trap {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
            && self.backtrace == other.backtrace
            && self.omitted_frames == other.omitted_frames
            && self.message == other.message
            && self.exit_status == other.exit_status
            && match (&self.host_error, &other.host_error) {
                (None, None) => true,
                (Some(a), Some(b)) => alloc::sync::Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

impl Eq for Trap {}

impl Trap {
    /// A trap with no backtrace.
    pub fn new(code: TrapCode) -> Self {
        Trap {
            code,
            backtrace: alloc::vec::Vec::new(),
            omitted_frames: 0,
            message: None,
            exit_status: None,
            host_error: None,
        }
    }

    /// Unwinds the guest because it asked to exit with `status`.
    pub fn exit(status: i32) -> Self {
        Trap {
            exit_status: Some(status),
            message: Some(alloc::format!("exit with status {status}")),
            ..Trap::new(TrapCode::HostError)
        }
    }

    /// A trap raised by a host function with a message.
    pub fn host(message: impl Into<alloc::string::String>) -> Self {
        Trap {
            message: Some(message.into()),
            ..Trap::new(TrapCode::HostError)
        }
    }

    /// A trap raised by a host function that failed with `error`; the error
    /// is kept whole, for [`Trap::downcast_ref`] and `Error::downcast_ref`.
    pub fn from_host_error(error: impl core::error::Error + Send + Sync + 'static) -> Self {
        Trap {
            message: Some(alloc::format!("{error}")),
            host_error: Some(alloc::sync::Arc::new(error)),
            ..Trap::new(TrapCode::HostError)
        }
    }

    /// A trap raised by a host function that failed with the shared `error`.
    pub(crate) fn from_shared_host_error(error: HostError) -> Self {
        Trap {
            message: Some(alloc::format!("{error}")),
            host_error: Some(error),
            ..Trap::new(TrapCode::HostError)
        }
    }

    /// The exception, when the code is [`TrapCode::UncaughtException`]
    /// (it travels as the trap's error, so traps stay small). A host
    /// function may return such a trap to throw the exception on into its
    /// wasm caller.
    pub fn exception(&self) -> Option<&crate::api::ThrownException> {
        self.downcast_ref::<crate::api::ThrownException>()
    }

    /// The host error that caused the trap, if it is an `E`.
    pub fn downcast_ref<E: core::error::Error + 'static>(&self) -> Option<&E> {
        let error: &(dyn core::error::Error + 'static) = self.host_error.as_deref()?;
        error.downcast_ref::<E>()
    }

    /// Sets the backtrace: the frames kept and how many outer ones were not.
    pub(crate) fn set_backtrace(
        &mut self,
        (frames, omitted): (alloc::vec::Vec<BacktraceFrame>, usize),
    ) {
        self.backtrace = frames;
        self.omitted_frames = omitted;
    }
}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Self {
        Trap::new(code)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) if self.code == TrapCode::HostError => f.write_str(message)?,
            Some(message) => write!(f, "{}: {message}", self.code)?,
            None => write!(f, "{}", self.code)?,
        }
        if !self.backtrace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            // A run of identical frames (recursion) prints once, with a count.
            let mut i = 0;
            while i < self.backtrace.len() {
                let frame = &self.backtrace[i];
                let run = self.backtrace[i..]
                    .iter()
                    .take_while(|other| *other == frame)
                    .count();
                write!(f, "\n  {i}: ")?;
                write_frame(f, frame)?;
                if run > 1 {
                    write!(f, "\n  … {} more {} of the same", run - 1, frames(run - 1))?;
                }
                i += run;
            }
        }
        if self.omitted_frames > 0 {
            let omitted = self.omitted_frames;
            write!(f, "\n  … {omitted} more {} (not kept)", frames(omitted))?;
        }
        Ok(())
    }
}

/// "frame" or "frames", for `count` of them.
fn frames(count: usize) -> &'static str {
    if count == 1 {
        "frame"
    } else {
        "frames"
    }
}

fn write_frame(f: &mut fmt::Formatter<'_>, frame: &BacktraceFrame) -> fmt::Result {
    match &frame.func_name {
        Some(name) => write!(f, "{name}")?,
        None => write!(f, "<func {}>", frame.func_index)?,
    }
    write!(f, " @ {:#x}", frame.offset)
}

impl core::error::Error for Trap {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        self.host_error
            .as_deref()
            .map(|e| e as &(dyn core::error::Error + 'static))
    }
}
