//! Integer instructions: tests, comparisons, arithmetic, bit operations and
//! sign extension (spec: `iunop`, `ibinop`, `itestop`, `irelop`).
//!
//! Wasm integers have no sign; the instruction decides. Values are held as the
//! signed Rust type and the `_u` variants reinterpret them with `as u32` /
//! `as u64`. Arithmetic wraps modulo 2^N; shift and rotate counts are taken
//! modulo N.

use super::TrapCode;

// ---------------------------------------------------------------------------
// i32 tests and comparisons: 1 if the relation holds, else 0.
// ---------------------------------------------------------------------------

/// `i32.eqz`: 1 if `a` is zero.
#[inline]
pub fn i32_eqz(a: i32) -> i32 {
    (a == 0) as i32
}

/// `i32.eq`: 1 if `a == b`.
#[inline]
pub fn i32_eq(a: i32, b: i32) -> i32 {
    (a == b) as i32
}

/// `i32.ne`: 1 if `a != b`.
#[inline]
pub fn i32_ne(a: i32, b: i32) -> i32 {
    (a != b) as i32
}

/// `i32.lt_s`: 1 if `a < b`, signed.
#[inline]
pub fn i32_lt_s(a: i32, b: i32) -> i32 {
    (a < b) as i32
}

/// `i32.lt_u`: 1 if `a < b`, unsigned.
#[inline]
pub fn i32_lt_u(a: i32, b: i32) -> i32 {
    ((a as u32) < (b as u32)) as i32
}

/// `i32.gt_s`: 1 if `a > b`, signed.
#[inline]
pub fn i32_gt_s(a: i32, b: i32) -> i32 {
    (a > b) as i32
}

/// `i32.gt_u`: 1 if `a > b`, unsigned.
#[inline]
pub fn i32_gt_u(a: i32, b: i32) -> i32 {
    ((a as u32) > (b as u32)) as i32
}

/// `i32.le_s`: 1 if `a <= b`, signed.
#[inline]
pub fn i32_le_s(a: i32, b: i32) -> i32 {
    (a <= b) as i32
}

/// `i32.le_u`: 1 if `a <= b`, unsigned.
#[inline]
pub fn i32_le_u(a: i32, b: i32) -> i32 {
    ((a as u32) <= (b as u32)) as i32
}

/// `i32.ge_s`: 1 if `a >= b`, signed.
#[inline]
pub fn i32_ge_s(a: i32, b: i32) -> i32 {
    (a >= b) as i32
}

/// `i32.ge_u`: 1 if `a >= b`, unsigned.
#[inline]
pub fn i32_ge_u(a: i32, b: i32) -> i32 {
    ((a as u32) >= (b as u32)) as i32
}

// ---------------------------------------------------------------------------
// i64 tests and comparisons: the result is an i32, 1 or 0.
// ---------------------------------------------------------------------------

/// `i64.eqz`: 1 if `a` is zero.
#[inline]
pub fn i64_eqz(a: i64) -> i32 {
    (a == 0) as i32
}

/// `i64.eq`: 1 if `a == b`.
#[inline]
pub fn i64_eq(a: i64, b: i64) -> i32 {
    (a == b) as i32
}

/// `i64.ne`: 1 if `a != b`.
#[inline]
pub fn i64_ne(a: i64, b: i64) -> i32 {
    (a != b) as i32
}

/// `i64.lt_s`: 1 if `a < b`, signed.
#[inline]
pub fn i64_lt_s(a: i64, b: i64) -> i32 {
    (a < b) as i32
}

/// `i64.lt_u`: 1 if `a < b`, unsigned.
#[inline]
pub fn i64_lt_u(a: i64, b: i64) -> i32 {
    ((a as u64) < (b as u64)) as i32
}

/// `i64.gt_s`: 1 if `a > b`, signed.
#[inline]
pub fn i64_gt_s(a: i64, b: i64) -> i32 {
    (a > b) as i32
}

/// `i64.gt_u`: 1 if `a > b`, unsigned.
#[inline]
pub fn i64_gt_u(a: i64, b: i64) -> i32 {
    ((a as u64) > (b as u64)) as i32
}

/// `i64.le_s`: 1 if `a <= b`, signed.
#[inline]
pub fn i64_le_s(a: i64, b: i64) -> i32 {
    (a <= b) as i32
}

