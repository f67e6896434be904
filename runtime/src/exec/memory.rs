//! Linear memories and the bytes behind them.
//!
//! A memory costs what the guest touches, not what it declares: on 64-bit
//! Unix hosts a memory of 1 MiB or more is a private anonymous mapping
//! reserved once, at the memory's maximum, whose pages the OS commits
//! (zeroed) on first touch, so neither instantiation nor `memory.grow`
//! writes a byte. Smaller memories, and all of them elsewhere (and without
//! `std`), are vectors, zeroed as they grow.

use alloc::vec::Vec;
use core::fmt;
use core::ops::{Deref, DerefMut};

use crate::types::MemoryType;

/// Bytes in a default WebAssembly page (a memory type may choose 1-byte
/// pages instead: [`MemoryType::page_size`]).
pub const PAGE_SIZE: usize = 65536;
/// Pages addressable by a 32-bit memory.
pub const MAX_PAGES: u32 = 65536;
/// Address space a 64-bit memory reserves at most (16 GiB): it cannot grow
/// past this on hosts where memories are mappings.
const MAX_RESERVE_64: usize = 16 << 30;

/// A linear memory owned by a store.
#[derive(Debug)]
pub struct LinearMemory {
    pub(crate) ty: MemoryType,
    pub(crate) data: MemoryBytes,
}

impl LinearMemory {
    /// A zeroed memory of `ty.limits.min` pages, or `None` if it cannot be allocated.
    pub(crate) fn new(ty: MemoryType) -> Option<Self> {
        let bytes = pages_to_bytes(&ty, ty.limits.min)?;
        let max_bytes = pages_to_bytes(&ty, max_pages(&ty)).unwrap_or(usize::MAX);
        // A 64-bit memory reserves no more than `MAX_RESERVE_64` of address
        // space up front, so many tenants fit in one process.
        let reserve = match ty.memory64 {
            true => max_bytes.min(MAX_RESERVE_64),
            false => max_bytes,
        };
        Some(LinearMemory {
            ty,
            data: MemoryBytes::new(bytes, reserve.max(bytes))?,
        })
    }

    /// Current size in pages of the type's page size.
    pub(crate) fn pages(&self) -> u64 {
        (self.data.len() >> self.ty.page_size_log2) as u64
    }

    /// Grows by `delta` pages, returning the old size, or `None` past the
    /// maximum or when the host has no memory for it (`memory.grow` gives -1).
    pub(crate) fn grow(&mut self, delta: u64, limit_bytes: usize) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > max_pages(&self.ty) {
            return None;
        }
        let bytes = pages_to_bytes(&self.ty, new)?;
        if bytes > limit_bytes {
            return None;
        }
        self.data.grow(bytes).then_some(old)
    }
}

/// Most pages memory type `ty` may grow to: its maximum, bounded by what
/// its addresses reach.
fn max_pages(ty: &MemoryType) -> u64 {
    let bound = ty.max_pages_bound();
    ty.limits.max.unwrap_or(bound).min(bound)
}

/// `pages` pages of `ty`'s page size in bytes, if that fits a `usize`.
pub(crate) fn pages_to_bytes(ty: &MemoryType, pages: u64) -> Option<usize> {
    let bytes = u128::from(pages).checked_shl(u32::from(ty.page_size_log2))?;
    usize::try_from(bytes).ok()
}

/// Below this size a memory is a plain vector: cheaper to create and drop
/// than a mapping (two system calls), for the many small memories of
/// short-lived instances. It becomes a mapping when it grows past.
#[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
const MAPPED_FROM: usize = 1 << 20;

/// The bytes of a linear memory: a slice that can grow.
pub(crate) struct MemoryBytes {
    #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
    mapping: Option<mapping::Mapping>,
    /// The bytes when there is no mapping.
    vec: Vec<u8>,
    /// What a mapping reserves: the memory's maximum size.
    #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
    reserve: usize,
}

