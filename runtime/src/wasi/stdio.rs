//! The guest's standard streams: where its output goes and where its input
//! comes from.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use super::errno::Errno;

/// Where a standard output stream (stdout or stderr) goes.
#[derive(Clone, Debug, Default)]
pub enum Output {
    /// The host process's own stream (the default).
    #[default]
    Inherit,
    /// A buffer the host can read afterwards.
    Capture(Arc<Mutex<Vec<u8>>>),
    /// Discarded.
    Null,
}

impl Output {
    /// A fresh capture buffer and the output that fills it.
    pub fn capture() -> (Output, Arc<Mutex<Vec<u8>>>) {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        (Output::Capture(Arc::clone(&buffer)), buffer)
    }

    /// Writes all of `bytes`; `stderr` picks the host stream for `Inherit`.
    pub(crate) fn write(&self, stderr: bool, bytes: &[u8]) -> Result<(), Errno> {
        match self {
            // Flushed at once, so that the guest's stdout and stderr
            // interleave as it wrote them.
            Output::Inherit if stderr => write_flush(&mut std::io::stderr().lock(), bytes),
            Output::Inherit => write_flush(&mut std::io::stdout().lock(), bytes),
            Output::Capture(buffer) => {
                buffer
                    .lock()
                    .map_err(|_| Errno::IO)?
                    .extend_from_slice(bytes);
                Ok(())
            }
            Output::Null => Ok(()),
        }
    }

    /// Whether the guest should see a terminal (`isatty`).
    pub(crate) fn is_terminal(&self, stderr: bool) -> bool {
        match self {
            Output::Inherit if stderr => std::io::stderr().is_terminal(),
            Output::Inherit => std::io::stdout().is_terminal(),
            _ => false,
        }
    }
}

fn write_flush(stream: &mut impl Write, bytes: &[u8]) -> Result<(), Errno> {
    stream.write_all(bytes)?;
    stream.flush()?;
    Ok(())
}

/// Where the guest's stdin comes from.
#[derive(Clone, Debug, Default)]
pub enum Input {
    /// The host process's stdin (the default).
    #[default]
    Inherit,
    /// These bytes, then end of file.
    Bytes(Arc<[u8]>),
    /// End of file at once.
    Null,
}

impl Input {
    /// Input that yields `bytes`, then end of file.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Input {
        Input::Bytes(bytes.into().into())
    }
}

/// A stdin descriptor: its input and how far the guest has read it.
#[derive(Debug)]
pub(crate) struct Stdin {
    pub(crate) input: Input,
    pub(crate) position: usize,
}

impl Stdin {
    pub(crate) fn new(input: Input) -> Self {
        Stdin { input, position: 0 }
    }

    /// One read of at most `buf.len()` bytes; 0 at end of file.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        match &self.input {
            Input::Inherit => read_host_stdin(buf),
            Input::Bytes(bytes) => {
                let rest = bytes.get(self.position..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                self.position += n;
                Ok(n)
            }
            Input::Null => Ok(0),
        }
    }

    /// Bytes that can be read without waiting, if that is known without
    /// waiting: `None` means "ask the host's stdin".
    pub(crate) fn ready_bytes(&self) -> Option<u64> {
        match &self.input {
            Input::Inherit => None,
            Input::Bytes(bytes) => Some(bytes.len().saturating_sub(self.position) as u64),
            Input::Null => Some(0),
        }
    }

    /// Whether the guest should see a terminal (`isatty`).
    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self.input, Input::Inherit) && std::io::stdin().is_terminal()
    }
}

/// Reads the host's fd 0 directly: std's `Stdin` buffers, and bytes hidden
/// in its buffer would be invisible to `poll_oneoff`'s readiness check.
#[cfg(unix)]
fn read_host_stdin(buf: &mut [u8]) -> Result<usize, Errno> {
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    loop {
        match rustix::io::read(stdin.as_fd(), &mut *buf) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(std::io::Error::from(e).into()),
        }
    }
}

#[cfg(not(unix))]
fn read_host_stdin(buf: &mut [u8]) -> Result<usize, Errno> {
    use std::io::Read;
    Ok(std::io::stdin().read(buf)?)
}
