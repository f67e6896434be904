//! GC instructions on reference words alone: identity and `i31`.
//!
//! A reference is its slot word (see `exec::gc`): 0 is null, an odd word an
//! `i31` with its 31 bits above the tag bit.

use super::TrapCode;
use crate::exec::gc::{i31_value, i31_word};

/// `ref.eq`: 1 if both are null, the same object or equal `i31`s. Equal
/// references have equal words, and only they do.
#[inline]
pub fn ref_eq(a: u64, b: u64) -> i32 {
    i32::from(a == b)
}

/// `ref.i31`: the low 31 bits of `value`, unboxed.
#[inline]
pub fn ref_i31(value: i32) -> u64 {
    i31_word(value as u32)
}

/// `i31.get_s`: the 31 bits, sign-extended; traps on null.
#[inline]
pub fn i31_get_s(reference: u64) -> Result<i32, TrapCode> {
    match reference {
        0 => Err(TrapCode::NullI31Reference),
        word => Ok(((i31_value(word) << 1) as i32) >> 1),
    }
}

/// `i31.get_u`: the 31 bits, zero-extended; traps on null.
#[inline]
pub fn i31_get_u(reference: u64) -> Result<i32, TrapCode> {
    match reference {
        0 => Err(TrapCode::NullI31Reference),
        word => Ok(i31_value(word) as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i31_round_trips_and_extends() {
        assert_eq!(i31_get_u(ref_i31(-1)), Ok(0x7FFF_FFFF));
        assert_eq!(i31_get_s(ref_i31(-1)), Ok(-1));
        assert_eq!(i31_get_s(ref_i31(0x4000_0000)), Ok(-0x4000_0000));
        assert_eq!(i31_get_u(ref_i31(0x8000_0001u32 as i32)), Ok(1));
        assert_eq!(i31_get_s(0), Err(TrapCode::NullI31Reference));
    }

    #[test]
    fn equality_is_identity() {
        assert_eq!(ref_eq(ref_i31(5), ref_i31(5)), 1);
        assert_eq!(ref_eq(ref_i31(5), ref_i31(6)), 0);
        assert_eq!(ref_eq(0, 0), 1);
    }
}
