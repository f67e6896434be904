//! Instruction tracing for `tabula run --trace`.
//!
//! The interpreter is generic over a [`Tracer`]; with [`NoTrace`] every
//! tracing call is behind `if T::ENABLED` and compiles away.

use core::fmt;

use super::code::Op;

/// A value consumed or produced by a traced instruction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TraceValue {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
    /// A `v128`.
    V128(u128),
}

impl From<i32> for TraceValue {
    fn from(v: i32) -> Self {
        TraceValue::I32(v)
    }
}
impl From<i64> for TraceValue {
    fn from(v: i64) -> Self {
        TraceValue::I64(v)
    }
}
impl From<f32> for TraceValue {
    fn from(v: f32) -> Self {
        TraceValue::F32(v)
    }
}
impl From<f64> for TraceValue {
    fn from(v: f64) -> Self {
        TraceValue::F64(v)
    }
}
impl From<u128> for TraceValue {
    fn from(v: u128) -> Self {
        TraceValue::V128(v)
    }
}

impl fmt::Display for TraceValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceValue::I32(v) => write!(f, "i32:{v}"),
            TraceValue::I64(v) => write!(f, "i64:{v}"),
            TraceValue::F32(v) => write!(f, "f32:{v}"),
            TraceValue::F64(v) => write!(f, "f64:{v}"),
            TraceValue::V128(v) => write!(f, "v128:{v:#034x}"),
        }
    }
}

/// Receives every executed op.
pub trait Tracer {
    /// False for the tracer that records nothing, so tracing compiles away.
    const ENABLED: bool;

    /// Called after `op` ran, with the values it popped and pushed.
    fn record(&mut self, op: &Op, consumed: &[TraceValue], produced: &[TraceValue]);
}

/// The tracer that records nothing.
pub struct NoTrace;

impl Tracer for NoTrace {
    const ENABLED: bool = false;

    #[inline(always)]
    fn record(&mut self, _: &Op, _: &[TraceValue], _: &[TraceValue]) {}
}

/// Writes one line per op to a writer: `i32.add i32:2 i32:3 -> i32:5`.
#[cfg(feature = "std")]
pub struct WriteTracer<W: std::io::Write>(pub W);

#[cfg(feature = "std")]
impl<W: std::io::Write> Tracer for WriteTracer<W> {
    const ENABLED: bool = true;

    fn record(&mut self, op: &Op, consumed: &[TraceValue], produced: &[TraceValue]) {
        let mut line = alloc::format!("{op}");
        for value in consumed {
            line.push_str(&alloc::format!(" {value}"));
        }
        if !produced.is_empty() {
            line.push_str(" ->");
            for value in produced {
                line.push_str(&alloc::format!(" {value}"));
            }
        }
        let _ = writeln!(self.0, "{line}");
    }
}
