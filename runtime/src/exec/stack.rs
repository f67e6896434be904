//! The value stack: untyped 64-bit slots shared by every frame of a store.
//!
//! Validation proves each function's operand types and its maximum height, so
//! the interpreter checks room once per call and then pushes and pops without
//! tags or bounds checks. A `v128` takes two slots, low half first.

use alloc::vec::Vec;

/// The memory behind the value stack. It is allocated once, at its maximum
/// size, so pointers into it stay valid for the whole of a call.
pub(crate) struct StackStorage {
    slots: Vec<u64>,
}

impl StackStorage {
    /// A stack of `len` slots. Zeroed pages are committed lazily by the OS.
    pub(crate) fn new(len: usize) -> Self {
        StackStorage {
            slots: alloc::vec![0; len],
        }
    }

    /// Number of slots.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Pointer to slot 0.
    pub(crate) fn base(&mut self) -> *mut u64 {
        self.slots.as_mut_ptr()
    }
}

/// The top-of-stack cursor the interpreter works with.
pub(crate) struct ValueStack {
    /// Points one past the top slot.
    pub(crate) sp: *mut u64,
}

macro_rules! typed_slots {
    ($($ty:ident: $push:ident, $pop:ident, |$v:ident| $to:expr, |$s:ident| $from:expr;)*) => {
        impl ValueStack {
            $(
                #[doc = concat!("Pushes a `", stringify!($ty), "`.")]
                ///
                /// # Safety
                /// There must be room for one more slot.
                #[inline(always)]
                pub(crate) unsafe fn $push(&mut self, $v: $ty) {
                    self.push_slot($to);
                }

                #[doc = concat!("Pops a `", stringify!($ty), "`.")]
                ///
                /// # Safety
                /// Validation must have proved the top slot holds this type.
                #[inline(always)]
                pub(crate) unsafe fn $pop(&mut self) -> $ty {
                    let $s = self.pop_slot();
                    $from
                }
            )*
        }
    };
}

typed_slots! {
    i32: push_i32, pop_i32, |v| v as u32 as u64, |s| s as u32 as i32;
    i64: push_i64, pop_i64, |v| v as u64, |s| s as i64;
    f32: push_f32, pop_f32, |v| u64::from(v.to_bits()), |s| f32::from_bits(s as u32);
    f64: push_f64, pop_f64, |v| v.to_bits(), |s| f64::from_bits(s);
}

impl ValueStack {
    /// Pushes one raw slot.
    ///
    /// # Safety
    /// There must be room for one more slot.
    #[inline(always)]
    pub(crate) unsafe fn push_slot(&mut self, value: u64) {
        self.sp.write(value);
        self.sp = self.sp.add(1);
    }

    /// Pops one raw slot.
    ///
    /// # Safety
    /// The stack must not be empty.
    #[inline(always)]
    pub(crate) unsafe fn pop_slot(&mut self) -> u64 {
        self.sp = self.sp.sub(1);
        self.sp.read()
    }

    /// Pushes a `v128` as two slots, low half first.
    ///
    /// # Safety
    /// There must be room for two more slots.
    #[inline(always)]
    pub(crate) unsafe fn push_v128(&mut self, value: u128) {
        self.push_slot(value as u64);
        self.push_slot((value >> 64) as u64);
    }

    /// Pops a `v128`.
    ///
    /// # Safety
    /// Validation must have proved the top two slots hold a `v128`.
    #[inline(always)]
    pub(crate) unsafe fn pop_v128(&mut self) -> u128 {
        let high = self.pop_slot();
        let low = self.pop_slot();
        (u128::from(high) << 64) | u128::from(low)
    }
}
