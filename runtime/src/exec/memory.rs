//! Linear memories and the bounds-checked view the interpreter loads through.

use alloc::vec::Vec;

use super::trap::TrapCode;
use crate::types::MemoryType;

/// Bytes in a WebAssembly page.
pub const PAGE_SIZE: usize = 65536;
/// Pages addressable by a 32-bit memory.
pub const MAX_PAGES: u32 = 65536;

/// A linear memory owned by a store.
#[derive(Debug)]
pub struct LinearMemory {
    pub(crate) ty: MemoryType,
    pub(crate) data: Vec<u8>,
}

impl LinearMemory {
    /// A zeroed memory of `ty.limits.min` pages, or `None` if it cannot be allocated.
    pub(crate) fn new(ty: MemoryType) -> Option<Self> {
        let bytes = (ty.limits.min as usize).checked_mul(PAGE_SIZE)?;
        let mut data = Vec::new();
        data.try_reserve_exact(bytes).ok()?;
        data.resize(bytes, 0);
        Some(LinearMemory { ty, data })
    }

    /// Current size in pages.
    pub(crate) fn pages(&self) -> u32 {
        (self.data.len() / PAGE_SIZE) as u32
    }

    /// Grows by `delta` pages, returning the old size, or `None` past the
    /// maximum or when the host has no memory for it (`memory.grow` gives -1).
    pub(crate) fn grow(&mut self, delta: u32, limit_bytes: usize) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        let max = self.ty.limits.max.unwrap_or(MAX_PAGES).min(MAX_PAGES);
        if new > max {
            return None;
        }
        let bytes = new as usize * PAGE_SIZE;
        if bytes > limit_bytes {
            return None;
        }
        self.data.try_reserve_exact(bytes - self.data.len()).ok()?;
        self.data.resize(bytes, 0);
        Some(old)
    }

    /// The view the interpreter uses until the memory next grows.
    pub(crate) fn view(&mut self) -> MemoryView {
        MemoryView {
            base: self.data.as_mut_ptr(),
            len: self.data.len(),
        }
    }
}

/// Base and length of the current instance's memory 0, cached by the interpreter.
#[derive(Clone, Copy)]
pub(crate) struct MemoryView {
    base: *mut u8,
    len: usize,
}

impl MemoryView {
    /// A view of no memory: every access traps.
    pub(crate) const fn empty() -> Self {
        MemoryView {
            base: core::ptr::null_mut(),
            len: 0,
        }
    }

    /// The effective address of an `N`-byte access, if it is in bounds.
    #[inline(always)]
    fn effective<const N: usize>(&self, address: i32, offset: u32) -> Result<usize, TrapCode> {
        // u64 arithmetic: a 32-bit address plus a 32-bit offset cannot overflow.
        let start = u64::from(address as u32) + u64::from(offset);
        if start + N as u64 > self.len as u64 {
            return Err(TrapCode::MemoryOutOfBounds);
        }
        Ok(start as usize)
    }

    /// Reads `N` bytes at `address + offset`.
    #[inline(always)]
    pub(crate) fn load<const N: usize>(
        &self,
        address: i32,
        offset: u32,
    ) -> Result<[u8; N], TrapCode> {
        let start = self.effective::<N>(address, offset)?;
        // SAFETY: `effective` checked `start + N <= len`, and the view is
        // refreshed whenever the memory may have moved.
        Ok(unsafe { self.base.add(start).cast::<[u8; N]>().read_unaligned() })
    }

    /// Writes `N` bytes at `address + offset`.
    #[inline(always)]
    pub(crate) fn store<const N: usize>(
        &self,
        address: i32,
        offset: u32,
        bytes: [u8; N],
    ) -> Result<(), TrapCode> {
        let start = self.effective::<N>(address, offset)?;
        // SAFETY: as in `load`.
        unsafe {
            self.base
                .add(start)
                .cast::<[u8; N]>()
                .write_unaligned(bytes)
        };
        Ok(())
    }
}
