//! The value stack: untyped 64-bit slots shared by every frame of a store.
//!
//! Each function's frame size is known from translation, so a call checks
//! room once and handlers then read and write slots without tags or bounds
//! checks. A `v128` takes two slots, low half first.

use alloc::vec::Vec;
use core::mem::MaybeUninit;

/// Slots past the end of the usable stack that a call may write: entering a
/// function zeroes a fixed block of slots after its parameters whether or
/// not the frame needs them all, which saves a loop on every call.
pub(crate) const RED_ZONE: usize = 8;

/// Slots a store's value stack starts with (32 KiB): enough for most calls
/// from the host, so a store that runs little code costs little.
pub(crate) const INITIAL_SLOTS: usize = 4096;

/// The memory behind the value stack. It starts small and doubles, up to
/// its maximum, when a call needs more room; growing moves it, so whoever
/// holds pointers into it rebases them (see [`StackStorage::rebase`]).
///
/// The slots start uninitialised: nothing reads a slot before writing it
/// (a call writes the arguments and zeroes the locals of its frame, and
/// validation proves every other operand written first), so a new store
/// does not pay for zeroing its stack.
pub(crate) struct StackStorage {
    slots: Vec<MaybeUninit<u64>>,
    max: usize,
}

impl StackStorage {
    /// A stack that may grow to `max` usable slots.
    pub(crate) fn new(max: usize) -> Self {
        let mut storage = StackStorage {
            slots: Vec::new(),
            max,
        };
        storage.resize(INITIAL_SLOTS.min(max));
        storage
    }

    /// Makes the storage `len` usable slots, keeping what it holds.
    fn resize(&mut self, len: usize) {
        self.slots.reserve_exact(len + RED_ZONE - self.slots.len());
        // SAFETY: reserved above; `MaybeUninit` needs no initialisation.
        unsafe { self.slots.set_len(len + RED_ZONE) };
    }

    /// Number of usable slots now (the red zone past them is not counted).
    pub(crate) fn len(&self) -> usize {
        self.slots.len() - RED_ZONE
    }

    /// Pointer to slot 0.
    pub(crate) fn base(&mut self) -> *mut u64 {
        self.slots.as_mut_ptr().cast()
    }

    /// Makes room for at least `slots` usable slots, doubling; false if
    /// that is more than the maximum. Pointers into the old storage must be
    /// rebased afterwards.
    pub(crate) fn reserve(&mut self, slots: usize) -> bool {
        if slots > self.max {
            return false;
        }
        let mut len = self.len();
        while len < slots {
            len = (len * 2).min(self.max);
        }
        if len > self.len() {
            self.resize(len);
        }
        true
    }

    /// `ptr`, a pointer into the storage as it was when its slot 0 was at
    /// `old_base`, moved to where that slot is now.
    pub(crate) fn rebase(&mut self, ptr: *mut u64, old_base: *mut u64) -> *mut u64 {
        // Addresses only: the old storage may be gone.
        let index = (ptr as usize - old_base as usize) / core::mem::size_of::<u64>();
        self.base().wrapping_add(index)
    }
}
