//! Linear memories and the bounds-checked view the interpreter loads through.

use alloc::vec::Vec;

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
}
