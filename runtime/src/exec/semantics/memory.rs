//! The byte encodings of loads and stores.
//!
//! The executor computes the effective address, checks the bounds and moves
//! the bytes; these functions only convert between bytes and values. Memory is
//! little-endian. A narrow load (`load8`, `load16`, `load32`) reads N bytes
//! and extends them to the result type, with the sign (`_s`) or with zeros
//! (`_u`); a narrow store (`store8`, `store16`, `store32`) writes the low N
//! bytes of the value. Float loads and stores keep the bit pattern exactly,
//! NaN payloads included.

// ---------------------------------------------------------------------------
// Full-width loads.
// ---------------------------------------------------------------------------

/// `i32.load`: 4 little-endian bytes.
#[inline]
pub fn i32_load(bytes: [u8; 4]) -> i32 {
    i32::from_le_bytes(bytes)
}

/// `i64.load`: 8 little-endian bytes.
#[inline]
pub fn i64_load(bytes: [u8; 8]) -> i64 {
    i64::from_le_bytes(bytes)
}

/// `f32.load`: 4 little-endian bytes, as an f32 bit pattern.
#[inline]
pub fn f32_load(bytes: [u8; 4]) -> f32 {
    f32::from_le_bytes(bytes)
}

/// `f64.load`: 8 little-endian bytes, as an f64 bit pattern.
#[inline]
pub fn f64_load(bytes: [u8; 8]) -> f64 {
    f64::from_le_bytes(bytes)
}

// ---------------------------------------------------------------------------
// Narrow loads.
// ---------------------------------------------------------------------------

/// `i32.load8_s`: 1 byte, sign-extended.
#[inline]
pub fn i32_load8_s(bytes: [u8; 1]) -> i32 {
    i8::from_le_bytes(bytes) as i32
}

/// `i32.load8_u`: 1 byte, zero-extended.
#[inline]
pub fn i32_load8_u(bytes: [u8; 1]) -> i32 {
    u8::from_le_bytes(bytes) as i32
}

/// `i32.load16_s`: 2 little-endian bytes, sign-extended.
#[inline]
pub fn i32_load16_s(bytes: [u8; 2]) -> i32 {
    i16::from_le_bytes(bytes) as i32
}

/// `i32.load16_u`: 2 little-endian bytes, zero-extended.
#[inline]
pub fn i32_load16_u(bytes: [u8; 2]) -> i32 {
    u16::from_le_bytes(bytes) as i32
}

/// `i64.load8_s`: 1 byte, sign-extended.
#[inline]
pub fn i64_load8_s(bytes: [u8; 1]) -> i64 {
    i8::from_le_bytes(bytes) as i64
}

/// `i64.load8_u`: 1 byte, zero-extended.
#[inline]
pub fn i64_load8_u(bytes: [u8; 1]) -> i64 {
    u8::from_le_bytes(bytes) as i64
}

/// `i64.load16_s`: 2 little-endian bytes, sign-extended.
#[inline]
pub fn i64_load16_s(bytes: [u8; 2]) -> i64 {
    i16::from_le_bytes(bytes) as i64
}

/// `i64.load16_u`: 2 little-endian bytes, zero-extended.
#[inline]
pub fn i64_load16_u(bytes: [u8; 2]) -> i64 {
    u16::from_le_bytes(bytes) as i64
}

/// `i64.load32_s`: 4 little-endian bytes, sign-extended.
#[inline]
pub fn i64_load32_s(bytes: [u8; 4]) -> i64 {
    i32::from_le_bytes(bytes) as i64
}

/// `i64.load32_u`: 4 little-endian bytes, zero-extended.
#[inline]
pub fn i64_load32_u(bytes: [u8; 4]) -> i64 {
    u32::from_le_bytes(bytes) as i64
}

// ---------------------------------------------------------------------------
// Full-width stores.
// ---------------------------------------------------------------------------

/// `i32.store`: `value` as 4 little-endian bytes.
#[inline]
pub fn i32_store(value: i32) -> [u8; 4] {
    value.to_le_bytes()
}

/// `i64.store`: `value` as 8 little-endian bytes.
#[inline]
pub fn i64_store(value: i64) -> [u8; 8] {
    value.to_le_bytes()
}

/// `f32.store`: the bit pattern of `value` as 4 little-endian bytes.
#[inline]
pub fn f32_store(value: f32) -> [u8; 4] {
    value.to_le_bytes()
}

/// `f64.store`: the bit pattern of `value` as 8 little-endian bytes.
#[inline]
pub fn f64_store(value: f64) -> [u8; 8] {
    value.to_le_bytes()
}

// ---------------------------------------------------------------------------
// Narrow stores: the low bytes of the value.
// ---------------------------------------------------------------------------

/// `i32.store8`: the low byte of `value`.
#[inline]
pub fn i32_store8(value: i32) -> [u8; 1] {
    (value as u8).to_le_bytes()
}

/// `i32.store16`: the low 2 bytes of `value`, little-endian.
#[inline]
pub fn i32_store16(value: i32) -> [u8; 2] {
    (value as u16).to_le_bytes()
}

