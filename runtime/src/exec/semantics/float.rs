//! Float instructions: comparisons, arithmetic, rounding and sign operations
//! (spec: `funop`, `fbinop`, `frelop`).
//!
//! Arithmetic is IEEE 754 with round-to-nearest-even, which is what Rust's
//! operators do. Where an operand is NaN the spec lets the result be any quiet
//! NaN (canonical or arithmetic), so letting the hardware propagate it is
//! correct. Three groups need care:
//!
//! - `abs`, `neg` and `copysign` are not arithmetic: they only touch the sign
//!   bit and must keep a NaN's payload, signalling bit included, unchanged.
//!   They work on the bit pattern.
//! - `min` and `max` return NaN if either operand is NaN and order -0 below
//!   +0. Rust's `f32::min`/`max` do neither (they return the non-NaN operand),
//!   so they are written out.
//! - `ceil`, `floor`, `trunc` and `nearest` must return a quiet NaN for a
//!   signalling one, but the platform's rounding functions may hand it back
//!   unchanged (glibc's `ceilf` does). They send NaN through `a + a`, which
//!   quiets it, and only round numbers.

// Test builds link `std`, whose inherent methods then take precedence.
#[cfg(all(not(feature = "std"), not(test)))]
use super::no_std_math::FloatMath;

// ---------------------------------------------------------------------------
// Comparisons: 1 if the relation holds, else 0. Every relation with a NaN
// operand is false, except `ne`, which is true. -0 equals +0.
// ---------------------------------------------------------------------------

/// `f32.eq`: 1 if `a == b`.
#[inline]
pub fn f32_eq(a: f32, b: f32) -> i32 {
    (a == b) as i32
}

/// `f32.ne`: 1 if `a != b` (so 1 if either is NaN).
#[inline]
pub fn f32_ne(a: f32, b: f32) -> i32 {
    (a != b) as i32
}

/// `f32.lt`: 1 if `a < b`.
#[inline]
pub fn f32_lt(a: f32, b: f32) -> i32 {
    (a < b) as i32
}

/// `f32.gt`: 1 if `a > b`.
#[inline]
pub fn f32_gt(a: f32, b: f32) -> i32 {
    (a > b) as i32
}

/// `f32.le`: 1 if `a <= b`.
#[inline]
pub fn f32_le(a: f32, b: f32) -> i32 {
    (a <= b) as i32
}

/// `f32.ge`: 1 if `a >= b`.
#[inline]
pub fn f32_ge(a: f32, b: f32) -> i32 {
    (a >= b) as i32
}

/// `f64.eq`: 1 if `a == b`.
#[inline]
pub fn f64_eq(a: f64, b: f64) -> i32 {
    (a == b) as i32
}

/// `f64.ne`: 1 if `a != b` (so 1 if either is NaN).
#[inline]
pub fn f64_ne(a: f64, b: f64) -> i32 {
    (a != b) as i32
}

/// `f64.lt`: 1 if `a < b`.
#[inline]
pub fn f64_lt(a: f64, b: f64) -> i32 {
    (a < b) as i32
}

/// `f64.gt`: 1 if `a > b`.
#[inline]
pub fn f64_gt(a: f64, b: f64) -> i32 {
    (a > b) as i32
}

/// `f64.le`: 1 if `a <= b`.
#[inline]
pub fn f64_le(a: f64, b: f64) -> i32 {
    (a <= b) as i32
}

/// `f64.ge`: 1 if `a >= b`.
#[inline]
pub fn f64_ge(a: f64, b: f64) -> i32 {
    (a >= b) as i32
}

// ---------------------------------------------------------------------------
// f32 arithmetic.
// ---------------------------------------------------------------------------

/// `f32.abs`: `a` with its sign bit cleared (NaN payloads kept).
#[inline]
pub fn f32_abs(a: f32) -> f32 {
    f32::from_bits(a.to_bits() & 0x7fff_ffff)
}

/// `f32.neg`: `a` with its sign bit flipped (NaN payloads kept).
#[inline]
pub fn f32_neg(a: f32) -> f32 {
    f32::from_bits(a.to_bits() ^ 0x8000_0000)
}

