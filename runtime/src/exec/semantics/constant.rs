//! `t.const`: push the immediate unchanged.
//!
//! The float constants keep their bit pattern, signalling NaNs included.

/// `i32.const`: the immediate.
#[inline]
pub fn i32_const(value: i32) -> i32 {
    value
}

/// `i64.const`: the immediate.
#[inline]
pub fn i64_const(value: i64) -> i64 {
    value
}

/// `f32.const`: the immediate, bit for bit.
#[inline]
pub fn f32_const(value: f32) -> f32 {
    value
}

/// `f64.const`: the immediate, bit for bit.
#[inline]
pub fn f64_const(value: f64) -> f64 {
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_constants_pass_through() {
        assert_eq!(i32_const(i32::MIN), i32::MIN);
        assert_eq!(i64_const(-1), -1);
    }

    #[test]
    fn float_constants_keep_their_bits() {
        let snan32 = f32::from_bits(0x7fa0_0001);
        assert_eq!(f32_const(snan32).to_bits(), 0x7fa0_0001);
        let snan64 = f64::from_bits(0x7ff4_0000_0000_0001);
        assert_eq!(f64_const(snan64).to_bits(), 0x7ff4_0000_0000_0001);
        assert_eq!(f32_const(-0.0).to_bits(), 0x8000_0000);
    }
}
