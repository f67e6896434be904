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
    /// The call depth or value stack limit was reached.
    CallStackExhausted,
    /// The store ran out of fuel.
    OutOfFuel,
    /// Another thread asked the running call to stop.
    Interrupted,
    /// A host function reported an error.
    HostError,
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
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::HostError => "host function error",
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

/// A trap: its kind, and where the wasm code was when it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// What went wrong.
    pub code: TrapCode,
    /// The wasm call stack, innermost frame first.
    pub backtrace: alloc::vec::Vec<BacktraceFrame>,
    /// Extra detail, e.g. a host function's error message.
    pub message: Option<alloc::string::String>,
    /// Set when the guest asked to exit (WASI `proc_exit`) rather than failed.
    pub exit_status: Option<i32>,
}

impl Trap {
    /// A trap with no backtrace.
    pub fn new(code: TrapCode) -> Self {
        Trap {
            code,
            backtrace: alloc::vec::Vec::new(),
            message: None,
            exit_status: None,
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
            code: TrapCode::HostError,
            backtrace: alloc::vec::Vec::new(),
            message: Some(message.into()),
            exit_status: None,
        }
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
            for (i, frame) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i}: ")?;
                match &frame.func_name {
                    Some(name) => write!(f, "{name}")?,
                    None => write!(f, "<func {}>", frame.func_index)?,
                }
                write!(f, " @ {:#x}", frame.offset)?;
            }
        }
        Ok(())
    }
}

impl core::error::Error for Trap {}