/// `f32.ceil`: rounded toward +infinity.
#[inline]
pub fn f32_ceil(a: f32) -> f32 {
    if a.is_nan() {
        a + a
    } else {
        a.ceil()
    }
}

/// `f32.floor`: rounded toward -infinity.
#[inline]
pub fn f32_floor(a: f32) -> f32 {
    if a.is_nan() {
        a + a
    } else {
        a.floor()
    }
}

/// `f32.trunc`: rounded toward zero.
#[inline]
pub fn f32_trunc(a: f32) -> f32 {
    if a.is_nan() {
        a + a
    } else {
        a.trunc()
    }
}

/// `f32.nearest`: rounded to the nearest integer, ties to even.
#[inline]
pub fn f32_nearest(a: f32) -> f32 {
    if a.is_nan() {
        a + a
    } else {
        a.round_ties_even()
    }
}

/// `f32.sqrt`: the correctly rounded square root (NaN below -0).
#[inline]
pub fn f32_sqrt(a: f32) -> f32 {
    a.sqrt()
}

/// `f32.add`: `a + b`.
#[inline]
pub fn f32_add(a: f32, b: f32) -> f32 {
    a + b
}

/// `f32.sub`: `a - b`.
#[inline]
pub fn f32_sub(a: f32, b: f32) -> f32 {
    a - b
}

/// `f32.mul`: `a * b`.
#[inline]
pub fn f32_mul(a: f32, b: f32) -> f32 {
    a * b
}

/// `f32.div`: `a / b`.
#[inline]
pub fn f32_div(a: f32, b: f32) -> f32 {
    a / b
}

