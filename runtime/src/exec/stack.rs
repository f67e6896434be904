//! The value stack: untyped 64-bit slots shared by every frame of a store.
//!
//! Each function's frame size is known from translation, so a call checks
//! room once and handlers then read and write slots without tags or bounds
//! checks. A `v128` takes two slots, low half first.

use alloc::vec::Vec;

/// Slots past the end of the usable stack that a call may write: entering a
/// function zeroes a fixed block of slots after its parameters whether or
/// not the frame needs them all, which saves a loop on every call.
pub(crate) const RED_ZONE: usize = 8;

/// The memory behind the value stack. It is allocated once, at its maximum
/// size, so pointers into it stay valid for the whole of a call.
pub(crate) struct StackStorage {
    slots: Vec<u64>,
}

impl StackStorage {
    /// A stack of `len` usable slots. Zeroed pages are committed lazily by the OS.
    pub(crate) fn new(len: usize) -> Self {
        StackStorage {
            slots: alloc::vec![0; len + RED_ZONE],
        }
    }

    /// Number of usable slots (the red zone past them is not counted).
    pub(crate) fn len(&self) -> usize {
        self.slots.len() - RED_ZONE
    }

    /// Pointer to slot 0.
    pub(crate) fn base(&mut self) -> *mut u64 {
        self.slots.as_mut_ptr()
    }
}