/// `i64.le_u`: 1 if `a <= b`, unsigned.
#[inline]
pub fn i64_le_u(a: i64, b: i64) -> i32 {
    ((a as u64) <= (b as u64)) as i32
}

/// `i64.ge_s`: 1 if `a >= b`, signed.
#[inline]
pub fn i64_ge_s(a: i64, b: i64) -> i32 {
    (a >= b) as i32
}

/// `i64.ge_u`: 1 if `a >= b`, unsigned.
#[inline]
pub fn i64_ge_u(a: i64, b: i64) -> i32 {
    ((a as u64) >= (b as u64)) as i32
}

// ---------------------------------------------------------------------------
// i32 arithmetic and bit operations.
// ---------------------------------------------------------------------------

/// `i32.clz`: the number of leading zero bits (32 for 0).
#[inline]
pub fn i32_clz(a: i32) -> i32 {
    a.leading_zeros() as i32
}

/// `i32.ctz`: the number of trailing zero bits (32 for 0).
#[inline]
pub fn i32_ctz(a: i32) -> i32 {
    a.trailing_zeros() as i32
}

/// `i32.popcnt`: the number of one bits.
#[inline]
pub fn i32_popcnt(a: i32) -> i32 {
    a.count_ones() as i32
}

/// `i32.add`: `a + b` modulo 2^32.
#[inline]
pub fn i32_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// `i32.sub`: `a - b` modulo 2^32.
#[inline]
pub fn i32_sub(a: i32, b: i32) -> i32 {
    a.wrapping_sub(b)
}

/// `i32.mul`: `a * b` modulo 2^32.
#[inline]
pub fn i32_mul(a: i32, b: i32) -> i32 {
    a.wrapping_mul(b)
}

/// `i32.div_s`: signed `a / b` rounded toward zero; traps on a zero divisor
/// and on `MIN / -1`, whose quotient 2^31 does not fit.
#[inline]
pub fn i32_div_s(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else if a == i32::MIN && b == -1 {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(a / b)
    }
}

/// `i32.div_u`: unsigned `a / b` rounded down; traps on a zero divisor.
#[inline]
pub fn i32_div_u(a: i32, b: i32) -> Result<i32, TrapCode> {
    match (a as u32).checked_div(b as u32) {
        Some(q) => Ok(q as i32),
        None => Err(TrapCode::IntegerDivideByZero),
    }
}