/// `f32.min`: the smaller operand; NaN if either is NaN; -0 below +0.
#[inline]
pub fn f32_min(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        // Arithmetic on a NaN yields a quiet NaN, as the spec asks.
        a + b
    } else if a == b {
        // Equal values differ at most in the sign of a zero: set the sign
        // bit if either has it, so min(-0, +0) = -0.
        f32::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

/// `f32.max`: the larger operand; NaN if either is NaN; +0 above -0.
#[inline]
pub fn f32_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        // Clear the sign bit unless both have it, so max(-0, +0) = +0.
        f32::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// `f32.copysign`: `a`'s magnitude with `b`'s sign bit (NaN payloads kept).
#[inline]
pub fn f32_copysign(a: f32, b: f32) -> f32 {
    f32::from_bits((a.to_bits() & 0x7fff_ffff) | (b.to_bits() & 0x8000_0000))
}

// ---------------------------------------------------------------------------
// f64 arithmetic.
// ---------------------------------------------------------------------------

/// `f64.abs`: `a` with its sign bit cleared (NaN payloads kept).
#[inline]
pub fn f64_abs(a: f64) -> f64 {
    f64::from_bits(a.to_bits() & 0x7fff_ffff_ffff_ffff)
}

/// `f64.neg`: `a` with its sign bit flipped (NaN payloads kept).
#[inline]
pub fn f64_neg(a: f64) -> f64 {
    f64::from_bits(a.to_bits() ^ 0x8000_0000_0000_0000)
}

/// `f64.ceil`: rounded toward +infinity.
#[inline]
pub fn f64_ceil(a: f64) -> f64 {
    if a.is_nan() {
        a + a
    } else {
        a.ceil()
    }
}

/// `f64.floor`: rounded toward -infinity.
#[inline]
pub fn f64_floor(a: f64) -> f64 {
    if a.is_nan() {
        a + a
    } else {
        a.floor()
    }
}

/// `f64.trunc`: rounded toward zero.
#[inline]
pub fn f64_trunc(a: f64) -> f64 {
    if a.is_nan() {
        a + a
    } else {
        a.trunc()
    }
}

/// `f64.nearest`: rounded to the nearest integer, ties to even.
#[inline]
pub fn f64_nearest(a: f64) -> f64 {
    if a.is_nan() {
        a + a
    } else {
        a.round_ties_even()
    }
}

/// `f64.sqrt`: the correctly rounded square root (NaN below -0).
#[inline]
pub fn f64_sqrt(a: f64) -> f64 {
    a.sqrt()
}

/// `f64.add`: `a + b`.
#[inline]
pub fn f64_add(a: f64, b: f64) -> f64 {
    a + b
}

/// `f64.sub`: `a - b`.
#[inline]
pub fn f64_sub(a: f64, b: f64) -> f64 {
    a - b
}

/// `f64.mul`: `a * b`.
#[inline]
pub fn f64_mul(a: f64, b: f64) -> f64 {
    a * b
}

/// `f64.div`: `a / b`.
#[inline]
pub fn f64_div(a: f64, b: f64) -> f64 {
    a / b
}

/// `f64.min`: the smaller operand; NaN if either is NaN; -0 below +0.
#[inline]
pub fn f64_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        f64::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

/// `f64.max`: the larger operand; NaN if either is NaN; +0 above -0.
#[inline]
pub fn f64_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        f64::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// `f64.copysign`: `a`'s magnitude with `b`'s sign bit (NaN payloads kept).
#[inline]
pub fn f64_copysign(a: f64, b: f64) -> f64 {
    f64::from_bits((a.to_bits() & 0x7fff_ffff_ffff_ffff) | (b.to_bits() & 0x8000_0000_0000_0000))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signalling NaN with a payload: quiet bit clear, low bit set.
    const SNAN32: u32 = 0x7fa0_0001;
    const SNAN64: u64 = 0x7ff4_0000_0000_0001;
    const QUIET32: u32 = 0x0040_0000;
    const QUIET64: u64 = 0x0008_0000_0000_0000;

    fn is_quiet_nan32(x: f32) -> bool {
        x.is_nan() && x.to_bits() & QUIET32 != 0
    }

    fn is_quiet_nan64(x: f64) -> bool {
        x.is_nan() && x.to_bits() & QUIET64 != 0
    }

    #[test]
    fn comparisons() {
        let nan32 = f32::NAN;
        assert_eq!(f32_eq(nan32, nan32), 0);
        assert_eq!(f32_ne(nan32, nan32), 1);
        assert_eq!(f32_ne(nan32, 1.0), 1);
        assert_eq!(f32_lt(nan32, 1.0), 0);
        assert_eq!(f32_gt(nan32, 1.0), 0);
        assert_eq!(f32_le(1.0, nan32), 0);
        assert_eq!(f32_ge(1.0, nan32), 0);
        assert_eq!(f32_eq(-0.0, 0.0), 1);
        assert_eq!(f32_lt(-0.0, 0.0), 0);
        assert_eq!(f32_lt(1.0, 2.0), 1);
        assert_eq!(f32_gt(2.0, 1.0), 1);
        assert_eq!(f32_le(2.0, 2.0), 1);
        assert_eq!(f32_ge(2.0, 3.0), 0);
        assert_eq!(f32_ne(2.0, 2.0), 0);
        let nan64 = f64::NAN;
        assert_eq!(f64_eq(nan64, nan64), 0);
        assert_eq!(f64_ne(nan64, nan64), 1);
        assert_eq!(f64_ne(1.0, nan64), 1);
        assert_eq!(f64_lt(nan64, 1.0), 0);
        assert_eq!(f64_gt(1.0, nan64), 0);
        assert_eq!(f64_le(nan64, nan64), 0);
        assert_eq!(f64_ge(nan64, 1.0), 0);
        assert_eq!(f64_eq(0.0, -0.0), 1);
        assert_eq!(f64_ge(-0.0, 0.0), 1);
        assert_eq!(f64_lt(-1.0, 0.0), 1);
        assert_eq!(f64_gt(f64::INFINITY, f64::MAX), 1);
        assert_eq!(f64_le(1.0, 0.5), 0);
    }

    #[test]
    fn arithmetic() {
        assert_eq!(f32_add(1.5, 2.25), 3.75);
        assert_eq!(f32_sub(1.0, 3.0), -2.0);
        assert_eq!(f32_mul(-2.0, 4.0), -8.0);
        assert_eq!(f32_div(1.0, 0.0), f32::INFINITY);
        assert_eq!(f32_div(-1.0, 0.0), f32::NEG_INFINITY);
        assert!(f32_div(0.0, 0.0).is_nan());
        assert_eq!(f32_sqrt(4.0), 2.0);
        assert!(f32_sqrt(-1.0).is_nan());
        assert_eq!(f32_sqrt(-0.0).to_bits(), 0x8000_0000);
        assert_eq!(f64_add(0.1, 0.2), 0.30000000000000004);
        assert_eq!(f64_sub(1.0, 3.0), -2.0);
        assert_eq!(f64_mul(-2.0, 4.0), -8.0);
        assert_eq!(f64_div(1.0, -0.0), f64::NEG_INFINITY);
        assert!(f64_sub(f64::INFINITY, f64::INFINITY).is_nan());
        assert_eq!(f64_sqrt(2.0), core::f64::consts::SQRT_2);
        assert!(f64_sqrt(-1.0).is_nan());
    }

    #[test]
    fn nan_propagates_as_a_quiet_nan() {
        let snan32 = f32::from_bits(SNAN32);
        for r in [
            f32_add(snan32, 1.0),
            f32_sub(1.0, snan32),
            f32_mul(snan32, snan32),
            f32_div(snan32, 2.0),
            f32_min(snan32, 1.0),
            f32_min(1.0, snan32),
            f32_max(snan32, 1.0),
            f32_max(1.0, snan32),
            f32_min(f32::NAN, f32::NEG_INFINITY),
            f32_max(f32::INFINITY, f32::NAN),
            f32_ceil(snan32),
            f32_floor(snan32),
            f32_trunc(snan32),
            f32_nearest(snan32),
            f32_sqrt(snan32),
        ] {
            assert!(is_quiet_nan32(r), "{:#x}", r.to_bits());
        }
        let snan64 = f64::from_bits(SNAN64);
        for r in [
            f64_add(snan64, 1.0),
            f64_sub(1.0, snan64),
            f64_mul(snan64, snan64),
            f64_div(snan64, 2.0),
            f64_min(snan64, 1.0),
            f64_min(1.0, snan64),
            f64_max(snan64, 1.0),
            f64_max(1.0, snan64),
            f64_min(f64::NAN, f64::NEG_INFINITY),
            f64_max(f64::INFINITY, f64::NAN),
            f64_ceil(snan64),
            f64_floor(snan64),
            f64_trunc(snan64),
            f64_nearest(snan64),
            f64_sqrt(snan64),
        ] {
            assert!(is_quiet_nan64(r), "{:#x}", r.to_bits());
        }
    }

    #[test]
    fn sign_operations_keep_nan_payloads() {
        let snan32 = f32::from_bits(SNAN32);
        let neg_snan32 = f32::from_bits(SNAN32 | 0x8000_0000);
        assert_eq!(f32_neg(snan32).to_bits(), SNAN32 | 0x8000_0000);
        assert_eq!(f32_neg(neg_snan32).to_bits(), SNAN32);
        assert_eq!(f32_abs(neg_snan32).to_bits(), SNAN32);
        assert_eq!(f32_abs(snan32).to_bits(), SNAN32);
        assert_eq!(f32_copysign(snan32, -1.0).to_bits(), SNAN32 | 0x8000_0000);
        assert_eq!(f32_copysign(neg_snan32, 1.0).to_bits(), SNAN32);
        // The sign may come from a NaN too.
        assert_eq!(f32_copysign(2.0, neg_snan32), -2.0);

        let snan64 = f64::from_bits(SNAN64);
        let neg_snan64 = f64::from_bits(SNAN64 | 1 << 63);
        assert_eq!(f64_neg(snan64).to_bits(), SNAN64 | 1 << 63);
        assert_eq!(f64_neg(neg_snan64).to_bits(), SNAN64);
        assert_eq!(f64_abs(neg_snan64).to_bits(), SNAN64);
        assert_eq!(f64_abs(snan64).to_bits(), SNAN64);
        assert_eq!(f64_copysign(snan64, -1.0).to_bits(), SNAN64 | 1 << 63);
        assert_eq!(f64_copysign(neg_snan64, 0.0).to_bits(), SNAN64);
        assert_eq!(f64_copysign(2.0, neg_snan64), -2.0);
    }

    #[test]
    fn sign_operations_on_numbers() {
        assert_eq!(f32_abs(-3.5), 3.5);
        assert_eq!(f32_abs(-0.0).to_bits(), 0);
        assert_eq!(f32_neg(0.0).to_bits(), 0x8000_0000);
        assert_eq!(f32_neg(f32::INFINITY), f32::NEG_INFINITY);
        assert_eq!(f32_copysign(3.0, -0.0), -3.0);
        assert_eq!(f64_abs(f64::NEG_INFINITY), f64::INFINITY);
        assert_eq!(f64_neg(-0.0).to_bits(), 0);
        assert_eq!(f64_copysign(-3.0, 0.0), 3.0);
    }

    #[test]
    fn min_max_order_signed_zeros() {
        for (a, b) in [(-0.0f32, 0.0f32), (0.0, -0.0)] {
            assert_eq!(f32_min(a, b).to_bits(), 0x8000_0000, "min({a}, {b})");
            assert_eq!(f32_max(a, b).to_bits(), 0, "max({a}, {b})");
        }
        for (a, b) in [(-0.0f64, 0.0f64), (0.0, -0.0)] {
            assert_eq!(f64_min(a, b).to_bits(), 1 << 63, "min({a}, {b})");
            assert_eq!(f64_max(a, b).to_bits(), 0, "max({a}, {b})");
        }
        assert_eq!(f32_min(-0.0, -0.0).to_bits(), 0x8000_0000);
        assert_eq!(f32_max(0.0, 0.0).to_bits(), 0);
    }

    #[test]
    fn min_max_on_numbers() {
        assert_eq!(f32_min(1.0, 2.0), 1.0);
        assert_eq!(f32_min(2.0, 1.0), 1.0);
        assert_eq!(f32_max(1.0, 2.0), 2.0);
        assert_eq!(f32_max(-1.0, f32::NEG_INFINITY), -1.0);
        assert_eq!(f32_min(-1.0, f32::NEG_INFINITY), f32::NEG_INFINITY);
        assert_eq!(f64_min(1.0, 2.0), 1.0);
        assert_eq!(f64_max(2.0, 1.0), 2.0);
        assert_eq!(f64_max(-0.0, -1.0).to_bits(), 1 << 63);
        assert_eq!(f64_min(f64::INFINITY, 5.0), 5.0);
    }

    #[test]
    fn nearest_rounds_ties_to_even() {
        for (x, want) in [
            (0.5f32, 0.0f32),
            (1.5, 2.0),
            (2.5, 2.0),
            (3.5, 4.0),
            (-1.5, -2.0),
            (-2.5, -2.0),
            (0.49999997, 0.0),
            (8388609.0, 8388609.0), // 2^23 + 1: already an integer
        ] {
            assert_eq!(f32_nearest(x), want, "nearest({x})");
        }
        assert_eq!(f32_nearest(-0.5).to_bits(), 0x8000_0000);
        assert_eq!(f32_nearest(-0.0).to_bits(), 0x8000_0000);
        for (x, want) in [
            (0.5f64, 0.0f64),
            (1.5, 2.0),
            (2.5, 2.0),
            (-2.5, -2.0),
            (4503599627370497.0, 4503599627370497.0), // 2^52 + 1
        ] {
            assert_eq!(f64_nearest(x), want, "nearest({x})");
        }
        assert_eq!(f64_nearest(-0.5).to_bits(), 1 << 63);
    }

    #[test]
    fn ceil_floor_trunc() {
        assert_eq!(f32_ceil(1.1), 2.0);
        assert_eq!(f32_ceil(-0.5).to_bits(), 0x8000_0000);
        assert_eq!(f32_floor(-1.1), -2.0);
        assert_eq!(f32_floor(0.5).to_bits(), 0);
        assert_eq!(f32_trunc(-1.9), -1.0);
        assert_eq!(f32_trunc(-0.9).to_bits(), 0x8000_0000);
        assert_eq!(f32_ceil(f32::NEG_INFINITY), f32::NEG_INFINITY);
        assert_eq!(f64_ceil(1.1), 2.0);
        assert_eq!(f64_ceil(-0.5).to_bits(), 1 << 63);
        assert_eq!(f64_floor(-1.1), -2.0);
        assert_eq!(f64_trunc(-1.9), -1.0);
        assert_eq!(f64_trunc(-0.9).to_bits(), 1 << 63);
        assert_eq!(f64_floor(f64::INFINITY), f64::INFINITY);
    }
}
