//! Conversions between value types (spec: `cvtop`): integer wrap and extend,
//! float-to-integer truncation (trapping and saturating), integer-to-float
//! conversion, float demotion and promotion, and reinterpretation.
//!
//! Rust's `as` casts already implement most of these exactly:
//! int-to-float and float-to-float casts round to nearest, ties to even, and
//! float-to-int casts truncate toward zero, saturate at the bounds and send
//! NaN to 0, which is the saturating `trunc_sat` family. The trapping `trunc`
//! family checks its operand against the exact range first.

use super::TrapCode;

// ---------------------------------------------------------------------------
// Integer width changes.
// ---------------------------------------------------------------------------

/// `i32.wrap_i64`: the low 32 bits of `a`.
#[inline]
pub fn i32_wrap_i64(a: i64) -> i32 {
    a as i32
}

/// `i64.extend_i32_s`: `a` sign-extended to 64 bits.
#[inline]
pub fn i64_extend_i32_s(a: i32) -> i64 {
    a as i64
}

/// `i64.extend_i32_u`: `a` zero-extended to 64 bits.
#[inline]
pub fn i64_extend_i32_u(a: i32) -> i64 {
    a as u32 as i64
}

// ---------------------------------------------------------------------------
// Trapping float-to-integer truncation.
//
// NaN traps with `InvalidConversionToInteger`. Otherwise the operand is
// truncated toward zero, and if that integer does not fit the result type the
// instruction traps with `IntegerOverflow`. The range is checked in float
// space, before truncating, against bounds that are exactly representable:
//
// - upper: the operand must be below 2^31, 2^32, 2^63 or 2^64;
// - lower, unsigned: the operand must be above -1 (so -0.9 truncates to 0);
// - lower, signed: the operand must be above MIN - 1. Where MIN - 1 is not a
//   float of the operand type (everywhere but f64 -> i32), no float lies
//   strictly between MIN - 1 and MIN, so `>= MIN` is the same test.
//
// Once in range, `as` performs the truncation.
// ---------------------------------------------------------------------------