/// `i32.rem_s`: signed remainder, with the sign of `a`; traps on a zero
/// divisor. `MIN rem -1` is 0, not a trap.
#[inline]
pub fn i32_rem_s(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

/// `i32.rem_u`: unsigned remainder; traps on a zero divisor.
#[inline]
pub fn i32_rem_u(a: i32, b: i32) -> Result<i32, TrapCode> {
    match (a as u32).checked_rem(b as u32) {
        Some(r) => Ok(r as i32),
        None => Err(TrapCode::IntegerDivideByZero),
    }
}

/// `i32.and`: bitwise and.
#[inline]
pub fn i32_and(a: i32, b: i32) -> i32 {
    a & b
}

/// `i32.or`: bitwise or.
#[inline]
pub fn i32_or(a: i32, b: i32) -> i32 {
    a | b
}

/// `i32.xor`: bitwise exclusive or.
#[inline]
pub fn i32_xor(a: i32, b: i32) -> i32 {
    a ^ b
}

/// `i32.shl`: `a` shifted left by `b` modulo 32.
#[inline]
pub fn i32_shl(a: i32, b: i32) -> i32 {
    a.wrapping_shl(b as u32)
}

/// `i32.shr_s`: `a` shifted right by `b` modulo 32, copying the sign bit.
#[inline]
pub fn i32_shr_s(a: i32, b: i32) -> i32 {
    a.wrapping_shr(b as u32)
}

/// `i32.shr_u`: `a` shifted right by `b` modulo 32, filling with zeros.
#[inline]
pub fn i32_shr_u(a: i32, b: i32) -> i32 {
    (a as u32).wrapping_shr(b as u32) as i32
}

/// `i32.rotl`: `a` rotated left by `b` modulo 32.
#[inline]
pub fn i32_rotl(a: i32, b: i32) -> i32 {
    a.rotate_left(b as u32 % 32)
}

/// `i32.rotr`: `a` rotated right by `b` modulo 32.
#[inline]
pub fn i32_rotr(a: i32, b: i32) -> i32 {
    a.rotate_right(b as u32 % 32)
}

// ---------------------------------------------------------------------------
// i64 arithmetic and bit operations.
// ---------------------------------------------------------------------------

/// `i64.clz`: the number of leading zero bits (64 for 0), as an i64.
#[inline]
pub fn i64_clz(a: i64) -> i64 {
    a.leading_zeros() as i64
}

/// `i64.ctz`: the number of trailing zero bits (64 for 0), as an i64.
#[inline]
pub fn i64_ctz(a: i64) -> i64 {
    a.trailing_zeros() as i64
}

/// `i64.popcnt`: the number of one bits, as an i64.
#[inline]
pub fn i64_popcnt(a: i64) -> i64 {
    a.count_ones() as i64
}

/// `i64.add`: `a + b` modulo 2^64.
#[inline]
pub fn i64_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `i64.sub`: `a - b` modulo 2^64.
#[inline]
pub fn i64_sub(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
}

/// `i64.mul`: `a * b` modulo 2^64.
#[inline]
pub fn i64_mul(a: i64, b: i64) -> i64 {
    a.wrapping_mul(b)
}

/// `i64.div_s`: signed `a / b` rounded toward zero; traps on a zero divisor
/// and on `MIN / -1`, whose quotient 2^63 does not fit.
#[inline]
pub fn i64_div_s(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else if a == i64::MIN && b == -1 {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(a / b)
    }
}

/// `i64.div_u`: unsigned `a / b` rounded down; traps on a zero divisor.
#[inline]
pub fn i64_div_u(a: i64, b: i64) -> Result<i64, TrapCode> {
    match (a as u64).checked_div(b as u64) {
        Some(q) => Ok(q as i64),
        None => Err(TrapCode::IntegerDivideByZero),
    }
}

/// `i64.rem_s`: signed remainder, with the sign of `a`; traps on a zero
/// divisor. `MIN rem -1` is 0, not a trap.
#[inline]
pub fn i64_rem_s(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

/// `i64.rem_u`: unsigned remainder; traps on a zero divisor.
#[inline]
pub fn i64_rem_u(a: i64, b: i64) -> Result<i64, TrapCode> {
    match (a as u64).checked_rem(b as u64) {
        Some(r) => Ok(r as i64),
        None => Err(TrapCode::IntegerDivideByZero),
    }
}

/// `i64.and`: bitwise and.
#[inline]
pub fn i64_and(a: i64, b: i64) -> i64 {
    a & b
}

/// `i64.or`: bitwise or.
#[inline]
pub fn i64_or(a: i64, b: i64) -> i64 {
    a | b
}

/// `i64.xor`: bitwise exclusive or.
#[inline]
pub fn i64_xor(a: i64, b: i64) -> i64 {
    a ^ b
}

/// `i64.shl`: `a` shifted left by `b` modulo 64.
#[inline]
pub fn i64_shl(a: i64, b: i64) -> i64 {
    a.wrapping_shl(b as u32)
}

/// `i64.shr_s`: `a` shifted right by `b` modulo 64, copying the sign bit.
#[inline]
pub fn i64_shr_s(a: i64, b: i64) -> i64 {
    a.wrapping_shr(b as u32)
}

/// `i64.shr_u`: `a` shifted right by `b` modulo 64, filling with zeros.
#[inline]
pub fn i64_shr_u(a: i64, b: i64) -> i64 {
    (a as u64).wrapping_shr(b as u32) as i64
}

/// `i64.rotl`: `a` rotated left by `b` modulo 64.
#[inline]
pub fn i64_rotl(a: i64, b: i64) -> i64 {
    a.rotate_left((b as u64 % 64) as u32)
}

/// `i64.rotr`: `a` rotated right by `b` modulo 64.
#[inline]
pub fn i64_rotr(a: i64, b: i64) -> i64 {
    a.rotate_right((b as u64 % 64) as u32)
}

// ---------------------------------------------------------------------------
// Sign extension (proposal `sign_extension`): reinterpret the low N bits as a
// signed N-bit integer and widen it back to the full width.
// ---------------------------------------------------------------------------

/// `i32.extend8_s`: the low 8 bits, sign-extended.
#[inline]
pub fn i32_extend8_s(a: i32) -> i32 {
    a as i8 as i32
}

/// `i32.extend16_s`: the low 16 bits, sign-extended.
#[inline]
pub fn i32_extend16_s(a: i32) -> i32 {
    a as i16 as i32
}

/// `i64.extend8_s`: the low 8 bits, sign-extended.
#[inline]
pub fn i64_extend8_s(a: i64) -> i64 {
    a as i8 as i64
}

/// `i64.extend16_s`: the low 16 bits, sign-extended.
#[inline]
pub fn i64_extend16_s(a: i64) -> i64 {
    a as i16 as i64
}

/// `i64.extend32_s`: the low 32 bits, sign-extended.
#[inline]
pub fn i64_extend32_s(a: i64) -> i64 {
    a as i32 as i64
}

// ---------------------------------------------------------------------------
// Wide arithmetic (proposal `wide_arithmetic`): 128-bit integers as a pair of
// i64 halves, low half first (deeper on the stack), results likewise.
// ---------------------------------------------------------------------------

/// Joins low and high i64 halves into one 128-bit integer.
#[inline]
fn wide(lo: i64, hi: i64) -> u128 {
    (u128::from(hi as u64) << 64) | u128::from(lo as u64)
}

/// Splits a 128-bit integer into its low and high i64 halves.
#[inline]
fn halves(x: u128) -> (i64, i64) {
    (x as u64 as i64, (x >> 64) as u64 as i64)
}

/// `i64.add128`: `(a_hi:a_lo) + (b_hi:b_lo)` modulo 2^128, as `(lo, hi)`.
#[inline]
pub fn i64_add128(a_lo: i64, a_hi: i64, b_lo: i64, b_hi: i64) -> (i64, i64) {
    halves(wide(a_lo, a_hi).wrapping_add(wide(b_lo, b_hi)))
}

/// `i64.sub128`: `(a_hi:a_lo) - (b_hi:b_lo)` modulo 2^128, as `(lo, hi)`.
#[inline]
pub fn i64_sub128(a_lo: i64, a_hi: i64, b_lo: i64, b_hi: i64) -> (i64, i64) {
    halves(wide(a_lo, a_hi).wrapping_sub(wide(b_lo, b_hi)))
}

/// `i64.mul_wide_s`: the full signed 128-bit product `a * b`, as `(lo, hi)`
/// (it always fits).
#[inline]
pub fn i64_mul_wide_s(a: i64, b: i64) -> (i64, i64) {
    halves((i128::from(a) * i128::from(b)) as u128)
}

/// `i64.mul_wide_u`: the full unsigned 128-bit product `a * b`, as `(lo, hi)`
/// (it always fits).
#[inline]
pub fn i64_mul_wide_u(a: i64, b: i64) -> (i64, i64) {
    halves(u128::from(a as u64) * u128::from(b as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_signed_and_unsigned() {
        assert_eq!(i32_eqz(0), 1);
        assert_eq!(i32_eqz(i32::MIN), 0);
        assert_eq!(i64_eqz(0), 1);
        assert_eq!(i64_eqz(-1), 0);
        // -1 is the smallest signed value here but the largest unsigned one.
        assert_eq!(i32_lt_s(-1, 0), 1);
        assert_eq!(i32_lt_u(-1, 0), 0);
        assert_eq!(i32_gt_u(-1, 0), 1);
        assert_eq!(i32_gt_s(-1, 0), 0);
        assert_eq!(i32_le_s(5, 5), 1);
        assert_eq!(i32_le_u(i32::MIN, i32::MAX), 0);
        assert_eq!(i32_ge_s(i32::MIN, i32::MAX), 0);
        assert_eq!(i32_ge_u(i32::MIN, i32::MAX), 1);
        assert_eq!(i32_eq(7, 7), 1);
        assert_eq!(i32_ne(7, 7), 0);
        assert_eq!(i64_lt_s(-1, 0), 1);
        assert_eq!(i64_lt_u(-1, 0), 0);
        assert_eq!(i64_gt_u(i64::MIN, i64::MAX), 1);
        assert_eq!(i64_gt_s(i64::MIN, i64::MAX), 0);
        assert_eq!(i64_le_u(0, -1), 1);
        assert_eq!(i64_le_s(0, -1), 0);
        assert_eq!(i64_ge_s(3, 3), 1);
        assert_eq!(i64_ge_u(0, 1), 0);
        assert_eq!(i64_eq(1, 2), 0);
        assert_eq!(i64_ne(1, 2), 1);
    }

    #[test]
    fn arithmetic_wraps() {
        assert_eq!(i32_add(i32::MAX, 1), i32::MIN);
        assert_eq!(i32_sub(i32::MIN, 1), i32::MAX);
        assert_eq!(i32_sub(3, 5), -2);
        assert_eq!(i32_mul(0x1000_0000, 16), 0);
        assert_eq!(i64_add(i64::MAX, 1), i64::MIN);
        assert_eq!(i64_sub(i64::MIN, 1), i64::MAX);
        assert_eq!(i64_mul(i64::MIN, -1), i64::MIN);
    }

    #[test]
    fn signed_division_overflow_and_remainder() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        // Rounding toward zero; the remainder takes the dividend's sign.
        assert_eq!(i32_div_s(-7, 2), Ok(-3));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
        assert_eq!(i32_rem_s(7, -2), Ok(1));
        assert_eq!(i64_div_s(-7, 2), Ok(-3));
        assert_eq!(i64_rem_s(-7, 2), Ok(-1));
    }

    #[test]
    fn division_by_zero_traps() {
        let zero = Err(TrapCode::IntegerDivideByZero);
        assert_eq!(i32_div_s(1, 0), zero);
        assert_eq!(i32_div_u(1, 0), zero);
        assert_eq!(i32_rem_s(1, 0), zero);
        assert_eq!(i32_rem_u(1, 0), zero);
        // MIN / 0 is a division by zero, not an overflow.
        assert_eq!(i32_div_s(i32::MIN, 0), zero);
        let zero = Err(TrapCode::IntegerDivideByZero);
        assert_eq!(i64_div_s(i64::MIN, 0), zero);
        assert_eq!(i64_div_s(1, 0), zero);
        assert_eq!(i64_div_u(1, 0), zero);
        assert_eq!(i64_rem_s(1, 0), zero);
        assert_eq!(i64_rem_u(1, 0), zero);
    }

    #[test]
    fn unsigned_division() {
        assert_eq!(i32_div_u(-1, 2), Ok(0x7fff_ffff));
        assert_eq!(i32_rem_u(-1, 2), Ok(1));
        assert_eq!(i32_div_u(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(-1, 2), Ok(i64::MAX));
        assert_eq!(i64_rem_u(-1, 2), Ok(1));
        assert_eq!(i64_rem_u(i64::MIN, -1), Ok(i64::MIN));
    }

    #[test]
    fn bitwise() {
        assert_eq!(i32_and(0b1100, 0b1010), 0b1000);
        assert_eq!(i32_or(0b1100, 0b1010), 0b1110);
        assert_eq!(i32_xor(0b1100, 0b1010), 0b0110);
        assert_eq!(i64_and(-1, 0x0f), 0x0f);
        assert_eq!(i64_or(i64::MIN, 1), i64::MIN + 1);
        assert_eq!(i64_xor(-1, 0), -1);
    }

    #[test]
    fn shift_counts_are_taken_modulo_the_width() {
        assert_eq!(i32_shl(1, 32), 1);
        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shl(1, -1), i32::MIN); // -1 mod 32 = 31
        assert_eq!(i32_shr_s(i32::MIN, 31), -1);
        assert_eq!(i32_shr_s(i32::MIN, 32), i32::MIN);
        assert_eq!(i32_shr_s(-8, -31), -4); // -31 mod 32 = 1
        assert_eq!(i32_shr_u(i32::MIN, 31), 1);
        assert_eq!(i32_shr_u(-1, 36), 0x0fff_ffff);
        assert_eq!(i32_shr_u(-1, -1), 1);
        assert_eq!(i64_shl(1, 64), 1);
        assert_eq!(i64_shl(1, 65), 2);
        assert_eq!(i64_shl(1, -1), i64::MIN);
        assert_eq!(i64_shr_s(i64::MIN, 64), i64::MIN);
        assert_eq!(i64_shr_s(i64::MIN, 63), -1);
        assert_eq!(i64_shr_u(i64::MIN, 63), 1);
        assert_eq!(i64_shr_u(-1, 68), 0x0fff_ffff_ffff_ffff);
        assert_eq!(i64_shr_u(-1, -1), 1);
        // A count whose low 32 bits are small but whose high bits are not.
        assert_eq!(i64_shl(1, 0x1_0000_0001), 2);
    }

    #[test]
    fn rotations_wrap_around() {
        assert_eq!(i32_rotl(i32::MIN | 1, 1), 0b11);
        assert_eq!(i32_rotr(0b11, 1), i32::MIN | 1);
        assert_eq!(i32_rotl(0x1234_5678, 32), 0x1234_5678);
        assert_eq!(i32_rotl(0x1234_5678, 36), 0x2345_6781);
        assert_eq!(i32_rotr(0x1234_5678, -4), 0x2345_6781); // -4 mod 32 = 28
        assert_eq!(i32_rotl(1, i32::MIN), 1);
        assert_eq!(i64_rotl(i64::MIN | 1, 1), 0b11);
        assert_eq!(i64_rotr(0b11, 1), i64::MIN | 1);
        assert_eq!(i64_rotl(0x0123_4567_89ab_cdef, 64), 0x0123_4567_89ab_cdef);
        assert_eq!(i64_rotl(0x0123_4567_89ab_cdef, 68), 0x1234_5678_9abc_def0);
        assert_eq!(i64_rotr(0x0123_4567_89ab_cdef, -4), 0x1234_5678_9abc_def0);
        assert_eq!(i64_rotl(1, 0x1_0000_0001), 2);
    }

    #[test]
    fn bit_counts() {
        assert_eq!((i32_clz(0), i32_ctz(0), i32_popcnt(0)), (32, 32, 0));
        assert_eq!((i64_clz(0), i64_ctz(0), i64_popcnt(0)), (64, 64, 0));
        assert_eq!((i32_clz(-1), i32_ctz(-1), i32_popcnt(-1)), (0, 0, 32));
        assert_eq!((i64_clz(-1), i64_ctz(-1), i64_popcnt(-1)), (0, 0, 64));
        assert_eq!((i32_clz(1), i32_ctz(i32::MIN)), (31, 31));
        assert_eq!((i64_clz(1), i64_ctz(i64::MIN)), (63, 63));
        assert_eq!(i32_popcnt(0x5555_5555), 16);
        assert_eq!(i64_popcnt(0x5555_5555_5555_5555), 32);
    }

    #[test]
    fn sign_extension() {
        assert_eq!(i32_extend8_s(0x7f), 0x7f);
        assert_eq!(i32_extend8_s(0x80), -128);
        assert_eq!(i32_extend8_s(0x1234_56ff), -1);
        assert_eq!(i32_extend16_s(0x7fff), 0x7fff);
        assert_eq!(i32_extend16_s(0x8000), -32768);
        assert_eq!(i32_extend16_s(0x1234_0000), 0);
        assert_eq!(i64_extend8_s(0x80), -128);
        assert_eq!(i64_extend8_s(0x0123_4567_89ab_cd7f), 0x7f);
        assert_eq!(i64_extend16_s(0xffff), -1);
        assert_eq!(i64_extend16_s(0x7fff), 0x7fff);
        assert_eq!(i64_extend32_s(0x8000_0000), -0x8000_0000);
        assert_eq!(i64_extend32_s(0x7fff_ffff), 0x7fff_ffff);
        assert_eq!(i64_extend32_s(0x0123_4567_ffff_ffff), -1);
    }

    #[test]
    fn wide_arithmetic_carries_between_halves() {
        assert_eq!(i64_add128(-1, 0, 1, 0), (0, 1));
        assert_eq!(i64_add128(-1, -1, 1, 0), (0, 0));
        assert_eq!(i64_sub128(0, 1, 1, 0), (-1, 0));
        assert_eq!(i64_sub128(0, 0, 1, 0), (-1, -1));
        assert_eq!(i64_mul_wide_s(-1, 1), (-1, -1));
        assert_eq!(i64_mul_wide_u(-1, 1), (-1, 0));
        assert_eq!(i64_mul_wide_s(i64::MIN, i64::MIN), (0, 1 << 62));
        assert_eq!(i64_mul_wide_u(-1, -1), (1, -2));
    }
}
