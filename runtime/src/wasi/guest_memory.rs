//! Bounds-checked access to the guest's linear memory.
//!
//! Every pointer a guest passes is an untrusted `u32`: each access is checked
//! against the memory's length and a bad one gives `fault` instead of a host
//! panic. Values are little-endian and need no alignment, as in wasm.

use super::errno::Errno;
use super::types::size;

/// One `iovec`/`ciovec`: a buffer in guest memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IoVec {
    pub(crate) ptr: u32,
    pub(crate) len: u32,
}

/// The calling instance's memory, borrowed for one host call.
pub(crate) struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    pub(crate) fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> Result<core::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    /// `len` bytes at `ptr`.
    pub(crate) fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&self.bytes[range])
    }

    /// `len` bytes at `ptr`, writable.
    pub(crate) fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&mut self.bytes[range])
    }

    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], Errno> {
        let bytes = self.slice(ptr, N as u32)?;
        Ok(bytes.try_into().expect("slice of N bytes"))
    }

    pub(crate) fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.array::<1>(ptr)?[0])
    }

    pub(crate) fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    pub(crate) fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    pub(crate) fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Copies `bytes` to `ptr`.
    pub(crate) fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::FAULT)?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    pub(crate) fn write_u32(&mut self, ptr: u32, value: u32) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    pub(crate) fn write_u64(&mut self, ptr: u32, value: u64) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// A path or other string argument: `len` bytes of UTF-8 at `ptr`
    /// (`ilseq` if they are not UTF-8, as in wasmtime).
    pub(crate) fn read_str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        core::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::ILSEQ)
    }

    /// The `count` iovecs of an array at `ptr`, each checked to lie in memory,
    /// so that later reads and writes through them cannot fail.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<IoVec>, Errno> {
        let table_len = count.checked_mul(size::IOVEC).ok_or(Errno::FAULT)?;
        self.range(ptr, table_len)?;
        (0..count)
            .map(|i| {
                let at = ptr + i * size::IOVEC;
                let iov = IoVec {
                    ptr: self.read_u32(at)?,
                    len: self.read_u32(at + 4)?,
                };
                self.range(iov.ptr, iov.len)?;
                Ok(iov)
            })
            .collect()
    }

    /// The bytes of all `iovs`, concatenated.
    pub(crate) fn gather(&self, iovs: &[IoVec]) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(iovs.iter().map(|iov| iov.len as usize).sum());
        for iov in iovs {
            if let Ok(chunk) = self.slice(iov.ptr, iov.len) {
                bytes.extend_from_slice(chunk);
            }
        }
        bytes
    }
}
