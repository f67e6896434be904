//! Instruction tracing for `tabula run --trace`.
//!
//! Code compiled with [`Config::trace`](crate::Config::trace) reports each
//! wasm instruction before it runs; other code carries no tracing at all.

/// One wasm instruction about to run.
#[derive(Clone, Copy, Debug)]
pub struct TraceEvent<'a> {
    /// Index of the running function in its module's function index space.
    pub func_index: u32,
    /// Its name from the `name` section.
    pub func_name: Option<&'a str>,
    /// Byte offset of the instruction in the module, as `tabula dump` shows it.
    pub offset: u32,
    /// The instruction in the text format.
    pub instruction: &'a str,
}

/// Receives trace events.
pub trait Tracer {
    /// Called before each traced instruction runs.
    fn record(&mut self, event: &TraceEvent<'_>);
}

/// The tracer that records nothing.
pub struct NoTrace;

impl Tracer for NoTrace {
    fn record(&mut self, _: &TraceEvent<'_>) {}
}

/// Writes one line per instruction: `func[3] <fib> @0x4a: i32.add`.
#[cfg(feature = "std")]
pub struct WriteTracer<W: std::io::Write>(pub W);

#[cfg(feature = "std")]
impl<W: std::io::Write> Tracer for WriteTracer<W> {
    fn record(&mut self, event: &TraceEvent<'_>) {
        let _ = match event.func_name {
            Some(name) => writeln!(
                self.0,
                "func[{}] <{name}> @{:#x}: {}",
                event.func_index, event.offset, event.instruction
            ),
            None => writeln!(
                self.0,
                "func[{}] @{:#x}: {}",
                event.func_index, event.offset, event.instruction
            ),
        };
    }
}