/// `i32.trunc_f32_s`: `a` truncated toward zero to a signed i32; traps on NaN
/// and outside `[-2^31, 2^31)`.
#[inline]
pub fn i32_trunc_f32_s(a: f32) -> Result<i32, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if (-2147483648.0..2147483648.0).contains(&a) {
        Ok(a as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i32.trunc_f32_u`: `a` truncated toward zero to an unsigned i32; traps on
/// NaN and outside `(-1, 2^32)`.
#[inline]
pub fn i32_trunc_f32_u(a: f32) -> Result<i32, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if a > -1.0 && a < 4294967296.0 {
        Ok(a as u32 as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i32.trunc_f64_s`: `a` truncated toward zero to a signed i32; traps on NaN
/// and outside `(-2^31 - 1, 2^31)`.
#[inline]
pub fn i32_trunc_f64_s(a: f64) -> Result<i32, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if a > -2147483649.0 && a < 2147483648.0 {
        Ok(a as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i32.trunc_f64_u`: `a` truncated toward zero to an unsigned i32; traps on
/// NaN and outside `(-1, 2^32)`.
#[inline]
pub fn i32_trunc_f64_u(a: f64) -> Result<i32, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if a > -1.0 && a < 4294967296.0 {
        Ok(a as u32 as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f32_s`: `a` truncated toward zero to a signed i64; traps on NaN
/// and outside `[-2^63, 2^63)`.
#[inline]
pub fn i64_trunc_f32_s(a: f32) -> Result<i64, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if (-9223372036854775808.0..9223372036854775808.0).contains(&a) {
        Ok(a as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f32_u`: `a` truncated toward zero to an unsigned i64; traps on
/// NaN and outside `(-1, 2^64)`.
#[inline]
pub fn i64_trunc_f32_u(a: f32) -> Result<i64, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if a > -1.0 && a < 18446744073709551616.0 {
        Ok(a as u64 as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f64_s`: `a` truncated toward zero to a signed i64; traps on NaN
/// and outside `[-2^63, 2^63)`.
#[inline]
pub fn i64_trunc_f64_s(a: f64) -> Result<i64, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if (-9223372036854775808.0..9223372036854775808.0).contains(&a) {
        Ok(a as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f64_u`: `a` truncated toward zero to an unsigned i64; traps on
/// NaN and outside `(-1, 2^64)`.
#[inline]
pub fn i64_trunc_f64_u(a: f64) -> Result<i64, TrapCode> {
    if a.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if a > -1.0 && a < 18446744073709551616.0 {
        Ok(a as u64 as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

// ---------------------------------------------------------------------------
// Saturating float-to-integer truncation (proposal `saturating_float_to_int`):
// truncate toward zero, clamp to the result range, NaN gives 0. This is
// exactly Rust's float-to-int `as`.
// ---------------------------------------------------------------------------

/// `i32.trunc_sat_f32_s`: `a` truncated and clamped to a signed i32; NaN is 0.
#[inline]
pub fn i32_trunc_sat_f32_s(a: f32) -> i32 {
    a as i32
}

/// `i32.trunc_sat_f32_u`: `a` truncated and clamped to an unsigned i32; NaN is 0.
#[inline]
pub fn i32_trunc_sat_f32_u(a: f32) -> i32 {
    a as u32 as i32
}

/// `i32.trunc_sat_f64_s`: `a` truncated and clamped to a signed i32; NaN is 0.
#[inline]
pub fn i32_trunc_sat_f64_s(a: f64) -> i32 {
    a as i32
}

/// `i32.trunc_sat_f64_u`: `a` truncated and clamped to an unsigned i32; NaN is 0.
#[inline]
pub fn i32_trunc_sat_f64_u(a: f64) -> i32 {
    a as u32 as i32
}

/// `i64.trunc_sat_f32_s`: `a` truncated and clamped to a signed i64; NaN is 0.
#[inline]
pub fn i64_trunc_sat_f32_s(a: f32) -> i64 {
    a as i64
}

/// `i64.trunc_sat_f32_u`: `a` truncated and clamped to an unsigned i64; NaN is 0.
#[inline]
pub fn i64_trunc_sat_f32_u(a: f32) -> i64 {
    a as u64 as i64
}

/// `i64.trunc_sat_f64_s`: `a` truncated and clamped to a signed i64; NaN is 0.
#[inline]
pub fn i64_trunc_sat_f64_s(a: f64) -> i64 {
    a as i64
}

/// `i64.trunc_sat_f64_u`: `a` truncated and clamped to an unsigned i64; NaN is 0.
#[inline]
pub fn i64_trunc_sat_f64_u(a: f64) -> i64 {
    a as u64 as i64
}

// ---------------------------------------------------------------------------
// Integer-to-float conversion: the nearest float, ties to even. Rust's `as`
// rounds once, directly from the integer (a u64 is not first rounded to f64,
// which could round twice).
// ---------------------------------------------------------------------------

/// `f32.convert_i32_s`: signed `a` rounded to the nearest f32.
#[inline]
pub fn f32_convert_i32_s(a: i32) -> f32 {
    a as f32
}

/// `f32.convert_i32_u`: unsigned `a` rounded to the nearest f32.
#[inline]
pub fn f32_convert_i32_u(a: i32) -> f32 {
    a as u32 as f32
}

/// `f32.convert_i64_s`: signed `a` rounded to the nearest f32.
#[inline]
pub fn f32_convert_i64_s(a: i64) -> f32 {
    a as f32
}

/// `f32.convert_i64_u`: unsigned `a` rounded to the nearest f32.
#[inline]
pub fn f32_convert_i64_u(a: i64) -> f32 {
    a as u64 as f32
}

/// `f64.convert_i32_s`: signed `a`, exactly.
#[inline]
pub fn f64_convert_i32_s(a: i32) -> f64 {
    a as f64
}

/// `f64.convert_i32_u`: unsigned `a`, exactly.
#[inline]
pub fn f64_convert_i32_u(a: i32) -> f64 {
    a as u32 as f64
}

/// `f64.convert_i64_s`: signed `a` rounded to the nearest f64.
#[inline]
pub fn f64_convert_i64_s(a: i64) -> f64 {
    a as f64
}

/// `f64.convert_i64_u`: unsigned `a` rounded to the nearest f64.
#[inline]
pub fn f64_convert_i64_u(a: i64) -> f64 {
    a as u64 as f64
}

// ---------------------------------------------------------------------------
// Float precision changes.
// ---------------------------------------------------------------------------

/// `f32.demote_f64`: `a` rounded to the nearest f32 (overflowing to infinity);
/// a NaN becomes a quiet NaN.
#[inline]
pub fn f32_demote_f64(a: f64) -> f32 {
    a as f32
}

/// `f64.promote_f32`: `a`, exactly; a NaN becomes a quiet NaN.
#[inline]
pub fn f64_promote_f32(a: f32) -> f64 {
    a as f64
}

// ---------------------------------------------------------------------------
// Reinterpretation: the same bits seen as another type.
// ---------------------------------------------------------------------------

/// `i32.reinterpret_f32`: the bit pattern of `a`.
#[inline]
pub fn i32_reinterpret_f32(a: f32) -> i32 {
    a.to_bits() as i32
}

/// `i64.reinterpret_f64`: the bit pattern of `a`.
#[inline]
pub fn i64_reinterpret_f64(a: f64) -> i64 {
    a.to_bits() as i64
}

/// `f32.reinterpret_i32`: the f32 whose bit pattern is `a`.
#[inline]
pub fn f32_reinterpret_i32(a: i32) -> f32 {
    f32::from_bits(a as u32)
}

/// `f64.reinterpret_i64`: the f64 whose bit pattern is `a`.
#[inline]
pub fn f64_reinterpret_i64(a: i64) -> f64 {
    f64::from_bits(a as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVALID: TrapCode = TrapCode::InvalidConversionToInteger;
    const OVERFLOW: TrapCode = TrapCode::IntegerOverflow;

    #[test]
    fn wrap_and_extend() {
        assert_eq!(i32_wrap_i64(0x1_0000_0005), 5);
        assert_eq!(i32_wrap_i64(-1), -1);
        assert_eq!(i32_wrap_i64(0x0000_0000_8000_0000), i32::MIN);
        assert_eq!(i64_extend_i32_s(-1), -1);
        assert_eq!(i64_extend_i32_s(i32::MIN), -0x8000_0000);
        assert_eq!(i64_extend_i32_u(-1), 0xffff_ffff);
        assert_eq!(i64_extend_i32_u(i32::MIN), 0x8000_0000);
    }

    #[test]
    fn trunc_nan_is_invalid() {
        for nan in [f32::NAN, -f32::NAN, f32::from_bits(0x7fa0_0001)] {
            assert_eq!(i32_trunc_f32_s(nan), Err(INVALID));
            assert_eq!(i32_trunc_f32_u(nan), Err(INVALID));
            assert_eq!(i64_trunc_f32_s(nan), Err(INVALID));
            assert_eq!(i64_trunc_f32_u(nan), Err(INVALID));
        }
        for nan in [f64::NAN, -f64::NAN, f64::from_bits(0x7ff4_0000_0000_0001)] {
            assert_eq!(i32_trunc_f64_s(nan), Err(INVALID));
            assert_eq!(i32_trunc_f64_u(nan), Err(INVALID));
            assert_eq!(i64_trunc_f64_s(nan), Err(INVALID));
            assert_eq!(i64_trunc_f64_u(nan), Err(INVALID));
        }
    }

    #[test]
    fn trunc_infinities_overflow() {
        for inf in [f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(i32_trunc_f32_s(inf), Err(OVERFLOW));
            assert_eq!(i32_trunc_f32_u(inf), Err(OVERFLOW));
            assert_eq!(i64_trunc_f32_s(inf), Err(OVERFLOW));
            assert_eq!(i64_trunc_f32_u(inf), Err(OVERFLOW));
        }
        for inf in [f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(i32_trunc_f64_s(inf), Err(OVERFLOW));
            assert_eq!(i32_trunc_f64_u(inf), Err(OVERFLOW));
            assert_eq!(i64_trunc_f64_s(inf), Err(OVERFLOW));
            assert_eq!(i64_trunc_f64_u(inf), Err(OVERFLOW));
        }
    }

    #[test]
    fn trunc_rounds_toward_zero() {
        assert_eq!(i32_trunc_f32_s(-1.9), Ok(-1));
        assert_eq!(i32_trunc_f32_s(1.9), Ok(1));
        assert_eq!(i32_trunc_f32_s(-0.0), Ok(0));
        assert_eq!(i32_trunc_f64_s(-1.9), Ok(-1));
        assert_eq!(i64_trunc_f32_s(-1.9), Ok(-1));
        assert_eq!(i64_trunc_f64_s(1.9), Ok(1));
        assert_eq!(i32_trunc_f32_u(1.9), Ok(1));
        assert_eq!(i64_trunc_f64_u(1.9), Ok(1));
    }

    #[test]
    fn i32_trunc_f32_s_bounds() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        // The next f32 below -2^31 is -2^31 - 256.
        assert_eq!(i32_trunc_f32_s(-2147483904.0), Err(OVERFLOW));
        // The largest f32 below 2^31 is 2^31 - 128.
        assert_eq!(i32_trunc_f32_s(2147483520.0), Ok(2147483520));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(OVERFLOW));
    }

    #[test]
    fn i32_trunc_f32_u_bounds() {
        assert_eq!(i32_trunc_f32_u(-0.99999994), Ok(0));
        assert_eq!(i32_trunc_f32_u(-1.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_u(4294967040.0), Ok(-256)); // 2^32 - 256
        assert_eq!(i32_trunc_f32_u(4294967296.0), Err(OVERFLOW));
    }

    #[test]
    fn i32_trunc_f64_s_bounds() {
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f64_s(2147483647.9), Ok(i32::MAX));
        assert_eq!(i32_trunc_f64_s(2147483648.0), Err(OVERFLOW));
    }

    #[test]
    fn i32_trunc_f64_u_bounds() {
        assert_eq!(i32_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f64_u(-1.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(-1));
        assert_eq!(i32_trunc_f64_u(4294967296.0), Err(OVERFLOW));
    }

    #[test]
    fn i64_trunc_f32_s_bounds() {
        assert_eq!(i64_trunc_f32_s(-9223372036854775808.0), Ok(i64::MIN));
        // The next f32 below -2^63 is -2^63 - 2^40.
        assert_eq!(i64_trunc_f32_s(-9223373136366403584.0), Err(OVERFLOW));
        // The largest f32 below 2^63 is 2^63 - 2^39.
        assert_eq!(
            i64_trunc_f32_s(9223371487098961920.0),
            Ok(9223371487098961920)
        );
        assert_eq!(i64_trunc_f32_s(9223372036854775808.0), Err(OVERFLOW));
    }

    #[test]
    fn i64_trunc_f32_u_bounds() {
        assert_eq!(i64_trunc_f32_u(-0.99999994), Ok(0));
        assert_eq!(i64_trunc_f32_u(-1.0), Err(OVERFLOW));
        // The largest f32 below 2^64 is 2^64 - 2^40.
        assert_eq!(
            i64_trunc_f32_u(18446742974197923840.0),
            Ok(18446742974197923840u64 as i64)
        );
        assert_eq!(i64_trunc_f32_u(18446744073709551616.0), Err(OVERFLOW));
    }

    #[test]
    fn i64_trunc_f64_s_bounds() {
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        // The next f64 below -2^63 is -2^63 - 2048.
        assert_eq!(i64_trunc_f64_s(-9223372036854777856.0), Err(OVERFLOW));
        // The largest f64 below 2^63 is 2^63 - 1024.
        assert_eq!(
            i64_trunc_f64_s(9223372036854774784.0),
            Ok(9223372036854774784)
        );
        assert_eq!(i64_trunc_f64_s(9223372036854775808.0), Err(OVERFLOW));
    }

    #[test]
    fn i64_trunc_f64_u_bounds() {
        assert_eq!(i64_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(i64_trunc_f64_u(-1.0), Err(OVERFLOW));
        // The largest f64 below 2^64 is 2^64 - 2048.
        assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(-2048));
        assert_eq!(i64_trunc_f64_u(18446744073709551616.0), Err(OVERFLOW));
    }

    #[test]
    fn trunc_sat_nan_is_zero() {
        for nan in [f32::NAN, -f32::NAN] {
            assert_eq!(i32_trunc_sat_f32_s(nan), 0);
            assert_eq!(i32_trunc_sat_f32_u(nan), 0);
            assert_eq!(i64_trunc_sat_f32_s(nan), 0);
            assert_eq!(i64_trunc_sat_f32_u(nan), 0);
        }
        for nan in [f64::NAN, -f64::NAN] {
            assert_eq!(i32_trunc_sat_f64_s(nan), 0);
            assert_eq!(i32_trunc_sat_f64_u(nan), 0);
            assert_eq!(i64_trunc_sat_f64_s(nan), 0);
            assert_eq!(i64_trunc_sat_f64_u(nan), 0);
        }
    }

    #[test]
    fn trunc_sat_saturates() {
        // Unsigned results are shown as their bit pattern in the signed type.
        let u32_max = -1i32;
        let u64_max = -1i64;
        assert_eq!(i32_trunc_sat_f32_s(2147483648.0), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(-2147483904.0), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_s(f32::INFINITY), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(-1.9), -1);
        assert_eq!(i32_trunc_sat_f32_u(4294967296.0), u32_max);
        assert_eq!(i32_trunc_sat_f32_u(-1.0), 0);
        assert_eq!(i32_trunc_sat_f32_u(f32::NEG_INFINITY), 0);
        assert_eq!(i32_trunc_sat_f64_s(2147483647.9), i32::MAX);
        assert_eq!(i32_trunc_sat_f64_s(-1e100), i32::MIN);
        assert_eq!(i32_trunc_sat_f64_u(4294967295.9), u32_max);
        assert_eq!(i32_trunc_sat_f64_u(1e100), u32_max);
        assert_eq!(i32_trunc_sat_f64_u(-0.9), 0);
        assert_eq!(i64_trunc_sat_f32_s(9223372036854775808.0), i64::MAX);
        assert_eq!(i64_trunc_sat_f32_s(f32::NEG_INFINITY), i64::MIN);
        assert_eq!(i64_trunc_sat_f32_u(f32::INFINITY), u64_max);
        assert_eq!(i64_trunc_sat_f32_u(-5.0), 0);
        assert_eq!(i64_trunc_sat_f64_s(9223372036854775808.0), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_s(-9223372036854777856.0), i64::MIN);
        assert_eq!(i64_trunc_sat_f64_u(18446744073709551616.0), u64_max);
        assert_eq!(i64_trunc_sat_f64_u(18446744073709549568.0), -2048);
        assert_eq!(i64_trunc_sat_f64_u(-1.0), 0);
    }

    #[test]
    fn int_to_float() {
        assert_eq!(f32_convert_i32_s(-1), -1.0);
        assert_eq!(f32_convert_i32_u(-1), 4294967296.0); // 2^32 - 1 rounds up
        assert_eq!(f32_convert_i32_s(16777217), 16777216.0); // tie to even
        assert_eq!(f32_convert_i64_s(i64::MIN), -9223372036854775808.0);
        assert_eq!(f32_convert_i64_u(-1), 18446744073709551616.0);
        assert_eq!(f64_convert_i32_s(i32::MIN), -2147483648.0);
        assert_eq!(f64_convert_i32_u(-1), 4294967295.0);
        assert_eq!(f64_convert_i64_s(9007199254740993), 9007199254740992.0);
        assert_eq!(f64_convert_i64_u(-1), 18446744073709551616.0);
        assert_eq!(f64_convert_i64_u(i64::MIN), 9223372036854775808.0);
    }

    #[test]
    fn int_to_f32_rounds_once() {
        // 2^63 + 2^39 + 1 is just above the midpoint of the f32s 2^63 and
        // 2^63 + 2^40. Rounding to f64 first would drop the +1 and then tie
        // to even, down to 2^63; the correct result is 2^63 + 2^40.
        let x = (1u64 << 63) + (1 << 39) + 1;
        assert_eq!(f32_convert_i64_u(x as i64), 9223373136366403584.0);
        // The same for a signed value: 2^62 + 2^38 + 1 rounds up.
        let y = (1i64 << 62) + (1 << 38) + 1;
        assert_eq!(f32_convert_i64_s(y), 4611686568138588160.0);
        assert_eq!(f32_convert_i64_s(-y), -4611686568138588160.0);
    }

    #[test]
    fn demote_and_promote() {
        assert_eq!(f32_demote_f64(0.1), 0.1f32);
        assert_eq!(f32_demote_f64(f64::MAX), f32::INFINITY);
        assert_eq!(f32_demote_f64(-1e-50).to_bits(), 0x8000_0000);
        assert_eq!(f32_demote_f64(f64::NEG_INFINITY), f32::NEG_INFINITY);
        assert_eq!(f64_promote_f32(0.1).to_bits(), 0x3fb9_9999_a000_0000);
        assert_eq!(f64_promote_f32(-0.0).to_bits(), 1 << 63);
        let demoted = f32_demote_f64(f64::from_bits(0x7ff4_0000_0000_0001));
        assert!(demoted.is_nan() && demoted.to_bits() & 0x0040_0000 != 0);
        let promoted = f64_promote_f32(f32::from_bits(0x7fa0_0001));
        assert!(promoted.is_nan() && promoted.to_bits() & 0x0008_0000_0000_0000 != 0);
    }

    #[test]
    fn reinterpret_keeps_bits() {
        assert_eq!(
            i32_reinterpret_f32(f32::from_bits(0xffa0_0001)),
            0xffa0_0001u32 as i32
        );
        assert_eq!(i32_reinterpret_f32(-0.0), i32::MIN);
        assert_eq!(f32_reinterpret_i32(0x7fa0_0001).to_bits(), 0x7fa0_0001);
        assert_eq!(f32_reinterpret_i32(0x3f80_0000), 1.0);
        let snan64 = 0xfff4_0000_0000_0001u64;
        assert_eq!(i64_reinterpret_f64(f64::from_bits(snan64)), snan64 as i64);
        assert_eq!(f64_reinterpret_i64(snan64 as i64).to_bits(), snan64);
        assert_eq!(i64_reinterpret_f64(1.0), 0x3ff0_0000_0000_0000);
    }
}