/// `i64.store8`: the low byte of `value`.
#[inline]
pub fn i64_store8(value: i64) -> [u8; 1] {
    (value as u8).to_le_bytes()
}

/// `i64.store16`: the low 2 bytes of `value`, little-endian.
#[inline]
pub fn i64_store16(value: i64) -> [u8; 2] {
    (value as u16).to_le_bytes()
}

/// `i64.store32`: the low 4 bytes of `value`, little-endian.
#[inline]
pub fn i64_store32(value: i64) -> [u8; 4] {
    (value as u32).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_is_little_endian() {
        assert_eq!(i32_load([0x78, 0x56, 0x34, 0x12]), 0x1234_5678);
        assert_eq!(i32_store(0x1234_5678), [0x78, 0x56, 0x34, 0x12]);
        assert_eq!(
            i64_load([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]),
            0x0123_4567_89ab_cdef
        );
        assert_eq!(
            i64_store(0x0123_4567_89ab_cdef),
            [0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]
        );
        assert_eq!(f32_load([0, 0, 0x80, 0x3f]), 1.0);
        assert_eq!(f64_store(1.0), [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    }

    #[test]
    fn narrow_loads_extend() {
        assert_eq!(i32_load8_s([0x80]), -128);
        assert_eq!(i32_load8_s([0x7f]), 127);
        assert_eq!(i32_load8_u([0x80]), 128);
        assert_eq!(i32_load8_u([0xff]), 255);
        assert_eq!(i32_load16_s([0x00, 0x80]), -32768);
        assert_eq!(i32_load16_s([0xff, 0x7f]), 32767);
        assert_eq!(i32_load16_u([0x00, 0x80]), 32768);
        assert_eq!(i32_load16_u([0xff, 0xff]), 65535);
        assert_eq!(i64_load8_s([0xff]), -1);
        assert_eq!(i64_load8_u([0xff]), 255);
        assert_eq!(i64_load16_s([0xfe, 0xff]), -2);
        assert_eq!(i64_load16_u([0xfe, 0xff]), 0xfffe);
        assert_eq!(i64_load32_s([0, 0, 0, 0x80]), -0x8000_0000);
        assert_eq!(i64_load32_s([0xff, 0xff, 0xff, 0x7f]), 0x7fff_ffff);
        assert_eq!(i64_load32_u([0, 0, 0, 0x80]), 0x8000_0000);
        assert_eq!(i64_load32_u([0xff; 4]), 0xffff_ffff);
    }

    #[test]
    fn narrow_stores_truncate() {
        assert_eq!(i32_store8(0x1234_56ab), [0xab]);
        assert_eq!(i32_store8(-1), [0xff]);
        assert_eq!(i32_store16(0x1234_56ab), [0xab, 0x56]);
        assert_eq!(i64_store8(0x0123_4567_89ab_cdef), [0xef]);
        assert_eq!(i64_store16(0x0123_4567_89ab_cdef), [0xef, 0xcd]);
        assert_eq!(i64_store32(0x0123_4567_89ab_cdef), [0xef, 0xcd, 0xab, 0x89]);
        assert_eq!(i64_store32(-1), [0xff; 4]);
    }

    #[test]
    fn round_trips() {
        for v in [0, 1, -1, i32::MIN, i32::MAX, 0x1234_5678] {
            assert_eq!(i32_load(i32_store(v)), v);
            assert_eq!(i32_load8_s(i32_store8(v)), v as i8 as i32);
            assert_eq!(i32_load8_u(i32_store8(v)), v & 0xff);
            assert_eq!(i32_load16_s(i32_store16(v)), v as i16 as i32);
            assert_eq!(i32_load16_u(i32_store16(v)), v & 0xffff);
        }
        for v in [0, 1, -1, i64::MIN, i64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(i64_load(i64_store(v)), v);
            assert_eq!(i64_load8_s(i64_store8(v)), v as i8 as i64);
            assert_eq!(i64_load8_u(i64_store8(v)), v & 0xff);
            assert_eq!(i64_load16_s(i64_store16(v)), v as i16 as i64);
            assert_eq!(i64_load16_u(i64_store16(v)), v & 0xffff);
            assert_eq!(i64_load32_s(i64_store32(v)), v as i32 as i64);
            assert_eq!(i64_load32_u(i64_store32(v)), v & 0xffff_ffff);
        }
    }

    #[test]
    fn float_round_trips_keep_nan_payloads() {
        for bits in [0x7fa0_0001u32, 0xffc0_0000, 0x8000_0000, 0x0000_0001] {
            let bytes = f32_store(f32::from_bits(bits));
            assert_eq!(bytes, bits.to_le_bytes());
            assert_eq!(f32_load(bytes).to_bits(), bits);
        }
        for bits in [0x7ff4_0000_0000_0001u64, 0xfff8_0000_0000_0000, 1 << 63, 1] {
            let bytes = f64_store(f64::from_bits(bits));
            assert_eq!(bytes, bits.to_le_bytes());
            assert_eq!(f64_load(bytes).to_bits(), bits);
        }
    }
}