impl MemoryBytes {
    /// `len` zero bytes that may grow to `reserve`.
    fn new(len: usize, reserve: usize) -> Option<Self> {
        let mut bytes = MemoryBytes {
            #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
            mapping: None,
            vec: Vec::new(),
            #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
            reserve,
        };
        #[cfg(not(all(feature = "std", unix, target_pointer_width = "64")))]
        let _ = reserve;
        bytes.grow(len).then_some(bytes)
    }

    /// Grows to `len` zero-extended bytes; false if the host cannot.
    fn grow(&mut self, len: usize) -> bool {
        #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
        {
            if let Some(mapping) = &mut self.mapping {
                return mapping.grow(len);
            }
            if len >= MAPPED_FROM {
                if let Some(mut mapping) = mapping::Mapping::new(len, self.reserve) {
                    mapping.bytes_mut()[..self.vec.len()].copy_from_slice(&self.vec);
                    self.vec = Vec::new();
                    self.mapping = Some(mapping);
                    return true;
                }
            }
        }
        if self.vec.try_reserve_exact(len - self.vec.len()).is_err() {
            return false;
        }
        self.vec.resize(len, 0);
        true
    }
}

impl Deref for MemoryBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
        if let Some(mapping) = &self.mapping {
            return mapping.bytes();
        }
        &self.vec
    }
}

impl DerefMut for MemoryBytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        #[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
        if let Some(mapping) = &mut self.mapping {
            return mapping.bytes_mut();
        }
        &mut self.vec
    }
}

impl fmt::Debug for MemoryBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemoryBytes({} bytes)", self.len())
    }
}

#[cfg(all(feature = "std", unix, target_pointer_width = "64"))]
mod mapping {
    use core::ffi::c_void;
    use core::ptr::NonNull;

    use rustix::mm::{mmap_anonymous, munmap, MapFlags, ProtFlags};

    /// A private anonymous mapping of `reserved` bytes, of which the first
    /// `len` are the memory. Untouched pages cost no RAM; `NORESERVE` keeps
    /// the reservation out of the commit charge too.
    pub(super) struct Mapping {
        ptr: NonNull<u8>,
        len: usize,
        reserved: usize,
    }

    // SAFETY: the mapping is owned memory, like a `Vec<u8>`'s buffer.
    unsafe impl Send for Mapping {}
    // SAFETY: shared access only reads, as for `&[u8]`.
    unsafe impl Sync for Mapping {}

    impl Mapping {
        /// Maps `reserved` bytes (at least one page), or `None` if the OS
        /// refuses (the caller falls back to a vector).
        pub(super) fn new(len: usize, reserved: usize) -> Option<Self> {
            let reserved = reserved.max(super::PAGE_SIZE);
            // SAFETY: a fresh mapping at an address the kernel picks aliases
            // nothing.
            let ptr = unsafe {
                mmap_anonymous(
                    core::ptr::null_mut(),
                    reserved,
                    ProtFlags::READ | ProtFlags::WRITE,
                    MapFlags::PRIVATE | MapFlags::NORESERVE,
                )
            }
            .ok()?;
            Some(Mapping {
                ptr: NonNull::new(ptr.cast())?,
                len,
                reserved,
            })
        }

        /// Grows to `len` bytes: the pages are already mapped and zero.
        pub(super) fn grow(&mut self, len: usize) -> bool {
            if len > self.reserved {
                return false;
            }
            self.len = len;
            true
        }

        pub(super) fn bytes(&self) -> &[u8] {
            // SAFETY: the first `len <= reserved` bytes are mapped readable.
            unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
        }

        pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
            // SAFETY: mapped writable, and `&mut self` makes this unique.
            unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: the mapping is ours and nothing borrows it any more.
            let _ = unsafe { munmap(self.ptr.as_ptr().cast::<c_void>(), self.reserved) };
        }
    }
}
