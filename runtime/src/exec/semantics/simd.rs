//! Fixed-width SIMD instructions: the 128-bit vector type `v128` and its
//! lane-wise operations (spec: `vunop`, `vbinop`, `vternop`, `vtestop`,
//! `vrelop`, `vshiftop`, `vcvtop`, lanes, shuffles, splats and the vector
//! loads and stores).
//!
//! A `v128` is held as a `u128`. Interpreted as a vector of lanes (the shapes
//! `i8x16`, `i16x8`, `i32x4`, `i64x2`, `f32x4`, `f64x2`), lane 0 sits in the
//! least significant bits, which is the order of the bytes in memory: lane `i`
//! of an `i8x16` is byte `i` of `to_le_bytes()`. The private helpers at the
//! top split a `u128` into an array of lanes and join one back; every
//! operation is then written on ordinary Rust arrays.
//!
//! Almost every instruction applies the scalar operation of the same name to
//! each lane independently, so integer lanes wrap, shift counts are taken
//! modulo the lane width, and float lanes follow the scalar float rules (see
//! `float.rs`): `min`/`max` propagate NaN and order -0 below +0, `abs`/`neg`
//! only touch the sign bit, the rounding functions quiet NaNs. The few
//! operations that mix lanes (shuffle, swizzle, narrow, extend, extmul,
//! extadd_pairwise, dot, bitmask) say so in their documentation. Lane
//! indices are validated before execution, but every function still masks
//! them so that no input can panic.

// Test builds link `std`, whose inherent methods then take precedence.
#[cfg(all(not(feature = "std"), not(test)))]
use super::no_std_math::FloatMath;

// ---------------------------------------------------------------------------
// Lane views: a `u128` as an array of lanes (lane 0 = least significant bits)
// and back.
// ---------------------------------------------------------------------------

/// Defines a pair of private functions converting a `u128` to an array of
/// `$n` integer lanes of type `$t` (`$bits` wide) and back.
macro_rules! int_lanes {
    ($($split:ident / $join:ident: [$t:ty; $n:literal], $bits:literal;)*) => {$(
        #[inline]
        fn $split(v: u128) -> [$t; $n] {
            core::array::from_fn(|i| (v >> ($bits * i)) as $t)
        }

        #[inline]
        fn $join(lanes: [$t; $n]) -> u128 {
            let mut v = 0u128;
            for (i, lane) in lanes.into_iter().enumerate() {
                // Go through the unsigned type of the same width so that a
                // negative lane does not sign-extend into its neighbours.
                v |= ((lane as u128) & (u128::MAX >> (128 - $bits))) << ($bits * i);
            }
            v
        }
    )*};
}

int_lanes! {
    i8x16 / from_i8x16: [i8; 16], 8;
    u8x16 / from_u8x16: [u8; 16], 8;
    i16x8 / from_i16x8: [i16; 8], 16;
    u16x8 / from_u16x8: [u16; 8], 16;
    i32x4 / from_i32x4: [i32; 4], 32;
    u32x4 / from_u32x4: [u32; 4], 32;
    i64x2 / from_i64x2: [i64; 2], 64;
    u64x2 / from_u64x2: [u64; 2], 64;
}

/// The four f32 lanes of `v` (bit patterns kept exactly).
#[inline]
fn f32x4(v: u128) -> [f32; 4] {
    u32x4(v).map(f32::from_bits)
}

/// Four f32 lanes joined into a `v128` (bit patterns kept exactly).
#[inline]
fn from_f32x4(lanes: [f32; 4]) -> u128 {
    from_u32x4(lanes.map(f32::to_bits))
}

/// The two f64 lanes of `v` (bit patterns kept exactly).
#[inline]
fn f64x2(v: u128) -> [f64; 2] {
    u64x2(v).map(f64::from_bits)
}

/// Two f64 lanes joined into a `v128` (bit patterns kept exactly).
#[inline]
fn from_f64x2(lanes: [f64; 2]) -> u128 {
    from_u64x2(lanes.map(f64::to_bits))
}

/// Applies `f` to the lanes of `a` and `b` pairwise.
#[inline]
fn zip<T: Copy, U, const N: usize>(a: [T; N], b: [T; N], f: impl Fn(T, T) -> U) -> [U; N] {
    core::array::from_fn(|i| f(a[i], b[i]))
}

/// The all-ones lane for a true comparison, the all-zeros lane for false.
#[inline]
fn mask<T: From<i8>>(cond: bool) -> T {
    T::from(-(cond as i8))
}

/// `v` with the `width`-bit lane number `lane` replaced by the low `width`
/// bits of `x`. `lane` must already be reduced below `128 / width`.
#[inline]
fn with_lane(v: u128, lane: u32, width: u32, x: u128) -> u128 {
    let ones = u128::MAX >> (128 - width);
    let shift = (lane * width) & 127;
    (v & !(ones << shift)) | ((x & ones) << shift)
}

/// The `width`-bit lane number `lane` of `v`, in the low bits of the result.
/// `lane` must already be reduced below `128 / width`.
#[inline]
fn lane_bits(v: u128, lane: u32, width: u32) -> u128 {
    (v >> ((lane * width) & 127)) & (u128::MAX >> (128 - width))
}

// ---------------------------------------------------------------------------
// Float lane rules, the same as the scalar instructions.
// ---------------------------------------------------------------------------

/// Defines the private float helpers for one float type: NaN-propagating
/// `min`/`max` with -0 < +0, and rounding functions that quiet NaNs.
macro_rules! float_rules {
    ($t:ty, $min:ident, $max:ident, $ceil:ident, $floor:ident, $trunc:ident, $nearest:ident) => {
        /// The smaller operand; NaN if either is NaN; -0 below +0.
        #[inline]
        fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                // Arithmetic on a NaN gives a quiet NaN, as the spec asks.
                a + b
            } else if a == b {
                // Equal values differ at most in the sign of a zero.
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }

        /// The larger operand; NaN if either is NaN; +0 above -0.
        #[inline]
        fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }

        /// Rounded toward +infinity; a NaN comes back quiet.
        #[inline]
        fn $ceil(a: $t) -> $t {
            if a.is_nan() {
                a + a
            } else {
                a.ceil()
            }
        }

        /// Rounded toward -infinity; a NaN comes back quiet.
        #[inline]
        fn $floor(a: $t) -> $t {
            if a.is_nan() {
                a + a
            } else {
                a.floor()
            }
        }

        /// Rounded toward zero; a NaN comes back quiet.
        #[inline]
        fn $trunc(a: $t) -> $t {
            if a.is_nan() {
                a + a
            } else {
                a.trunc()
            }
        }

        /// Rounded to the nearest integer, ties to even; a NaN comes back quiet.
        #[inline]
        fn $nearest(a: $t) -> $t {
            if a.is_nan() {
                a + a
            } else {
                a.round_ties_even()
            }
        }
    };
}

float_rules!(f32, fmin32, fmax32, fceil32, ffloor32, ftrunc32, fnearest32);
float_rules!(f64, fmin64, fmax64, fceil64, ffloor64, ftrunc64, fnearest64);

// ---------------------------------------------------------------------------
// Families of lane-wise instructions. Each item reads
// `fn name(split -> join) |lanes..| expression`: split the operands into
// lanes with `split`, compute the expression for each lane, join the results
// with `join`.
// ---------------------------------------------------------------------------

/// Defines `pub fn name(a: u128) -> u128` computing `$body` on each lane.
macro_rules! lanewise_unop {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident) |$x:ident| $body:expr;)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128) -> u128 {
            $join($split(a).map(|$x| $body))
        }
    )*};
}

/// Defines `pub fn name(a: u128, b: u128) -> u128` computing `$body` on each
/// pair of lanes.
macro_rules! lanewise_binop {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident) |$x:ident, $y:ident| $body:expr;)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            $join(zip($split(a), $split(b), |$x, $y| $body))
        }
    )*};
}

/// Defines `pub fn name(a: u128, b: u128) -> u128` setting each result lane
/// to all ones where the relation `$body` holds and to zeros where not.
macro_rules! lanewise_relop {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident) |$x:ident, $y:ident| $body:expr;)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            $join(zip($split(a), $split(b), |$x, $y| mask($body)))
        }
    )*};
}

/// Defines `pub fn name(a: u128, count: i32) -> u128` shifting each lane by
/// `count` modulo the lane width (`wrapping_shl`/`wrapping_shr` mask it).
macro_rules! lanewise_shift {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident) $method:ident;)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128, count: i32) -> u128 {
            $join($split(a).map(|x| x.$method(count as u32)))
        }
    )*};
}

// ---------------------------------------------------------------------------
// Loads: the caller reads the bytes, these functions build the vector.
// ---------------------------------------------------------------------------

/// `v128.load`: 16 bytes, byte `i` becoming `i8x16` lane `i`.
#[inline]
pub fn v128_load(bytes: [u8; 16]) -> u128 {
    u128::from_le_bytes(bytes)
}

/// `v128.load8x8_s`: 8 bytes, each sign-extended to an `i16x8` lane.
#[inline]
pub fn v128_load8x8_s(bytes: [u8; 8]) -> u128 {
    from_i16x8(bytes.map(|b| b as i8 as i16))
}

/// `v128.load8x8_u`: 8 bytes, each zero-extended to an `i16x8` lane.
#[inline]
pub fn v128_load8x8_u(bytes: [u8; 8]) -> u128 {
    from_u16x8(bytes.map(u16::from))
}

/// `v128.load16x4_s`: 4 little-endian i16, each sign-extended to an `i32x4` lane.
#[inline]
pub fn v128_load16x4_s(bytes: [u8; 8]) -> u128 {
    let narrow = i16x8(u64::from_le_bytes(bytes) as u128);
    from_i32x4(core::array::from_fn(|i| i32::from(narrow[i])))
}

/// `v128.load16x4_u`: 4 little-endian u16, each zero-extended to an `i32x4` lane.
#[inline]
pub fn v128_load16x4_u(bytes: [u8; 8]) -> u128 {
    let narrow = u16x8(u64::from_le_bytes(bytes) as u128);
    from_u32x4(core::array::from_fn(|i| u32::from(narrow[i])))
}

/// `v128.load32x2_s`: 2 little-endian i32, each sign-extended to an `i64x2` lane.
#[inline]
pub fn v128_load32x2_s(bytes: [u8; 8]) -> u128 {
    let narrow = i32x4(u64::from_le_bytes(bytes) as u128);
    from_i64x2([i64::from(narrow[0]), i64::from(narrow[1])])
}

/// `v128.load32x2_u`: 2 little-endian u32, each zero-extended to an `i64x2` lane.
#[inline]
pub fn v128_load32x2_u(bytes: [u8; 8]) -> u128 {
    let narrow = u32x4(u64::from_le_bytes(bytes) as u128);
    from_u64x2([u64::from(narrow[0]), u64::from(narrow[1])])
}

/// `v128.load8_splat`: 1 byte copied to all 16 lanes.
#[inline]
pub fn v128_load8_splat(bytes: [u8; 1]) -> u128 {
    from_u8x16([bytes[0]; 16])
}

/// `v128.load16_splat`: a little-endian u16 copied to all 8 lanes.
#[inline]
pub fn v128_load16_splat(bytes: [u8; 2]) -> u128 {
    from_u16x8([u16::from_le_bytes(bytes); 8])
}

/// `v128.load32_splat`: a little-endian u32 copied to all 4 lanes.
#[inline]
pub fn v128_load32_splat(bytes: [u8; 4]) -> u128 {
    from_u32x4([u32::from_le_bytes(bytes); 4])
}

/// `v128.load64_splat`: a little-endian u64 copied to both lanes.
#[inline]
pub fn v128_load64_splat(bytes: [u8; 8]) -> u128 {
    from_u64x2([u64::from_le_bytes(bytes); 2])
}

/// `v128.load32_zero`: a little-endian u32 in lane 0 of an `i32x4`, zeros elsewhere.
#[inline]
pub fn v128_load32_zero(bytes: [u8; 4]) -> u128 {
    u128::from(u32::from_le_bytes(bytes))
}

/// `v128.load64_zero`: a little-endian u64 in lane 0 of an `i64x2`, zeros elsewhere.
#[inline]
pub fn v128_load64_zero(bytes: [u8; 8]) -> u128 {
    u128::from(u64::from_le_bytes(bytes))
}

/// `v128.load8_lane`: `a` with `i8x16` lane `lane` replaced by the byte read.
#[inline]
pub fn v128_load8_lane(lane: u8, bytes: [u8; 1], a: u128) -> u128 {
    with_lane(a, u32::from(lane & 15), 8, u128::from(bytes[0]))
}

/// `v128.load16_lane`: `a` with `i16x8` lane `lane` replaced by the u16 read.
#[inline]
pub fn v128_load16_lane(lane: u8, bytes: [u8; 2], a: u128) -> u128 {
    with_lane(
        a,
        u32::from(lane & 7),
        16,
        u128::from(u16::from_le_bytes(bytes)),
    )
}

/// `v128.load32_lane`: `a` with `i32x4` lane `lane` replaced by the u32 read.
#[inline]
pub fn v128_load32_lane(lane: u8, bytes: [u8; 4], a: u128) -> u128 {
    with_lane(
        a,
        u32::from(lane & 3),
        32,
        u128::from(u32::from_le_bytes(bytes)),
    )
}

/// `v128.load64_lane`: `a` with `i64x2` lane `lane` replaced by the u64 read.
#[inline]
pub fn v128_load64_lane(lane: u8, bytes: [u8; 8], a: u128) -> u128 {
    with_lane(
        a,
        u32::from(lane & 1),
        64,
        u128::from(u64::from_le_bytes(bytes)),
    )
}

// ---------------------------------------------------------------------------
// Stores: these functions produce the bytes, the caller writes them.
// ---------------------------------------------------------------------------

/// `v128.store`: all 16 bytes of `a`, lane 0 first.
#[inline]
pub fn v128_store(a: u128) -> [u8; 16] {
    a.to_le_bytes()
}

/// `v128.store8_lane`: the byte in `i8x16` lane `lane` of `a`.
#[inline]
pub fn v128_store8_lane(lane: u8, a: u128) -> [u8; 1] {
    [lane_bits(a, u32::from(lane & 15), 8) as u8]
}

/// `v128.store16_lane`: `i16x8` lane `lane` of `a`, little-endian.
#[inline]
pub fn v128_store16_lane(lane: u8, a: u128) -> [u8; 2] {
    (lane_bits(a, u32::from(lane & 7), 16) as u16).to_le_bytes()
}

/// `v128.store32_lane`: `i32x4` lane `lane` of `a`, little-endian.
#[inline]
pub fn v128_store32_lane(lane: u8, a: u128) -> [u8; 4] {
    (lane_bits(a, u32::from(lane & 3), 32) as u32).to_le_bytes()
}

/// `v128.store64_lane`: `i64x2` lane `lane` of `a`, little-endian.
#[inline]
pub fn v128_store64_lane(lane: u8, a: u128) -> [u8; 8] {
    (lane_bits(a, u32::from(lane & 1), 64) as u64).to_le_bytes()
}

// ---------------------------------------------------------------------------
// Constants, shuffles and splats.
// ---------------------------------------------------------------------------

/// `v128.const`: the immediate.
#[inline]
pub fn v128_const(value: u128) -> u128 {
    value
}

/// `i8x16.shuffle`: result lane `i` is lane `lanes[i]` of the 32 lanes of `a`
/// followed by `b` (an index below 16 picks from `a`, otherwise from `b`).
#[inline]
pub fn i8x16_shuffle(lanes: [u8; 16], a: u128, b: u128) -> u128 {
    let a = u8x16(a);
    let b = u8x16(b);
    from_u8x16(lanes.map(|l| {
        let l = usize::from(l & 31);
        if l < 16 {
            a[l]
        } else {
            b[l & 15]
        }
    }))
}

/// `i8x16.swizzle`: result lane `i` is lane `s[i]` of `a`, or 0 if `s[i] >= 16`.
#[inline]
pub fn i8x16_swizzle(a: u128, s: u128) -> u128 {
    let a = u8x16(a);
    from_u8x16(u8x16(s).map(|l| a.get(usize::from(l)).copied().unwrap_or(0)))
}

/// `i8x16.splat`: the low 8 bits of `x` in all 16 lanes.
#[inline]
pub fn i8x16_splat(x: i32) -> u128 {
    from_i8x16([x as i8; 16])
}

/// `i16x8.splat`: the low 16 bits of `x` in all 8 lanes.
#[inline]
pub fn i16x8_splat(x: i32) -> u128 {
    from_i16x8([x as i16; 8])
}

/// `i32x4.splat`: `x` in all 4 lanes.
#[inline]
pub fn i32x4_splat(x: i32) -> u128 {
    from_i32x4([x; 4])
}

/// `i64x2.splat`: `x` in both lanes.
#[inline]
pub fn i64x2_splat(x: i64) -> u128 {
    from_i64x2([x; 2])
}

/// `f32x4.splat`: `x` in all 4 lanes.
#[inline]
pub fn f32x4_splat(x: f32) -> u128 {
    from_f32x4([x; 4])
}

/// `f64x2.splat`: `x` in both lanes.
#[inline]
pub fn f64x2_splat(x: f64) -> u128 {
    from_f64x2([x; 2])
}

// ---------------------------------------------------------------------------
// Extracting and replacing one lane.
// ---------------------------------------------------------------------------

/// `i8x16.extract_lane_s`: lane `lane` of `a`, sign-extended.
#[inline]
pub fn i8x16_extract_lane_s(lane: u8, a: u128) -> i32 {
    i32::from(i8x16(a)[usize::from(lane & 15)])
}

/// `i8x16.extract_lane_u`: lane `lane` of `a`, zero-extended.
#[inline]
pub fn i8x16_extract_lane_u(lane: u8, a: u128) -> i32 {
    i32::from(u8x16(a)[usize::from(lane & 15)])
}

/// `i8x16.replace_lane`: `a` with lane `lane` set to the low 8 bits of `x`.
#[inline]
pub fn i8x16_replace_lane(lane: u8, a: u128, x: i32) -> u128 {
    with_lane(a, u32::from(lane & 15), 8, x as u128)
}

/// `i16x8.extract_lane_s`: lane `lane` of `a`, sign-extended.
#[inline]
pub fn i16x8_extract_lane_s(lane: u8, a: u128) -> i32 {
    i32::from(i16x8(a)[usize::from(lane & 7)])
}

/// `i16x8.extract_lane_u`: lane `lane` of `a`, zero-extended.
#[inline]
pub fn i16x8_extract_lane_u(lane: u8, a: u128) -> i32 {
    i32::from(u16x8(a)[usize::from(lane & 7)])
}

/// `i16x8.replace_lane`: `a` with lane `lane` set to the low 16 bits of `x`.
#[inline]
pub fn i16x8_replace_lane(lane: u8, a: u128, x: i32) -> u128 {
    with_lane(a, u32::from(lane & 7), 16, x as u128)
}

/// `i32x4.extract_lane`: lane `lane` of `a`.
#[inline]
pub fn i32x4_extract_lane(lane: u8, a: u128) -> i32 {
    i32x4(a)[usize::from(lane & 3)]
}

/// `i32x4.replace_lane`: `a` with lane `lane` set to `x`.
#[inline]
pub fn i32x4_replace_lane(lane: u8, a: u128, x: i32) -> u128 {
    with_lane(a, u32::from(lane & 3), 32, u128::from(x as u32))
}

/// `i64x2.extract_lane`: lane `lane` of `a`.
#[inline]
pub fn i64x2_extract_lane(lane: u8, a: u128) -> i64 {
    i64x2(a)[usize::from(lane & 1)]
}

/// `i64x2.replace_lane`: `a` with lane `lane` set to `x`.
#[inline]
pub fn i64x2_replace_lane(lane: u8, a: u128, x: i64) -> u128 {
    with_lane(a, u32::from(lane & 1), 64, u128::from(x as u64))
}

/// `f32x4.extract_lane`: lane `lane` of `a` (bit pattern kept).
#[inline]
pub fn f32x4_extract_lane(lane: u8, a: u128) -> f32 {
    f32x4(a)[usize::from(lane & 3)]
}

/// `f32x4.replace_lane`: `a` with lane `lane` set to `x` (bit pattern kept).
#[inline]
pub fn f32x4_replace_lane(lane: u8, a: u128, x: f32) -> u128 {
    with_lane(a, u32::from(lane & 3), 32, u128::from(x.to_bits()))
}

/// `f64x2.extract_lane`: lane `lane` of `a` (bit pattern kept).
#[inline]
pub fn f64x2_extract_lane(lane: u8, a: u128) -> f64 {
    f64x2(a)[usize::from(lane & 1)]
}

/// `f64x2.replace_lane`: `a` with lane `lane` set to `x` (bit pattern kept).
#[inline]
pub fn f64x2_replace_lane(lane: u8, a: u128, x: f64) -> u128 {
    with_lane(a, u32::from(lane & 1), 64, u128::from(x.to_bits()))
}

// ---------------------------------------------------------------------------
// Comparisons: each result lane is all ones where the relation holds, zeros
// where not. Float relations with a NaN are false, except `ne`; -0 == +0.
// ---------------------------------------------------------------------------

lanewise_relop! {
    /// `i8x16.eq`: lanes where `a == b`.
    fn i8x16_eq(i8x16 -> from_i8x16) |x, y| x == y;
    /// `i8x16.ne`: lanes where `a != b`.
    fn i8x16_ne(i8x16 -> from_i8x16) |x, y| x != y;
    /// `i8x16.lt_s`: lanes where `a < b`, signed.
    fn i8x16_lt_s(i8x16 -> from_i8x16) |x, y| x < y;
    /// `i8x16.lt_u`: lanes where `a < b`, unsigned.
    fn i8x16_lt_u(u8x16 -> from_i8x16) |x, y| x < y;
    /// `i8x16.gt_s`: lanes where `a > b`, signed.
    fn i8x16_gt_s(i8x16 -> from_i8x16) |x, y| x > y;
    /// `i8x16.gt_u`: lanes where `a > b`, unsigned.
    fn i8x16_gt_u(u8x16 -> from_i8x16) |x, y| x > y;
    /// `i8x16.le_s`: lanes where `a <= b`, signed.
    fn i8x16_le_s(i8x16 -> from_i8x16) |x, y| x <= y;
    /// `i8x16.le_u`: lanes where `a <= b`, unsigned.
    fn i8x16_le_u(u8x16 -> from_i8x16) |x, y| x <= y;
    /// `i8x16.ge_s`: lanes where `a >= b`, signed.
    fn i8x16_ge_s(i8x16 -> from_i8x16) |x, y| x >= y;
    /// `i8x16.ge_u`: lanes where `a >= b`, unsigned.
    fn i8x16_ge_u(u8x16 -> from_i8x16) |x, y| x >= y;

    /// `i16x8.eq`: lanes where `a == b`.
    fn i16x8_eq(i16x8 -> from_i16x8) |x, y| x == y;
    /// `i16x8.ne`: lanes where `a != b`.
    fn i16x8_ne(i16x8 -> from_i16x8) |x, y| x != y;
    /// `i16x8.lt_s`: lanes where `a < b`, signed.
    fn i16x8_lt_s(i16x8 -> from_i16x8) |x, y| x < y;
    /// `i16x8.lt_u`: lanes where `a < b`, unsigned.
    fn i16x8_lt_u(u16x8 -> from_i16x8) |x, y| x < y;
    /// `i16x8.gt_s`: lanes where `a > b`, signed.
    fn i16x8_gt_s(i16x8 -> from_i16x8) |x, y| x > y;
    /// `i16x8.gt_u`: lanes where `a > b`, unsigned.
    fn i16x8_gt_u(u16x8 -> from_i16x8) |x, y| x > y;
    /// `i16x8.le_s`: lanes where `a <= b`, signed.
    fn i16x8_le_s(i16x8 -> from_i16x8) |x, y| x <= y;
    /// `i16x8.le_u`: lanes where `a <= b`, unsigned.
    fn i16x8_le_u(u16x8 -> from_i16x8) |x, y| x <= y;
    /// `i16x8.ge_s`: lanes where `a >= b`, signed.
    fn i16x8_ge_s(i16x8 -> from_i16x8) |x, y| x >= y;
    /// `i16x8.ge_u`: lanes where `a >= b`, unsigned.
    fn i16x8_ge_u(u16x8 -> from_i16x8) |x, y| x >= y;

    /// `i32x4.eq`: lanes where `a == b`.
    fn i32x4_eq(i32x4 -> from_i32x4) |x, y| x == y;
    /// `i32x4.ne`: lanes where `a != b`.
    fn i32x4_ne(i32x4 -> from_i32x4) |x, y| x != y;
    /// `i32x4.lt_s`: lanes where `a < b`, signed.
    fn i32x4_lt_s(i32x4 -> from_i32x4) |x, y| x < y;
    /// `i32x4.lt_u`: lanes where `a < b`, unsigned.
    fn i32x4_lt_u(u32x4 -> from_i32x4) |x, y| x < y;
    /// `i32x4.gt_s`: lanes where `a > b`, signed.
    fn i32x4_gt_s(i32x4 -> from_i32x4) |x, y| x > y;
    /// `i32x4.gt_u`: lanes where `a > b`, unsigned.
    fn i32x4_gt_u(u32x4 -> from_i32x4) |x, y| x > y;
    /// `i32x4.le_s`: lanes where `a <= b`, signed.
    fn i32x4_le_s(i32x4 -> from_i32x4) |x, y| x <= y;
    /// `i32x4.le_u`: lanes where `a <= b`, unsigned.
    fn i32x4_le_u(u32x4 -> from_i32x4) |x, y| x <= y;
    /// `i32x4.ge_s`: lanes where `a >= b`, signed.
    fn i32x4_ge_s(i32x4 -> from_i32x4) |x, y| x >= y;
    /// `i32x4.ge_u`: lanes where `a >= b`, unsigned.
    fn i32x4_ge_u(u32x4 -> from_i32x4) |x, y| x >= y;

    /// `i64x2.eq`: lanes where `a == b`.
    fn i64x2_eq(i64x2 -> from_i64x2) |x, y| x == y;
    /// `i64x2.ne`: lanes where `a != b`.
    fn i64x2_ne(i64x2 -> from_i64x2) |x, y| x != y;
    /// `i64x2.lt_s`: lanes where `a < b`, signed.
    fn i64x2_lt_s(i64x2 -> from_i64x2) |x, y| x < y;
    /// `i64x2.gt_s`: lanes where `a > b`, signed.
    fn i64x2_gt_s(i64x2 -> from_i64x2) |x, y| x > y;
    /// `i64x2.le_s`: lanes where `a <= b`, signed.
    fn i64x2_le_s(i64x2 -> from_i64x2) |x, y| x <= y;
    /// `i64x2.ge_s`: lanes where `a >= b`, signed.
    fn i64x2_ge_s(i64x2 -> from_i64x2) |x, y| x >= y;

    /// `f32x4.eq`: lanes where `a == b`.
    fn f32x4_eq(f32x4 -> from_i32x4) |x, y| x == y;
    /// `f32x4.ne`: lanes where `a != b` (every lane with a NaN).
    fn f32x4_ne(f32x4 -> from_i32x4) |x, y| x != y;
    /// `f32x4.lt`: lanes where `a < b`.
    fn f32x4_lt(f32x4 -> from_i32x4) |x, y| x < y;
    /// `f32x4.gt`: lanes where `a > b`.
    fn f32x4_gt(f32x4 -> from_i32x4) |x, y| x > y;
    /// `f32x4.le`: lanes where `a <= b`.
    fn f32x4_le(f32x4 -> from_i32x4) |x, y| x <= y;
    /// `f32x4.ge`: lanes where `a >= b`.
    fn f32x4_ge(f32x4 -> from_i32x4) |x, y| x >= y;

    /// `f64x2.eq`: lanes where `a == b`.
    fn f64x2_eq(f64x2 -> from_i64x2) |x, y| x == y;
    /// `f64x2.ne`: lanes where `a != b` (every lane with a NaN).
    fn f64x2_ne(f64x2 -> from_i64x2) |x, y| x != y;
    /// `f64x2.lt`: lanes where `a < b`.
    fn f64x2_lt(f64x2 -> from_i64x2) |x, y| x < y;
    /// `f64x2.gt`: lanes where `a > b`.
    fn f64x2_gt(f64x2 -> from_i64x2) |x, y| x > y;
    /// `f64x2.le`: lanes where `a <= b`.
    fn f64x2_le(f64x2 -> from_i64x2) |x, y| x <= y;
    /// `f64x2.ge`: lanes where `a >= b`.
    fn f64x2_ge(f64x2 -> from_i64x2) |x, y| x >= y;
}

// ---------------------------------------------------------------------------
// Whole-vector bitwise operations and tests.
// ---------------------------------------------------------------------------

/// `v128.not`: every bit of `a` flipped.
#[inline]
pub fn v128_not(a: u128) -> u128 {
    !a
}

/// `v128.and`: `a & b`.
#[inline]
pub fn v128_and(a: u128, b: u128) -> u128 {
    a & b
}

/// `v128.andnot`: `a & !b`.
#[inline]
pub fn v128_andnot(a: u128, b: u128) -> u128 {
    a & !b
}

/// `v128.or`: `a | b`.
#[inline]
pub fn v128_or(a: u128, b: u128) -> u128 {
    a | b
}

/// `v128.xor`: `a ^ b`.
#[inline]
pub fn v128_xor(a: u128, b: u128) -> u128 {
    a ^ b
}

/// `v128.bitselect`: each bit from `a` where the bit of `c` is 1, else from `b`.
#[inline]
pub fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

/// `v128.any_true`: 1 if any bit of `a` is set.
#[inline]
pub fn v128_any_true(a: u128) -> i32 {
    (a != 0) as i32
}

/// `i8x16.all_true`: 1 if every lane of `a` is non-zero.
#[inline]
pub fn i8x16_all_true(a: u128) -> i32 {
    i8x16(a).iter().all(|&x| x != 0) as i32
}

/// `i16x8.all_true`: 1 if every lane of `a` is non-zero.
#[inline]
pub fn i16x8_all_true(a: u128) -> i32 {
    i16x8(a).iter().all(|&x| x != 0) as i32
}

/// `i32x4.all_true`: 1 if every lane of `a` is non-zero.
#[inline]
pub fn i32x4_all_true(a: u128) -> i32 {
    i32x4(a).iter().all(|&x| x != 0) as i32
}

/// `i64x2.all_true`: 1 if every lane of `a` is non-zero.
#[inline]
pub fn i64x2_all_true(a: u128) -> i32 {
    i64x2(a).iter().all(|&x| x != 0) as i32
}

/// Bit `i` of the result is the sign bit of lane `i`.
#[inline]
fn sign_bits<T: Copy + Default + PartialOrd, const N: usize>(lanes: [T; N]) -> i32 {
    let zero = T::default();
    lanes
        .iter()
        .enumerate()
        .fold(0, |bits, (i, &x)| bits | (i32::from(x < zero) << i))
}

/// `i8x16.bitmask`: bit `i` of the result is the sign bit of lane `i`.
#[inline]
pub fn i8x16_bitmask(a: u128) -> i32 {
    sign_bits(i8x16(a))
}

/// `i16x8.bitmask`: bit `i` of the result is the sign bit of lane `i`.
#[inline]
pub fn i16x8_bitmask(a: u128) -> i32 {
    sign_bits(i16x8(a))
}

/// `i32x4.bitmask`: bit `i` of the result is the sign bit of lane `i`.
#[inline]
pub fn i32x4_bitmask(a: u128) -> i32 {
    sign_bits(i32x4(a))
}

/// `i64x2.bitmask`: bit `i` of the result is the sign bit of lane `i`.
#[inline]
pub fn i64x2_bitmask(a: u128) -> i32 {
    sign_bits(i64x2(a))
}

// ---------------------------------------------------------------------------
// Integer lane arithmetic. Plain operations wrap; `_sat` ones clamp to the
// lane type's range.
// ---------------------------------------------------------------------------

lanewise_unop! {
    /// `i8x16.abs`: absolute value of each lane; -128 stays -128.
    fn i8x16_abs(i8x16 -> from_i8x16) |x| x.wrapping_abs();
    /// `i8x16.neg`: negation of each lane, wrapping.
    fn i8x16_neg(i8x16 -> from_i8x16) |x| x.wrapping_neg();
    /// `i8x16.popcnt`: number of 1 bits in each lane.
    fn i8x16_popcnt(u8x16 -> from_u8x16) |x| x.count_ones() as u8;
    /// `i16x8.abs`: absolute value of each lane; -32768 stays -32768.
    fn i16x8_abs(i16x8 -> from_i16x8) |x| x.wrapping_abs();
    /// `i16x8.neg`: negation of each lane, wrapping.
    fn i16x8_neg(i16x8 -> from_i16x8) |x| x.wrapping_neg();
    /// `i32x4.abs`: absolute value of each lane; i32::MIN stays i32::MIN.
    fn i32x4_abs(i32x4 -> from_i32x4) |x| x.wrapping_abs();
    /// `i32x4.neg`: negation of each lane, wrapping.
    fn i32x4_neg(i32x4 -> from_i32x4) |x| x.wrapping_neg();
    /// `i64x2.abs`: absolute value of each lane; i64::MIN stays i64::MIN.
    fn i64x2_abs(i64x2 -> from_i64x2) |x| x.wrapping_abs();
    /// `i64x2.neg`: negation of each lane, wrapping.
    fn i64x2_neg(i64x2 -> from_i64x2) |x| x.wrapping_neg();
}

lanewise_binop! {
    /// `i8x16.add`: lane-wise `a + b`, wrapping.
    fn i8x16_add(i8x16 -> from_i8x16) |x, y| x.wrapping_add(y);
    /// `i8x16.add_sat_s`: lane-wise `a + b`, clamped to -128..=127.
    fn i8x16_add_sat_s(i8x16 -> from_i8x16) |x, y| x.saturating_add(y);
    /// `i8x16.add_sat_u`: lane-wise `a + b`, clamped to 0..=255.
    fn i8x16_add_sat_u(u8x16 -> from_u8x16) |x, y| x.saturating_add(y);
    /// `i8x16.sub`: lane-wise `a - b`, wrapping.
    fn i8x16_sub(i8x16 -> from_i8x16) |x, y| x.wrapping_sub(y);
    /// `i8x16.sub_sat_s`: lane-wise `a - b`, clamped to -128..=127.
    fn i8x16_sub_sat_s(i8x16 -> from_i8x16) |x, y| x.saturating_sub(y);
    /// `i8x16.sub_sat_u`: lane-wise `a - b`, clamped to 0..=255.
    fn i8x16_sub_sat_u(u8x16 -> from_u8x16) |x, y| x.saturating_sub(y);
    /// `i8x16.min_s`: lane-wise minimum, signed.
    fn i8x16_min_s(i8x16 -> from_i8x16) |x, y| x.min(y);
    /// `i8x16.min_u`: lane-wise minimum, unsigned.
    fn i8x16_min_u(u8x16 -> from_u8x16) |x, y| x.min(y);
    /// `i8x16.max_s`: lane-wise maximum, signed.
    fn i8x16_max_s(i8x16 -> from_i8x16) |x, y| x.max(y);
    /// `i8x16.max_u`: lane-wise maximum, unsigned.
    fn i8x16_max_u(u8x16 -> from_u8x16) |x, y| x.max(y);
    /// `i8x16.avgr_u`: lane-wise unsigned average rounded up, `(a + b + 1) / 2`.
    fn i8x16_avgr_u(u8x16 -> from_u8x16) |x, y| ((u16::from(x) + u16::from(y) + 1) >> 1) as u8;

    /// `i16x8.add`: lane-wise `a + b`, wrapping.
    fn i16x8_add(i16x8 -> from_i16x8) |x, y| x.wrapping_add(y);
    /// `i16x8.add_sat_s`: lane-wise `a + b`, clamped to -32768..=32767.
    fn i16x8_add_sat_s(i16x8 -> from_i16x8) |x, y| x.saturating_add(y);
    /// `i16x8.add_sat_u`: lane-wise `a + b`, clamped to 0..=65535.
    fn i16x8_add_sat_u(u16x8 -> from_u16x8) |x, y| x.saturating_add(y);
    /// `i16x8.sub`: lane-wise `a - b`, wrapping.
    fn i16x8_sub(i16x8 -> from_i16x8) |x, y| x.wrapping_sub(y);
    /// `i16x8.sub_sat_s`: lane-wise `a - b`, clamped to -32768..=32767.
    fn i16x8_sub_sat_s(i16x8 -> from_i16x8) |x, y| x.saturating_sub(y);
    /// `i16x8.sub_sat_u`: lane-wise `a - b`, clamped to 0..=65535.
    fn i16x8_sub_sat_u(u16x8 -> from_u16x8) |x, y| x.saturating_sub(y);
    /// `i16x8.mul`: lane-wise `a * b`, wrapping.
    fn i16x8_mul(i16x8 -> from_i16x8) |x, y| x.wrapping_mul(y);
    /// `i16x8.min_s`: lane-wise minimum, signed.
    fn i16x8_min_s(i16x8 -> from_i16x8) |x, y| x.min(y);
    /// `i16x8.min_u`: lane-wise minimum, unsigned.
    fn i16x8_min_u(u16x8 -> from_u16x8) |x, y| x.min(y);
    /// `i16x8.max_s`: lane-wise maximum, signed.
    fn i16x8_max_s(i16x8 -> from_i16x8) |x, y| x.max(y);
    /// `i16x8.max_u`: lane-wise maximum, unsigned.
    fn i16x8_max_u(u16x8 -> from_u16x8) |x, y| x.max(y);
    /// `i16x8.avgr_u`: lane-wise unsigned average rounded up, `(a + b + 1) / 2`.
    fn i16x8_avgr_u(u16x8 -> from_u16x8) |x, y| ((u32::from(x) + u32::from(y) + 1) >> 1) as u16;
    /// `i16x8.q15mulr_sat_s`: lane-wise Q15 product rounded,
    /// `(a * b + 0x4000) >> 15`, clamped to -32768..=32767.
    fn i16x8_q15mulr_sat_s(i16x8 -> from_i16x8) |x, y| {
        let product = (i32::from(x) * i32::from(y) + 0x4000) >> 15;
        product.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
    };

    /// `i32x4.add`: lane-wise `a + b`, wrapping.
    fn i32x4_add(i32x4 -> from_i32x4) |x, y| x.wrapping_add(y);
    /// `i32x4.sub`: lane-wise `a - b`, wrapping.
    fn i32x4_sub(i32x4 -> from_i32x4) |x, y| x.wrapping_sub(y);
    /// `i32x4.mul`: lane-wise `a * b`, wrapping.
    fn i32x4_mul(i32x4 -> from_i32x4) |x, y| x.wrapping_mul(y);
    /// `i32x4.min_s`: lane-wise minimum, signed.
    fn i32x4_min_s(i32x4 -> from_i32x4) |x, y| x.min(y);
    /// `i32x4.min_u`: lane-wise minimum, unsigned.
    fn i32x4_min_u(u32x4 -> from_u32x4) |x, y| x.min(y);
    /// `i32x4.max_s`: lane-wise maximum, signed.
    fn i32x4_max_s(i32x4 -> from_i32x4) |x, y| x.max(y);
    /// `i32x4.max_u`: lane-wise maximum, unsigned.
    fn i32x4_max_u(u32x4 -> from_u32x4) |x, y| x.max(y);

    /// `i64x2.add`: lane-wise `a + b`, wrapping.
    fn i64x2_add(i64x2 -> from_i64x2) |x, y| x.wrapping_add(y);
    /// `i64x2.sub`: lane-wise `a - b`, wrapping.
    fn i64x2_sub(i64x2 -> from_i64x2) |x, y| x.wrapping_sub(y);
    /// `i64x2.mul`: lane-wise `a * b`, wrapping.
    fn i64x2_mul(i64x2 -> from_i64x2) |x, y| x.wrapping_mul(y);
}

lanewise_shift! {
    /// `i8x16.shl`: each lane shifted left by `count` mod 8.
    fn i8x16_shl(i8x16 -> from_i8x16) wrapping_shl;
    /// `i8x16.shr_s`: each lane shifted right by `count` mod 8, copying the sign bit.
    fn i8x16_shr_s(i8x16 -> from_i8x16) wrapping_shr;
    /// `i8x16.shr_u`: each lane shifted right by `count` mod 8, filling with zeros.
    fn i8x16_shr_u(u8x16 -> from_u8x16) wrapping_shr;
    /// `i16x8.shl`: each lane shifted left by `count` mod 16.
    fn i16x8_shl(i16x8 -> from_i16x8) wrapping_shl;
    /// `i16x8.shr_s`: each lane shifted right by `count` mod 16, copying the sign bit.
    fn i16x8_shr_s(i16x8 -> from_i16x8) wrapping_shr;
    /// `i16x8.shr_u`: each lane shifted right by `count` mod 16, filling with zeros.
    fn i16x8_shr_u(u16x8 -> from_u16x8) wrapping_shr;
    /// `i32x4.shl`: each lane shifted left by `count` mod 32.
    fn i32x4_shl(i32x4 -> from_i32x4) wrapping_shl;
    /// `i32x4.shr_s`: each lane shifted right by `count` mod 32, copying the sign bit.
    fn i32x4_shr_s(i32x4 -> from_i32x4) wrapping_shr;
    /// `i32x4.shr_u`: each lane shifted right by `count` mod 32, filling with zeros.
    fn i32x4_shr_u(u32x4 -> from_u32x4) wrapping_shr;
    /// `i64x2.shl`: each lane shifted left by `count` mod 64.
    fn i64x2_shl(i64x2 -> from_i64x2) wrapping_shl;
    /// `i64x2.shr_s`: each lane shifted right by `count` mod 64, copying the sign bit.
    fn i64x2_shr_s(i64x2 -> from_i64x2) wrapping_shr;
    /// `i64x2.shr_u`: each lane shifted right by `count` mod 64, filling with zeros.
    fn i64x2_shr_u(u64x2 -> from_u64x2) wrapping_shr;
}

/// `i32x4.dot_i16x8_s`: result lane `i` is `a[2i] * b[2i] + a[2i+1] * b[2i+1]`
/// over the signed `i16x8` lanes, wrapping (only `-32768` in all four inputs
/// overflows).
#[inline]
pub fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 {
    let products = zip(i16x8(a), i16x8(b), |x, y| i32::from(x) * i32::from(y));
    from_i32x4(core::array::from_fn(|i| {
        products[(2 * i) & 7].wrapping_add(products[(2 * i + 1) & 7])
    }))
}

// ---------------------------------------------------------------------------
// Lane-changing integer conversions.
// ---------------------------------------------------------------------------

/// Defines `pub fn name(a: u128, b: u128) -> u128`: the lanes of `a` then those
/// of `b`, each clamped to the range of the narrower lane type.
macro_rules! narrow {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident: $wide:ty => $narrow:ty);)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($split(a), $split(b));
            let half = a.len();
            $join(core::array::from_fn(|i| {
                let x = if i < half { a[i % half] } else { b[i % half] };
                x.clamp(<$wide>::from(<$narrow>::MIN), <$wide>::from(<$narrow>::MAX)) as $narrow
            }))
        }
    )*};
}

narrow! {
    /// `i8x16.narrow_i16x8_s`: the `i16x8` lanes of `a` then `b`, each clamped to -128..=127.
    fn i8x16_narrow_i16x8_s(i16x8 -> from_i8x16: i16 => i8);
    /// `i8x16.narrow_i16x8_u`: the signed `i16x8` lanes of `a` then `b`, each clamped to 0..=255.
    fn i8x16_narrow_i16x8_u(i16x8 -> from_u8x16: i16 => u8);
    /// `i16x8.narrow_i32x4_s`: the `i32x4` lanes of `a` then `b`, each clamped to -32768..=32767.
    fn i16x8_narrow_i32x4_s(i32x4 -> from_i16x8: i32 => i16);
    /// `i16x8.narrow_i32x4_u`: the signed `i32x4` lanes of `a` then `b`, each clamped to 0..=65535.
    fn i16x8_narrow_i32x4_u(i32x4 -> from_u16x8: i32 => u16);
}

/// Defines `pub fn name(a: u128) -> u128`: the low (`offset` 0) or high half of
/// the lanes of `a`, each extended to twice its width.
macro_rules! extend {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident: $wide:ty, offset $offset:literal);)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128) -> u128 {
            let a = $split(a);
            $join(core::array::from_fn(|i| <$wide>::from(a[(i + $offset) % a.len()])))
        }
    )*};
}

extend! {
    /// `i16x8.extend_low_i8x16_s`: `i8x16` lanes 0-7 of `a`, sign-extended.
    fn i16x8_extend_low_i8x16_s(i8x16 -> from_i16x8: i16, offset 0);
    /// `i16x8.extend_high_i8x16_s`: `i8x16` lanes 8-15 of `a`, sign-extended.
    fn i16x8_extend_high_i8x16_s(i8x16 -> from_i16x8: i16, offset 8);
    /// `i16x8.extend_low_i8x16_u`: `i8x16` lanes 0-7 of `a`, zero-extended.
    fn i16x8_extend_low_i8x16_u(u8x16 -> from_u16x8: u16, offset 0);
    /// `i16x8.extend_high_i8x16_u`: `i8x16` lanes 8-15 of `a`, zero-extended.
    fn i16x8_extend_high_i8x16_u(u8x16 -> from_u16x8: u16, offset 8);
    /// `i32x4.extend_low_i16x8_s`: `i16x8` lanes 0-3 of `a`, sign-extended.
    fn i32x4_extend_low_i16x8_s(i16x8 -> from_i32x4: i32, offset 0);
    /// `i32x4.extend_high_i16x8_s`: `i16x8` lanes 4-7 of `a`, sign-extended.
    fn i32x4_extend_high_i16x8_s(i16x8 -> from_i32x4: i32, offset 4);
    /// `i32x4.extend_low_i16x8_u`: `i16x8` lanes 0-3 of `a`, zero-extended.
    fn i32x4_extend_low_i16x8_u(u16x8 -> from_u32x4: u32, offset 0);
    /// `i32x4.extend_high_i16x8_u`: `i16x8` lanes 4-7 of `a`, zero-extended.
    fn i32x4_extend_high_i16x8_u(u16x8 -> from_u32x4: u32, offset 4);
    /// `i64x2.extend_low_i32x4_s`: `i32x4` lanes 0-1 of `a`, sign-extended.
    fn i64x2_extend_low_i32x4_s(i32x4 -> from_i64x2: i64, offset 0);
    /// `i64x2.extend_high_i32x4_s`: `i32x4` lanes 2-3 of `a`, sign-extended.
    fn i64x2_extend_high_i32x4_s(i32x4 -> from_i64x2: i64, offset 2);
    /// `i64x2.extend_low_i32x4_u`: `i32x4` lanes 0-1 of `a`, zero-extended.
    fn i64x2_extend_low_i32x4_u(u32x4 -> from_u64x2: u64, offset 0);
    /// `i64x2.extend_high_i32x4_u`: `i32x4` lanes 2-3 of `a`, zero-extended.
    fn i64x2_extend_high_i32x4_u(u32x4 -> from_u64x2: u64, offset 2);
}

/// Defines `pub fn name(a: u128, b: u128) -> u128`: the low (`offset` 0) or
/// high half of the lanes of `a` and `b`, extended to twice their width and
/// multiplied pairwise (the product always fits).
macro_rules! extmul {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident: $wide:ty, offset $offset:literal);)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($split(a), $split(b));
            $join(core::array::from_fn(|i| {
                let j = (i + $offset) % a.len();
                <$wide>::from(a[j]).wrapping_mul(<$wide>::from(b[j]))
            }))
        }
    )*};
}

extmul! {
    /// `i16x8.extmul_low_i8x16_s`: products of `i8x16` lanes 0-7, signed.
    fn i16x8_extmul_low_i8x16_s(i8x16 -> from_i16x8: i16, offset 0);
    /// `i16x8.extmul_high_i8x16_s`: products of `i8x16` lanes 8-15, signed.
    fn i16x8_extmul_high_i8x16_s(i8x16 -> from_i16x8: i16, offset 8);
    /// `i16x8.extmul_low_i8x16_u`: products of `i8x16` lanes 0-7, unsigned.
    fn i16x8_extmul_low_i8x16_u(u8x16 -> from_u16x8: u16, offset 0);
    /// `i16x8.extmul_high_i8x16_u`: products of `i8x16` lanes 8-15, unsigned.
    fn i16x8_extmul_high_i8x16_u(u8x16 -> from_u16x8: u16, offset 8);
    /// `i32x4.extmul_low_i16x8_s`: products of `i16x8` lanes 0-3, signed.
    fn i32x4_extmul_low_i16x8_s(i16x8 -> from_i32x4: i32, offset 0);
    /// `i32x4.extmul_high_i16x8_s`: products of `i16x8` lanes 4-7, signed.
    fn i32x4_extmul_high_i16x8_s(i16x8 -> from_i32x4: i32, offset 4);
    /// `i32x4.extmul_low_i16x8_u`: products of `i16x8` lanes 0-3, unsigned.
    fn i32x4_extmul_low_i16x8_u(u16x8 -> from_u32x4: u32, offset 0);
    /// `i32x4.extmul_high_i16x8_u`: products of `i16x8` lanes 4-7, unsigned.
    fn i32x4_extmul_high_i16x8_u(u16x8 -> from_u32x4: u32, offset 4);
    /// `i64x2.extmul_low_i32x4_s`: products of `i32x4` lanes 0-1, signed.
    fn i64x2_extmul_low_i32x4_s(i32x4 -> from_i64x2: i64, offset 0);
    /// `i64x2.extmul_high_i32x4_s`: products of `i32x4` lanes 2-3, signed.
    fn i64x2_extmul_high_i32x4_s(i32x4 -> from_i64x2: i64, offset 2);
    /// `i64x2.extmul_low_i32x4_u`: products of `i32x4` lanes 0-1, unsigned.
    fn i64x2_extmul_low_i32x4_u(u32x4 -> from_u64x2: u64, offset 0);
    /// `i64x2.extmul_high_i32x4_u`: products of `i32x4` lanes 2-3, unsigned.
    fn i64x2_extmul_high_i32x4_u(u32x4 -> from_u64x2: u64, offset 2);
}

/// Defines `pub fn name(a: u128) -> u128`: result lane `i` is the sum of lanes
/// `2i` and `2i+1` of `a`, each extended to twice its width (the sum always fits).
macro_rules! extadd_pairwise {
    ($($(#[$attr:meta])* fn $name:ident($split:ident -> $join:ident: $wide:ty);)*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $name(a: u128) -> u128 {
            let a = $split(a);
            let n = a.len();
            $join(core::array::from_fn(|i| {
                <$wide>::from(a[(2 * i) % n]).wrapping_add(<$wide>::from(a[(2 * i + 1) % n]))
            }))
        }
    )*};
}

extadd_pairwise! {
    /// `i16x8.extadd_pairwise_i8x16_s`: sums of adjacent signed `i8x16` lanes.
    fn i16x8_extadd_pairwise_i8x16_s(i8x16 -> from_i16x8: i16);
    /// `i16x8.extadd_pairwise_i8x16_u`: sums of adjacent unsigned `i8x16` lanes.
    fn i16x8_extadd_pairwise_i8x16_u(u8x16 -> from_u16x8: u16);
    /// `i32x4.extadd_pairwise_i16x8_s`: sums of adjacent signed `i16x8` lanes.
    fn i32x4_extadd_pairwise_i16x8_s(i16x8 -> from_i32x4: i32);
    /// `i32x4.extadd_pairwise_i16x8_u`: sums of adjacent unsigned `i16x8` lanes.
    fn i32x4_extadd_pairwise_i16x8_u(u16x8 -> from_u32x4: u32);
}

// ---------------------------------------------------------------------------
// Float lane arithmetic: IEEE 754, as for the scalar instructions.
// ---------------------------------------------------------------------------

/// `f32x4.abs`: each lane with its sign bit cleared (NaN payloads kept).
#[inline]
pub fn f32x4_abs(a: u128) -> u128 {
    a & from_u32x4([0x7fff_ffff; 4])
}

/// `f32x4.neg`: each lane with its sign bit flipped (NaN payloads kept).
#[inline]
pub fn f32x4_neg(a: u128) -> u128 {
    a ^ from_u32x4([0x8000_0000; 4])
}

/// `f64x2.abs`: each lane with its sign bit cleared (NaN payloads kept).
#[inline]
pub fn f64x2_abs(a: u128) -> u128 {
    a & from_u64x2([0x7fff_ffff_ffff_ffff; 2])
}

/// `f64x2.neg`: each lane with its sign bit flipped (NaN payloads kept).
#[inline]
pub fn f64x2_neg(a: u128) -> u128 {
    a ^ from_u64x2([0x8000_0000_0000_0000; 2])
}

lanewise_unop! {
    /// `f32x4.sqrt`: lane-wise correctly rounded square root.
    fn f32x4_sqrt(f32x4 -> from_f32x4) |x| x.sqrt();
    /// `f32x4.ceil`: each lane rounded toward +infinity.
    fn f32x4_ceil(f32x4 -> from_f32x4) |x| fceil32(x);
    /// `f32x4.floor`: each lane rounded toward -infinity.
    fn f32x4_floor(f32x4 -> from_f32x4) |x| ffloor32(x);
    /// `f32x4.trunc`: each lane rounded toward zero.
    fn f32x4_trunc(f32x4 -> from_f32x4) |x| ftrunc32(x);
    /// `f32x4.nearest`: each lane rounded to the nearest integer, ties to even.
    fn f32x4_nearest(f32x4 -> from_f32x4) |x| fnearest32(x);
    /// `f64x2.sqrt`: lane-wise correctly rounded square root.
    fn f64x2_sqrt(f64x2 -> from_f64x2) |x| x.sqrt();
    /// `f64x2.ceil`: each lane rounded toward +infinity.
    fn f64x2_ceil(f64x2 -> from_f64x2) |x| fceil64(x);
    /// `f64x2.floor`: each lane rounded toward -infinity.
    fn f64x2_floor(f64x2 -> from_f64x2) |x| ffloor64(x);
    /// `f64x2.trunc`: each lane rounded toward zero.
    fn f64x2_trunc(f64x2 -> from_f64x2) |x| ftrunc64(x);
    /// `f64x2.nearest`: each lane rounded to the nearest integer, ties to even.
    fn f64x2_nearest(f64x2 -> from_f64x2) |x| fnearest64(x);
}

lanewise_binop! {
    /// `f32x4.add`: lane-wise `a + b`.
    fn f32x4_add(f32x4 -> from_f32x4) |x, y| x + y;
    /// `f32x4.sub`: lane-wise `a - b`.
    fn f32x4_sub(f32x4 -> from_f32x4) |x, y| x - y;
    /// `f32x4.mul`: lane-wise `a * b`.
    fn f32x4_mul(f32x4 -> from_f32x4) |x, y| x * y;
    /// `f32x4.div`: lane-wise `a / b`.
    fn f32x4_div(f32x4 -> from_f32x4) |x, y| x / y;
    /// `f32x4.min`: lane-wise minimum; NaN if either lane is NaN; -0 below +0.
    fn f32x4_min(f32x4 -> from_f32x4) |x, y| fmin32(x, y);
    /// `f32x4.max`: lane-wise maximum; NaN if either lane is NaN; +0 above -0.
    fn f32x4_max(f32x4 -> from_f32x4) |x, y| fmax32(x, y);
    /// `f32x4.pmin`: lane-wise pseudo-minimum `b < a ? b : a` (returns `a` when unordered).
    fn f32x4_pmin(f32x4 -> from_f32x4) |x, y| if y < x { y } else { x };
    /// `f32x4.pmax`: lane-wise pseudo-maximum `a < b ? b : a` (returns `a` when unordered).
    fn f32x4_pmax(f32x4 -> from_f32x4) |x, y| if x < y { y } else { x };

    /// `f64x2.add`: lane-wise `a + b`.
    fn f64x2_add(f64x2 -> from_f64x2) |x, y| x + y;
    /// `f64x2.sub`: lane-wise `a - b`.
    fn f64x2_sub(f64x2 -> from_f64x2) |x, y| x - y;
    /// `f64x2.mul`: lane-wise `a * b`.
    fn f64x2_mul(f64x2 -> from_f64x2) |x, y| x * y;
    /// `f64x2.div`: lane-wise `a / b`.
    fn f64x2_div(f64x2 -> from_f64x2) |x, y| x / y;
    /// `f64x2.min`: lane-wise minimum; NaN if either lane is NaN; -0 below +0.
    fn f64x2_min(f64x2 -> from_f64x2) |x, y| fmin64(x, y);
    /// `f64x2.max`: lane-wise maximum; NaN if either lane is NaN; +0 above -0.
    fn f64x2_max(f64x2 -> from_f64x2) |x, y| fmax64(x, y);
    /// `f64x2.pmin`: lane-wise pseudo-minimum `b < a ? b : a` (returns `a` when unordered).
    fn f64x2_pmin(f64x2 -> from_f64x2) |x, y| if y < x { y } else { x };
    /// `f64x2.pmax`: lane-wise pseudo-maximum `a < b ? b : a` (returns `a` when unordered).
    fn f64x2_pmax(f64x2 -> from_f64x2) |x, y| if x < y { y } else { x };
}

// ---------------------------------------------------------------------------
// Conversions between float and integer lanes. Float-to-int conversions
// saturate (NaN becomes 0), which is what Rust's `as` does; int-to-float and
// f64-to-f32 round to nearest, ties to even.
// ---------------------------------------------------------------------------

lanewise_unop! {
    /// `i32x4.trunc_sat_f32x4_s`: each lane truncated and clamped to a signed i32; NaN is 0.
    fn i32x4_trunc_sat_f32x4_s(f32x4 -> from_i32x4) |x| x as i32;
    /// `i32x4.trunc_sat_f32x4_u`: each lane truncated and clamped to an unsigned i32; NaN is 0.
    fn i32x4_trunc_sat_f32x4_u(f32x4 -> from_u32x4) |x| x as u32;
    /// `f32x4.convert_i32x4_s`: each signed lane converted to the nearest f32.
    fn f32x4_convert_i32x4_s(i32x4 -> from_f32x4) |x| x as f32;
    /// `f32x4.convert_i32x4_u`: each unsigned lane converted to the nearest f32.
    fn f32x4_convert_i32x4_u(u32x4 -> from_f32x4) |x| x as f32;
}

/// `i32x4.trunc_sat_f64x2_s_zero`: the two f64 lanes truncated and clamped to
/// signed i32 (NaN is 0) in lanes 0-1; lanes 2-3 are 0.
#[inline]
pub fn i32x4_trunc_sat_f64x2_s_zero(a: u128) -> u128 {
    let [x, y] = f64x2(a);
    from_i32x4([x as i32, y as i32, 0, 0])
}

/// `i32x4.trunc_sat_f64x2_u_zero`: the two f64 lanes truncated and clamped to
/// unsigned i32 (NaN is 0) in lanes 0-1; lanes 2-3 are 0.
#[inline]
pub fn i32x4_trunc_sat_f64x2_u_zero(a: u128) -> u128 {
    let [x, y] = f64x2(a);
    from_u32x4([x as u32, y as u32, 0, 0])
}

/// `f64x2.convert_low_i32x4_s`: signed `i32x4` lanes 0-1 converted to f64 (exactly).
#[inline]
pub fn f64x2_convert_low_i32x4_s(a: u128) -> u128 {
    let [x, y, _, _] = i32x4(a);
    from_f64x2([f64::from(x), f64::from(y)])
}

/// `f64x2.convert_low_i32x4_u`: unsigned `i32x4` lanes 0-1 converted to f64 (exactly).
#[inline]
pub fn f64x2_convert_low_i32x4_u(a: u128) -> u128 {
    let [x, y, _, _] = u32x4(a);
    from_f64x2([f64::from(x), f64::from(y)])
}

/// `f32x4.demote_f64x2_zero`: the two f64 lanes rounded to f32 in lanes 0-1
/// (a NaN becomes a quiet NaN); lanes 2-3 are +0.
#[inline]
pub fn f32x4_demote_f64x2_zero(a: u128) -> u128 {
    let [x, y] = f64x2(a);
    from_f32x4([x as f32, y as f32, 0.0, 0.0])
}

/// `f64x2.promote_low_f32x4`: f32 lanes 0-1 converted to f64 (exactly; a NaN
/// becomes a quiet NaN).
#[inline]
pub fn f64x2_promote_low_f32x4(a: u128) -> u128 {
    let [x, y, _, _] = f32x4(a);
    from_f64x2([f64::from(x), f64::from(y)])
}

// ---------------------------------------------------------------------------
// Relaxed SIMD (WebAssembly 3.0). The specification lets each of these
// instructions give one of several results, so that it can map to one native
// instruction on every platform. Tabula is deterministic: each one always
// behaves as its non-relaxed counterpart (or, where it has none, as the
// plain lane-wise definition), whatever the host.
// ---------------------------------------------------------------------------

/// `i8x16.relaxed_swizzle`: Tabula's choice is [`i8x16_swizzle`]: an index
/// above 15 (whether or not its top bit is set) selects 0.
#[inline]
pub fn i8x16_relaxed_swizzle(a: u128, s: u128) -> u128 {
    i8x16_swizzle(a, s)
}

/// `i32x4.relaxed_trunc_f32x4_s`: Tabula's choice is
/// [`i32x4_trunc_sat_f32x4_s`]: out-of-range lanes saturate, NaN gives 0.
#[inline]
pub fn i32x4_relaxed_trunc_f32x4_s(a: u128) -> u128 {
    i32x4_trunc_sat_f32x4_s(a)
}

/// `i32x4.relaxed_trunc_f32x4_u`: Tabula's choice is
/// [`i32x4_trunc_sat_f32x4_u`]: out-of-range lanes saturate, NaN gives 0.
#[inline]
pub fn i32x4_relaxed_trunc_f32x4_u(a: u128) -> u128 {
    i32x4_trunc_sat_f32x4_u(a)
}

/// `i32x4.relaxed_trunc_f64x2_s_zero`: Tabula's choice is
/// [`i32x4_trunc_sat_f64x2_s_zero`]: out-of-range lanes saturate, NaN gives 0.
#[inline]
pub fn i32x4_relaxed_trunc_f64x2_s_zero(a: u128) -> u128 {
    i32x4_trunc_sat_f64x2_s_zero(a)
}

/// `i32x4.relaxed_trunc_f64x2_u_zero`: Tabula's choice is
/// [`i32x4_trunc_sat_f64x2_u_zero`]: out-of-range lanes saturate, NaN gives 0.
#[inline]
pub fn i32x4_relaxed_trunc_f64x2_u_zero(a: u128) -> u128 {
    i32x4_trunc_sat_f64x2_u_zero(a)
}

/// `f32x4.relaxed_madd`: lane-wise `a * b + c`. Tabula's choice is unfused:
/// [`f32x4_mul`] then [`f32x4_add`], each rounded (a fused multiply-add,
/// also allowed, would need a software FMA without `std`).
#[inline]
pub fn f32x4_relaxed_madd(a: u128, b: u128, c: u128) -> u128 {
    f32x4_add(f32x4_mul(a, b), c)
}

/// `f32x4.relaxed_nmadd`: lane-wise `-(a * b) + c`, unfused as
/// [`f32x4_relaxed_madd`] (negating `a` negates the product exactly).
#[inline]
pub fn f32x4_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 {
    f32x4_relaxed_madd(f32x4_neg(a), b, c)
}

/// `f64x2.relaxed_madd`: lane-wise `a * b + c`. Tabula's choice is unfused:
/// [`f64x2_mul`] then [`f64x2_add`], each rounded.
#[inline]
pub fn f64x2_relaxed_madd(a: u128, b: u128, c: u128) -> u128 {
    f64x2_add(f64x2_mul(a, b), c)
}

/// `f64x2.relaxed_nmadd`: lane-wise `-(a * b) + c`, unfused as
/// [`f64x2_relaxed_madd`].
#[inline]
pub fn f64x2_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 {
    f64x2_relaxed_madd(f64x2_neg(a), b, c)
}

/// `i8x16.relaxed_laneselect`: Tabula's choice is [`v128_bitselect`]: each
/// bit from `a` where the bit of the mask `m` is 1, else from `b`, even
/// where a lane of `m` is neither all ones nor all zeros.
#[inline]
pub fn i8x16_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}

/// `i16x8.relaxed_laneselect`: bit by bit, as [`i8x16_relaxed_laneselect`].
#[inline]
pub fn i16x8_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}

/// `i32x4.relaxed_laneselect`: bit by bit, as [`i8x16_relaxed_laneselect`].
#[inline]
pub fn i32x4_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}

/// `i64x2.relaxed_laneselect`: bit by bit, as [`i8x16_relaxed_laneselect`].
#[inline]
pub fn i64x2_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}

/// `f32x4.relaxed_min`: Tabula's choice is [`f32x4_min`]: NaN if either lane
/// is NaN, -0 below +0.
#[inline]
pub fn f32x4_relaxed_min(a: u128, b: u128) -> u128 {
    f32x4_min(a, b)
}

/// `f32x4.relaxed_max`: Tabula's choice is [`f32x4_max`]: NaN if either lane
/// is NaN, +0 above -0.
#[inline]
pub fn f32x4_relaxed_max(a: u128, b: u128) -> u128 {
    f32x4_max(a, b)
}

/// `f64x2.relaxed_min`: Tabula's choice is [`f64x2_min`]: NaN if either lane
/// is NaN, -0 below +0.
#[inline]
pub fn f64x2_relaxed_min(a: u128, b: u128) -> u128 {
    f64x2_min(a, b)
}

/// `f64x2.relaxed_max`: Tabula's choice is [`f64x2_max`]: NaN if either lane
/// is NaN, +0 above -0.
#[inline]
pub fn f64x2_relaxed_max(a: u128, b: u128) -> u128 {
    f64x2_max(a, b)
}

/// `i16x8.relaxed_q15mulr_s`: Tabula's choice is [`i16x8_q15mulr_sat_s`]:
/// `-32768 * -32768` saturates to 32767.
#[inline]
pub fn i16x8_relaxed_q15mulr_s(a: u128, b: u128) -> u128 {
    i16x8_q15mulr_sat_s(a, b)
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`: result lane `i` is
/// `a[2i] * b[2i] + a[2i+1] * b[2i+1]` over the `i8x16` lanes. Tabula's choice
/// treats both operands as signed (the specification promises a portable
/// result only when `b`'s lanes fit 7 bits) and wraps the sum to 16 bits
/// (only `-128` in all four inputs overflows), as [`i32x4_dot_i16x8_s`] wraps.
#[inline]
pub fn i16x8_relaxed_dot_i8x16_i7x16_s(a: u128, b: u128) -> u128 {
    let (a, b) = (i8x16(a), i8x16(b));
    let product = |j: usize| i16::from(a[j]) * i16::from(b[j]);
    from_i16x8(core::array::from_fn(|i| {
        product(2 * i).wrapping_add(product(2 * i + 1))
    }))
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: the 16-bit pair sums of
/// [`i16x8_relaxed_dot_i8x16_i7x16_s`] (signed by signed), added pairwise
/// into 32-bit lanes by [`i32x4_extadd_pairwise_i16x8_s`], plus `c` lane-wise,
/// wrapping ([`i32x4_add`]).
#[inline]
pub fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 {
    i32x4_add(
        i32x4_extadd_pairwise_i16x8_s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b)),
        c,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::hint::black_box;

    const F32_SNAN: u32 = 0x7fa0_0001;
    const F64_SNAN: u64 = 0x7ff4_0000_0000_0001;

    fn is_quiet_nan32(x: f32) -> bool {
        x.is_nan() && x.to_bits() & 0x0040_0000 != 0
    }

    fn is_quiet_nan64(x: f64) -> bool {
        x.is_nan() && x.to_bits() & 0x0008_0000_0000_0000 != 0
    }

    /// Bit-exact comparison of float lanes (so -0 differs from +0).
    fn bits32(v: u128) -> [u32; 4] {
        u32x4(v)
    }

    #[test]
    fn lane_layout_is_little_endian() {
        let v = u128::from_le_bytes(core::array::from_fn(|i| i as u8));
        assert_eq!(u8x16(v), core::array::from_fn(|i| i as u8));
        assert_eq!(u16x8(v)[1], 0x0302);
        assert_eq!(u32x4(v)[3], 0x0f0e_0d0c);
        assert_eq!(u64x2(v)[0], 0x0706_0504_0302_0100);
        assert_eq!(from_i8x16(i8x16(v)), v);
        assert_eq!(from_i16x8(i16x8(v)), v);
        assert_eq!(from_i32x4(i32x4(v)), v);
        assert_eq!(from_i64x2(i64x2(v)), v);
        assert_eq!(from_f32x4(f32x4(v)), v);
        assert_eq!(from_f64x2(f64x2(v)), v);
        // Negative lanes do not leak into their neighbours.
        assert_eq!(
            from_i8x16([-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            0xff
        );
        assert_eq!(from_i32x4([0, -1, 0, 0]), 0xffff_ffff_0000_0000);
    }

    #[test]
    fn const_and_splat() {
        assert_eq!(v128_const(0x1234), 0x1234);
        assert_eq!(i8x16_splat(0x1ff), u128::MAX);
        assert_eq!(i16x8_splat(0x1_0002), from_u16x8([2; 8]));
        assert_eq!(i32x4_splat(-1), u128::MAX);
        assert_eq!(i64x2_splat(5), (5u128 << 64) | 5);
        assert_eq!(f32x4_splat(-0.0), from_u32x4([0x8000_0000; 4]));
        assert_eq!(f64x2_splat(1.0), from_u64x2([0x3ff0_0000_0000_0000; 2]));
    }

    #[test]
    fn extract_and_replace_lanes() {
        let v = from_i8x16(core::array::from_fn(|i| -(i as i8)));
        assert_eq!(i8x16_extract_lane_s(3, v), -3);
        assert_eq!(i8x16_extract_lane_u(3, v), 253);
        let v = i8x16_replace_lane(15, v, 0x1_80);
        assert_eq!(i8x16_extract_lane_s(15, v), -128);
        assert_eq!(i8x16_extract_lane_s(14, v), -14);

        let v = i16x8_replace_lane(7, 0, -2);
        assert_eq!(i16x8_extract_lane_s(7, v), -2);
        assert_eq!(i16x8_extract_lane_u(7, v), 0xfffe);
        assert_eq!(v, 0xfffe << 112);

        let v = i32x4_replace_lane(2, u128::MAX, 0);
        assert_eq!(i32x4(v), [-1, -1, 0, -1]);
        assert_eq!(i32x4_extract_lane(1, v), -1);

        let v = i64x2_replace_lane(1, 0, i64::MIN);
        assert_eq!(i64x2_extract_lane(1, v), i64::MIN);
        assert_eq!(i64x2_extract_lane(0, v), 0);

        let snan = f32::from_bits(F32_SNAN);
        let v = f32x4_replace_lane(0, 0, snan);
        assert_eq!(f32x4_extract_lane(0, v).to_bits(), F32_SNAN);
        let v = f64x2_replace_lane(1, 0, -0.0);
        assert_eq!(f64x2_extract_lane(1, v).to_bits(), 0x8000_0000_0000_0000);
        assert_eq!(f64x2_extract_lane(0, v).to_bits(), 0);
    }

    #[test]
    fn out_of_range_lane_indices_do_not_panic() {
        for lane in 0..=u8::MAX {
            let v = u128::MAX;
            black_box(i8x16_extract_lane_s(lane, v));
            black_box(i8x16_extract_lane_u(lane, v));
            black_box(i8x16_replace_lane(lane, v, 0));
            black_box(i16x8_extract_lane_s(lane, v));
            black_box(i16x8_extract_lane_u(lane, v));
            black_box(i16x8_replace_lane(lane, v, 0));
            black_box(i32x4_extract_lane(lane, v));
            black_box(i32x4_replace_lane(lane, v, 0));
            black_box(i64x2_extract_lane(lane, v));
            black_box(i64x2_replace_lane(lane, v, 0));
            black_box(f32x4_extract_lane(lane, v));
            black_box(f32x4_replace_lane(lane, v, 0.0));
            black_box(f64x2_extract_lane(lane, v));
            black_box(f64x2_replace_lane(lane, v, 0.0));
            black_box(v128_load8_lane(lane, [0], v));
            black_box(v128_load16_lane(lane, [0; 2], v));
            black_box(v128_load32_lane(lane, [0; 4], v));
            black_box(v128_load64_lane(lane, [0; 8], v));
            black_box(v128_store8_lane(lane, v));
            black_box(v128_store16_lane(lane, v));
            black_box(v128_store32_lane(lane, v));
            black_box(v128_store64_lane(lane, v));
            black_box(i8x16_shuffle([lane; 16], v, 0));
        }
    }

    #[test]
    fn shuffle_picks_from_both_operands() {
        let a = from_u8x16(core::array::from_fn(|i| i as u8));
        let b = from_u8x16(core::array::from_fn(|i| 0x10 + i as u8));
        let lanes = [31, 0, 16, 15, 1, 17, 30, 14, 2, 2, 2, 2, 20, 21, 22, 23];
        assert_eq!(u8x16(i8x16_shuffle(lanes, a, b)), lanes);
        // Identity and "b only".
        let ident: [u8; 16] = core::array::from_fn(|i| i as u8);
        assert_eq!(i8x16_shuffle(ident, a, b), a);
        assert_eq!(i8x16_shuffle(ident.map(|i| i + 16), a, b), b);
    }

    #[test]
    fn swizzle_out_of_range_gives_zero() {
        let a = from_u8x16(core::array::from_fn(|i| 0xa0 + i as u8));
        let s = from_u8x16([
            0, 15, 16, 255, 1, 128, 17, 3, 3, 32, 14, 0x80, 0x7f, 2, 13, 31,
        ]);
        assert_eq!(
            u8x16(i8x16_swizzle(a, s)),
            [0xa0, 0xaf, 0, 0, 0xa1, 0, 0, 0xa3, 0xa3, 0, 0xae, 0, 0, 0xa2, 0xad, 0]
        );
    }

    #[test]
    fn comparisons() {
        let a = from_i8x16([-1, 0, 1, 127, -128, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = from_i8x16([1, 0, -1, -128, 127, 5, 6, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i8x16(i8x16_lt_s(a, b))[..8], [-1, 0, 0, 0, -1, 0, -1, 0]);
        assert_eq!(i8x16(i8x16_lt_u(a, b))[..8], [0, 0, -1, -1, 0, 0, -1, 0]);
        assert_eq!(i8x16(i8x16_ge_u(a, b))[..8], [-1, -1, 0, 0, -1, -1, 0, -1]);
        assert_eq!(i8x16_eq(a, a), u128::MAX);
        assert_eq!(i8x16_ne(a, a), 0);
        assert_eq!(i16x8(i16x8_gt_u(from_i16x8([-1; 8]), 0)), [-1; 8]);
        assert_eq!(i16x8_gt_s(from_i16x8([-1; 8]), 0), 0);
        assert_eq!(
            i32x4(i32x4_le_u(from_i32x4([0, -1, 7, 8]), i32x4_splat(7))),
            [-1, 0, -1, 0]
        );
        assert_eq!(
            i64x2(i64x2_lt_s(from_i64x2([i64::MIN, 3]), from_i64x2([0, 3]))),
            [-1, 0]
        );
        assert_eq!(
            i64x2(i64x2_ge_s(from_i64x2([i64::MIN, 3]), from_i64x2([0, 3]))),
            [0, -1]
        );

        let nan = f32::NAN;
        let x = from_f32x4([nan, -0.0, 1.0, 2.0]);
        let y = from_f32x4([nan, 0.0, 2.0, 1.0]);
        assert_eq!(i32x4(f32x4_eq(x, y)), [0, -1, 0, 0]);
        assert_eq!(i32x4(f32x4_ne(x, y)), [-1, 0, -1, -1]);
        assert_eq!(i32x4(f32x4_lt(x, y)), [0, 0, -1, 0]);
        assert_eq!(i32x4(f32x4_ge(x, y)), [0, -1, 0, -1]);
        let x = from_f64x2([f64::NAN, -0.0]);
        let y = from_f64x2([1.0, 0.0]);
        assert_eq!(i64x2(f64x2_le(x, y)), [0, -1]);
        assert_eq!(i64x2(f64x2_ne(x, y)), [-1, 0]);
        assert_eq!(i64x2(f64x2_gt(y, x)), [0, 0]);
    }

    #[test]
    fn bitwise() {
        let a = 0xff00_ff00u128;
        let b = 0x0ff0_0ff0u128;
        assert_eq!(v128_not(0), u128::MAX);
        assert_eq!(v128_and(a, b), 0x0f00_0f00);
        assert_eq!(v128_andnot(a, b), 0xf000_f000);
        assert_eq!(v128_or(a, b), 0xfff0_fff0);
        assert_eq!(v128_xor(a, b), 0xf0f0_f0f0);
        assert_eq!(v128_bitselect(u128::MAX, 0, 0xf0f0), 0xf0f0);
        assert_eq!(v128_bitselect(a, b, 0xffff_0000), 0xff00_0ff0);
    }

    #[test]
    fn any_true_and_all_true() {
        assert_eq!(v128_any_true(0), 0);
        assert_eq!(v128_any_true(1 << 127), 1);
        assert_eq!(i8x16_all_true(u128::MAX), 1);
        assert_eq!(i8x16_all_true(u128::MAX ^ (0xff << 64)), 0);
        assert_eq!(i8x16_all_true(from_u8x16([1; 16])), 1);
        assert_eq!(i16x8_all_true(from_u8x16([1; 16])), 1);
        assert_eq!(i16x8_all_true(from_u16x8([1, 1, 1, 1, 1, 1, 1, 0])), 0);
        assert_eq!(i32x4_all_true(from_u32x4([1, 1 << 31, 1 << 16, 1 << 8])), 1);
        assert_eq!(i32x4_all_true(from_u32x4([1, 1, 0, 1])), 0);
        assert_eq!(i64x2_all_true(from_u64x2([1, 1 << 63])), 1);
        assert_eq!(i64x2_all_true(from_u64x2([0, 1])), 0);
        assert_eq!(i64x2_all_true(0), 0);
    }

    #[test]
    fn bitmask() {
        let v = from_i8x16(core::array::from_fn(|i| if i % 3 == 0 { -1 } else { 127 }));
        assert_eq!(i8x16_bitmask(v), 0b1001_0010_0100_1001);
        assert_eq!(i8x16_bitmask(u128::MAX), 0xffff);
        assert_eq!(
            i16x8_bitmask(from_i16x8([-1, 0, i16::MIN, i16::MAX, 0, 0, 0, -5])),
            0b1000_0101
        );
        assert_eq!(i32x4_bitmask(from_i32x4([0, i32::MIN, 1, -1])), 0b1010);
        assert_eq!(i64x2_bitmask(from_i64x2([-1, 0])), 0b01);
        assert_eq!(i64x2_bitmask(u128::MAX), 0b11);
    }

    #[test]
    fn saturating_add_and_sub_at_bounds() {
        let a = from_i8x16([127, -128, 100, -100, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = from_i8x16([1, -1, 100, -100, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            i8x16(i8x16_add_sat_s(a, b))[..6],
            [127, -128, 127, -128, 0, 0]
        );
        assert_eq!(i8x16(i8x16_add(a, b))[..4], [-128, 127, -56, 56]);
        assert_eq!(i8x16(i8x16_sub_sat_s(a, b))[..2], [126, -127]);
        assert_eq!(
            i8x16(i8x16_sub_sat_s(from_i8x16([-128; 16]), from_i8x16([1; 16]))),
            [-128; 16]
        );
        assert_eq!(
            i8x16(i8x16_sub_sat_s(from_i8x16([127; 16]), from_i8x16([-1; 16]))),
            [127; 16]
        );
        assert_eq!(
            u8x16(i8x16_add_sat_u(from_u8x16([250; 16]), from_u8x16([10; 16]))),
            [255; 16]
        );
        assert_eq!(
            u8x16(i8x16_sub_sat_u(from_u8x16([5; 16]), from_u8x16([10; 16]))),
            [0; 16]
        );
        assert_eq!(
            u8x16(i8x16_sub(from_u8x16([5; 16]), from_u8x16([10; 16]))),
            [251; 16]
        );

        let a = from_i16x8([i16::MAX, i16::MIN, 1, 0, 0, 0, 0, 0]);
        let b = from_i16x8([1, -1, 1, 0, 0, 0, 0, 0]);
        assert_eq!(i16x8(i16x8_add_sat_s(a, b))[..3], [i16::MAX, i16::MIN, 2]);
        assert_eq!(i16x8(i16x8_sub_sat_s(b, a))[..2], [-32766, i16::MAX]);
        assert_eq!(
            u16x8(i16x8_add_sat_u(i16x8_splat(-1), i16x8_splat(1))),
            [u16::MAX; 8]
        );
        assert_eq!(
            u16x8(i16x8_sub_sat_u(i16x8_splat(1), i16x8_splat(-1))),
            [0; 8]
        );
    }

    #[test]
    fn integer_arithmetic_wraps() {
        assert_eq!(i8x16(i8x16_neg(i8x16_splat(-128))), [-128; 16]);
        assert_eq!(
            i8x16(i8x16_abs(from_i8x16([
                -128, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            ])))[..4],
            [-128, 1, 1, 0]
        );
        assert_eq!(i16x8(i16x8_abs(i16x8_splat(-32768))), [i16::MIN; 8]);
        assert_eq!(
            i32x4(i32x4_abs(from_i32x4([i32::MIN, -3, 3, 0]))),
            [i32::MIN, 3, 3, 0]
        );
        assert_eq!(i64x2(i64x2_abs(from_i64x2([i64::MIN, -3]))), [i64::MIN, 3]);
        assert_eq!(
            i32x4(i32x4_neg(from_i32x4([i32::MIN, -3, 3, 0]))),
            [i32::MIN, 3, -3, 0]
        );
        assert_eq!(i64x2(i64x2_neg(from_i64x2([i64::MIN, 1]))), [i64::MIN, -1]);
        assert_eq!(
            i16x8(i16x8_mul(i16x8_splat(0x100), i16x8_splat(0x100))),
            [0; 8]
        );
        assert_eq!(
            i32x4(i32x4_mul(i32x4_splat(0x10001), i32x4_splat(0x10001))),
            [0x20001; 4]
        );
        assert_eq!(
            i64x2(i64x2_mul(i64x2_splat(i64::MAX), i64x2_splat(2))),
            [-2; 2]
        );
        assert_eq!(
            i32x4(i32x4_add(i32x4_splat(i32::MAX), i32x4_splat(1))),
            [i32::MIN; 4]
        );
        assert_eq!(
            i64x2(i64x2_sub(i64x2_splat(i64::MIN), i64x2_splat(1))),
            [i64::MAX; 2]
        );
    }

    #[test]
    fn integer_min_max_and_avgr() {
        let a = from_i8x16([-1; 16]);
        let b = from_i8x16([1; 16]);
        assert_eq!(i8x16(i8x16_min_s(a, b)), [-1; 16]);
        assert_eq!(i8x16(i8x16_min_u(a, b)), [1; 16]);
        assert_eq!(i8x16(i8x16_max_s(a, b)), [1; 16]);
        assert_eq!(i8x16(i8x16_max_u(a, b)), [-1; 16]);
        let a = i16x8_splat(-1);
        let b = i16x8_splat(1);
        assert_eq!(i16x8(i16x8_min_u(a, b)), [1; 8]);
        assert_eq!(i16x8(i16x8_max_s(a, b)), [1; 8]);
        let a = i32x4_splat(i32::MIN);
        let b = i32x4_splat(i32::MAX);
        assert_eq!(i32x4(i32x4_min_s(a, b)), [i32::MIN; 4]);
        assert_eq!(i32x4(i32x4_min_u(a, b)), [i32::MAX; 4]);
        assert_eq!(i32x4(i32x4_max_s(a, b)), [i32::MAX; 4]);
        assert_eq!(i32x4(i32x4_max_u(a, b)), [i32::MIN; 4]);

        assert_eq!(
            u8x16(i8x16_avgr_u(i8x16_splat(255), i8x16_splat(255))),
            [255; 16]
        );
        assert_eq!(u8x16(i8x16_avgr_u(i8x16_splat(0), i8x16_splat(1))), [1; 16]);
        assert_eq!(u8x16(i8x16_avgr_u(i8x16_splat(2), i8x16_splat(5))), [4; 16]);
        assert_eq!(
            u16x8(i16x8_avgr_u(i16x8_splat(-1), i16x8_splat(-1))),
            [u16::MAX; 8]
        );
        assert_eq!(
            u16x8(i16x8_avgr_u(i16x8_splat(-1), i16x8_splat(0))),
            [0x8000; 8]
        );
    }

    #[test]
    fn popcnt() {
        let v = from_u8x16([0, 1, 2, 3, 0xff, 0x80, 0x7f, 0x55, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(u8x16(i8x16_popcnt(v))[..8], [0, 1, 1, 2, 8, 1, 7, 4]);
    }

    #[test]
    fn shifts_take_the_count_modulo_the_lane_width() {
        let v = i8x16_splat(-127); // 0x81
        assert_eq!(u8x16(i8x16_shl(v, 1)), [0x02; 16]);
        assert_eq!(u8x16(i8x16_shl(v, 8)), [0x81; 16]);
        assert_eq!(u8x16(i8x16_shl(v, 9)), [0x02; 16]);
        assert_eq!(u8x16(i8x16_shr_s(v, 1)), [0xc0; 16]);
        assert_eq!(u8x16(i8x16_shr_s(v, 7)), [0xff; 16]);
        assert_eq!(u8x16(i8x16_shr_u(v, 7)), [0x01; 16]);
        assert_eq!(u8x16(i8x16_shr_u(v, 15)), [0x01; 16]);
        assert_eq!(u8x16(i8x16_shr_u(v, -1)), [0x01; 16]);

        let v = i16x8_splat(-32767); // 0x8001
        assert_eq!(u16x8(i16x8_shl(v, 16)), [0x8001; 8]);
        assert_eq!(u16x8(i16x8_shl(v, 17)), [0x0002; 8]);
        assert_eq!(u16x8(i16x8_shr_s(v, 15)), [0xffff; 8]);
        assert_eq!(u16x8(i16x8_shr_u(v, 31)), [0x0001; 8]);

        let v = i32x4_splat(i32::MIN + 1);
        assert_eq!(i32x4_shl(v, 32), v);
        assert_eq!(u32x4(i32x4_shl(v, 33)), [2; 4]);
        assert_eq!(u32x4(i32x4_shr_s(v, 63)), [u32::MAX; 4]);
        assert_eq!(u32x4(i32x4_shr_u(v, i32::MIN + 31)), [1; 4]);

        let v = i64x2_splat(i64::MIN + 1);
        assert_eq!(i64x2_shl(v, 64), v);
        assert_eq!(u64x2(i64x2_shl(v, 65)), [2; 2]);
        assert_eq!(i64x2(i64x2_shr_s(v, 127)), [-1; 2]);
        assert_eq!(u64x2(i64x2_shr_u(v, 63)), [1; 2]);
        // Shifts never cross lanes.
        assert_eq!(i32x4_shl(from_u32x4([0x8000_0000, 0, 0, 0]), 1), 0);
    }

    #[test]
    fn narrow_saturates() {
        let a = from_i16x8([300, -300, 127, -128, 128, -129, 0, 1]);
        let b = from_i16x8([i16::MAX, i16::MIN, 255, 256, -1, 2, 3, 4]);
        assert_eq!(
            i8x16(i8x16_narrow_i16x8_s(a, b)),
            [127, -128, 127, -128, 127, -128, 0, 1, 127, -128, 127, 127, -1, 2, 3, 4]
        );
        assert_eq!(
            u8x16(i8x16_narrow_i16x8_u(a, b)),
            [255, 0, 127, 0, 128, 0, 0, 1, 255, 0, 255, 255, 0, 2, 3, 4]
        );
        let a = from_i32x4([70000, -70000, 32767, -32768]);
        let b = from_i32x4([65535, 65536, -1, 40000]);
        assert_eq!(
            i16x8(i16x8_narrow_i32x4_s(a, b)),
            [32767, -32768, 32767, -32768, 32767, 32767, -1, 32767]
        );
        assert_eq!(
            u16x8(i16x8_narrow_i32x4_u(a, b)),
            [65535, 0, 32767, 0, 65535, 65535, 0, 40000]
        );
    }

    #[test]
    fn extend_low_and_high() {
        let v = from_i8x16(core::array::from_fn(|i| {
            (i as i8).wrapping_mul(17).wrapping_sub(120)
        }));
        let lanes = i8x16(v);
        let low: [i16; 8] = core::array::from_fn(|i| i16::from(lanes[i]));
        let high: [i16; 8] = core::array::from_fn(|i| i16::from(lanes[i + 8]));
        assert_eq!(i16x8(i16x8_extend_low_i8x16_s(v)), low);
        assert_eq!(i16x8(i16x8_extend_high_i8x16_s(v)), high);
        assert_eq!(
            u16x8(i16x8_extend_low_i8x16_u(v)),
            low.map(|x| x as u8 as u16)
        );
        assert_eq!(
            u16x8(i16x8_extend_high_i8x16_u(v)),
            high.map(|x| x as u8 as u16)
        );

        let v = from_i16x8([-1, 2, -3, 4, i16::MIN, 6, -7, i16::MAX]);
        assert_eq!(i32x4(i32x4_extend_low_i16x8_s(v)), [-1, 2, -3, 4]);
        assert_eq!(i32x4(i32x4_extend_high_i16x8_s(v)), [-32768, 6, -7, 32767]);
        assert_eq!(u32x4(i32x4_extend_low_i16x8_u(v)), [0xffff, 2, 0xfffd, 4]);
        assert_eq!(
            u32x4(i32x4_extend_high_i16x8_u(v)),
            [0x8000, 6, 0xfff9, 0x7fff]
        );

        let v = from_i32x4([-1, 2, i32::MIN, 4]);
        assert_eq!(i64x2(i64x2_extend_low_i32x4_s(v)), [-1, 2]);
        assert_eq!(
            i64x2(i64x2_extend_high_i32x4_s(v)),
            [i64::from(i32::MIN), 4]
        );
        assert_eq!(u64x2(i64x2_extend_low_i32x4_u(v)), [0xffff_ffff, 2]);
        assert_eq!(u64x2(i64x2_extend_high_i32x4_u(v)), [0x8000_0000, 4]);
    }

    #[test]
    fn extmul() {
        let a = from_i8x16([
            -128, 127, -1, 2, 0, 0, 0, 0, -128, -128, 127, -1, 5, 0, 0, 0,
        ]);
        let b = from_i8x16([-128, -128, -1, 3, 0, 0, 0, 0, -128, 127, 127, 1, 5, 0, 0, 0]);
        assert_eq!(
            i16x8(i16x8_extmul_low_i8x16_s(a, b))[..4],
            [16384, -16256, 1, 6]
        );
        assert_eq!(
            i16x8(i16x8_extmul_high_i8x16_s(a, b))[..5],
            [16384, -16256, 16129, -1, 25]
        );
        assert_eq!(
            u16x8(i16x8_extmul_low_i8x16_u(a, b))[..4],
            [16384, 16256, 65025, 6]
        );
        assert_eq!(
            u16x8(i16x8_extmul_high_i8x16_u(a, b))[..4],
            [16384, 16256, 16129, 255]
        );

        let a = from_i16x8([i16::MIN, -1, 3, 4, i16::MIN, i16::MAX, -1, 0]);
        let b = from_i16x8([i16::MIN, -1, -3, 4, i16::MAX, i16::MAX, -1, 0]);
        assert_eq!(i32x4(i32x4_extmul_low_i16x8_s(a, b)), [1 << 30, 1, -9, 16]);
        assert_eq!(
            i32x4(i32x4_extmul_high_i16x8_s(a, b)),
            [-32768 * 32767, 32767 * 32767, 1, 0]
        );
        assert_eq!(
            u32x4(i32x4_extmul_low_i16x8_u(a, b)),
            [1 << 30, 0xfffe_0001, 3 * 65533, 16]
        );
        assert_eq!(
            u32x4(i32x4_extmul_high_i16x8_u(a, b)),
            [32768 * 32767, 32767 * 32767, 0xfffe_0001, 0]
        );

        let a = from_i32x4([i32::MIN, -1, -1, 7]);
        let b = from_i32x4([i32::MIN, 2, -1, -7]);
        assert_eq!(i64x2(i64x2_extmul_low_i32x4_s(a, b)), [1 << 62, -2]);
        assert_eq!(i64x2(i64x2_extmul_high_i32x4_s(a, b)), [1, -49]);
        assert_eq!(
            u64x2(i64x2_extmul_low_i32x4_u(a, b)),
            [1 << 62, 0x1_ffff_fffe]
        );
        assert_eq!(
            u64x2(i64x2_extmul_high_i32x4_u(a, b)),
            [0xffff_fffe_0000_0001, 7 * 0xffff_fff9]
        );
    }

    #[test]
    fn extadd_pairwise() {
        let v = from_i8x16([-128, -128, 127, 127, -1, 1, 0, 5, -1, -1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            i16x8(i16x8_extadd_pairwise_i8x16_s(v)),
            [-256, 254, 0, 5, -2, 0, 0, 0]
        );
        assert_eq!(
            u16x8(i16x8_extadd_pairwise_i8x16_u(v)),
            [256, 254, 256, 5, 510, 0, 0, 0]
        );
        let v = from_i16x8([i16::MIN, i16::MIN, i16::MAX, i16::MAX, -1, -1, 1, 2]);
        assert_eq!(
            i32x4(i32x4_extadd_pairwise_i16x8_s(v)),
            [-65536, 65534, -2, 3]
        );
        assert_eq!(
            u32x4(i32x4_extadd_pairwise_i16x8_u(v)),
            [65536, 65534, 131070, 3]
        );
    }

    #[test]
    fn dot_product() {
        let a = from_i16x8([1, 2, 3, 4, -5, 6, 7, 8]);
        let b = from_i16x8([10, 20, 30, 40, 50, -60, 0, 0]);
        assert_eq!(i32x4(i32x4_dot_i16x8_s(a, b)), [50, 250, -610, 0]);
        // The one overflowing case wraps.
        let m = i16x8_splat(-32768);
        assert_eq!(i32x4(i32x4_dot_i16x8_s(m, m)), [i32::MIN; 4]);
        let m2 = i16x8_splat(32767);
        assert_eq!(i32x4(i32x4_dot_i16x8_s(m, m2)), [-2 * 32768 * 32767; 4]);
    }

    #[test]
    fn q15mulr_sat_s() {
        let a = from_i16x8([i16::MIN, 16384, -16384, 1, -1, i16::MAX, 3, 0x4000]);
        let b = from_i16x8([i16::MIN, 16384, 16384, 16384, 16384, i16::MAX, 0x2aab, -1]);
        assert_eq!(
            i16x8(i16x8_q15mulr_sat_s(a, b)),
            // 1 * 16384 = 0x4000: (0x4000 + 0x4000) >> 15 = 1 (rounds half up);
            // -1 * 16384 + 0x4000 = 0 -> 0.
            [i16::MAX, 8192, -8192, 1, 0, 32766, 1, 0]
        );
    }

    #[test]
    fn float_min_max_propagate_nan_and_order_zeros() {
        let nan = f32::NAN;
        let a = from_f32x4([nan, 1.0, -0.0, 0.0]);
        let b = from_f32x4([1.0, nan, 0.0, -0.0]);
        let min = f32x4(f32x4_min(a, b));
        let max = f32x4(f32x4_max(a, b));
        assert!(min[0].is_nan() && min[1].is_nan());
        assert!(max[0].is_nan() && max[1].is_nan());
        assert_eq!(bits32(f32x4_min(a, b))[2..], [0x8000_0000, 0x8000_0000]);
        assert_eq!(bits32(f32x4_max(a, b))[2..], [0, 0]);
        let snan = f32::from_bits(F32_SNAN);
        let r = f32x4(f32x4_min(black_box(f32x4_splat(snan)), f32x4_splat(1.0)));
        assert!(r.iter().all(|&x| is_quiet_nan32(x)));
        let r = from_f32x4([3.0, -7.0, f32::INFINITY, f32::NEG_INFINITY]);
        let s = from_f32x4([-3.0, 7.0, 1.0, 1.0]);
        assert_eq!(f32x4(f32x4_min(r, s)), [-3.0, -7.0, 1.0, f32::NEG_INFINITY]);
        assert_eq!(f32x4(f32x4_max(r, s)), [3.0, 7.0, f32::INFINITY, 1.0]);

        let a = from_f64x2([f64::NAN, -0.0]);
        let b = from_f64x2([-1.0, 0.0]);
        let min = f64x2(f64x2_min(a, b));
        let max = f64x2(f64x2_max(b, a));
        assert!(min[0].is_nan() && max[0].is_nan());
        assert_eq!(min[1].to_bits(), (-0.0f64).to_bits());
        assert_eq!(max[1].to_bits(), 0);
        assert_eq!(
            f64x2(f64x2_max(from_f64x2([1.0, -2.0]), from_f64x2([2.0, -3.0]))),
            [2.0, -2.0]
        );
    }

    #[test]
    fn pmin_pmax_are_plain_comparisons() {
        let nan = f32::NAN;
        let a = from_f32x4([nan, 1.0, -0.0, 0.0]);
        let b = from_f32x4([1.0, nan, 0.0, -0.0]);
        let pmin = f32x4(f32x4_pmin(a, b));
        let pmax = f32x4(f32x4_pmax(a, b));
        // Unordered or equal: the first operand.
        assert!(pmin[0].is_nan() && pmax[0].is_nan());
        assert_eq!(pmin[1], 1.0);
        assert_eq!(pmax[1], 1.0);
        assert_eq!(u32x4(f32x4_pmin(a, b))[2..], [0x8000_0000, 0]);
        assert_eq!(u32x4(f32x4_pmax(a, b))[2..], [0x8000_0000, 0]);
        assert_eq!(
            f32x4(f32x4_pmin(f32x4_splat(2.0), f32x4_splat(1.0))),
            [1.0; 4]
        );
        assert_eq!(
            f32x4(f32x4_pmax(f32x4_splat(2.0), f32x4_splat(1.0))),
            [2.0; 4]
        );

        let a = from_f64x2([f64::NAN, 5.0]);
        let b = from_f64x2([0.0, f64::NAN]);
        let pmin = f64x2(f64x2_pmin(a, b));
        let pmax = f64x2(f64x2_pmax(a, b));
        assert!(pmin[0].is_nan() && pmax[0].is_nan());
        assert_eq!((pmin[1], pmax[1]), (5.0, 5.0));
        assert_eq!(
            f64x2(f64x2_pmin(from_f64x2([3.0, -1.0]), from_f64x2([2.0, 1.0]))),
            [2.0, -1.0]
        );
        assert_eq!(
            f64x2(f64x2_pmax(from_f64x2([3.0, -1.0]), from_f64x2([2.0, 1.0]))),
            [3.0, 1.0]
        );
    }

    #[test]
    fn float_arithmetic() {
        let a = from_f32x4([1.5, -2.0, 1.0, 0.0]);
        let b = from_f32x4([0.5, 4.0, 0.0, 0.0]);
        assert_eq!(f32x4(f32x4_add(a, b)), [2.0, 2.0, 1.0, 0.0]);
        assert_eq!(f32x4(f32x4_sub(a, b)), [1.0, -6.0, 1.0, 0.0]);
        assert_eq!(f32x4(f32x4_mul(a, b)), [0.75, -8.0, 0.0, 0.0]);
        let q = f32x4(f32x4_div(a, b));
        assert_eq!(q[..3], [3.0, -0.5, f32::INFINITY]);
        assert!(q[3].is_nan());
        let s = f32x4(f32x4_sqrt(from_f32x4([4.0, -1.0, -0.0, f32::INFINITY])));
        assert_eq!(s[0], 2.0);
        assert!(s[1].is_nan());
        assert_eq!(s[2].to_bits(), 0x8000_0000);
        assert_eq!(s[3], f32::INFINITY);

        let a = from_f64x2([1.5, -2.0]);
        let b = from_f64x2([0.5, 4.0]);
        assert_eq!(f64x2(f64x2_add(a, b)), [2.0, 2.0]);
        assert_eq!(f64x2(f64x2_sub(a, b)), [1.0, -6.0]);
        assert_eq!(f64x2(f64x2_mul(a, b)), [0.75, -8.0]);
        assert_eq!(f64x2(f64x2_div(a, b)), [3.0, -0.5]);
        assert_eq!(f64x2(f64x2_sqrt(from_f64x2([9.0, 2.25]))), [3.0, 1.5]);
    }

    #[test]
    fn abs_and_neg_only_touch_the_sign_bit() {
        let v = from_u32x4([F32_SNAN | 0x8000_0000, F32_SNAN, 0x8000_0000, 0x3f80_0000]);
        assert_eq!(u32x4(f32x4_abs(v)), [F32_SNAN, F32_SNAN, 0, 0x3f80_0000]);
        assert_eq!(
            u32x4(f32x4_neg(v)),
            [F32_SNAN, F32_SNAN | 0x8000_0000, 0, 0xbf80_0000]
        );
        let v = from_u64x2([F64_SNAN | (1 << 63), 0]);
        assert_eq!(u64x2(f64x2_abs(v)), [F64_SNAN, 0]);
        assert_eq!(u64x2(f64x2_neg(v)), [F64_SNAN, 1 << 63]);
    }

    #[test]
    fn rounding() {
        let v = from_f32x4([0.5, 1.5, 2.5, -0.5]);
        assert_eq!(
            u32x4(f32x4_nearest(v)),
            u32x4(from_f32x4([0.0, 2.0, 2.0, -0.0]))
        );
        assert_eq!(f32x4(f32x4_ceil(v)), [1.0, 2.0, 3.0, -0.0]);
        assert_eq!(u32x4(f32x4_ceil(v))[3], 0x8000_0000);
        assert_eq!(f32x4(f32x4_floor(v)), [0.0, 1.0, 2.0, -1.0]);
        assert_eq!(
            f32x4(f32x4_trunc(from_f32x4([-1.7, 1.7, 8388609.0, -0.2]))),
            [-1.0, 1.0, 8388609.0, -0.0]
        );
        let v = from_f32x4([-1.5, -2.5, 3.5, 4.5000005]);
        assert_eq!(f32x4(f32x4_nearest(v)), [-2.0, -2.0, 4.0, 5.0]);

        let v = from_f64x2([2.5, -3.5]);
        assert_eq!(f64x2(f64x2_nearest(v)), [2.0, -4.0]);
        assert_eq!(f64x2(f64x2_ceil(v)), [3.0, -3.0]);
        assert_eq!(f64x2(f64x2_floor(v)), [2.0, -4.0]);
        assert_eq!(f64x2(f64x2_trunc(v)), [2.0, -3.0]);
        assert_eq!(u64x2(f64x2_nearest(from_f64x2([-0.5, 0.5]))), [1 << 63, 0]);
        assert_eq!(
            f64x2(f64x2_nearest(from_f64x2([
                4503599627370497.0,
                f64::INFINITY
            ]))),
            [4503599627370497.0, f64::INFINITY]
        );

        // A signalling NaN comes back quiet from every rounding function.
        let snan32 = black_box(from_u32x4([F32_SNAN; 4]));
        for f in [f32x4_ceil, f32x4_floor, f32x4_trunc, f32x4_nearest] {
            assert!(f32x4(f(snan32)).iter().all(|&x| is_quiet_nan32(x)));
        }
        let snan64 = black_box(from_u64x2([F64_SNAN; 2]));
        for f in [f64x2_ceil, f64x2_floor, f64x2_trunc, f64x2_nearest] {
            assert!(f64x2(f(snan64)).iter().all(|&x| is_quiet_nan64(x)));
        }
    }

    #[test]
    fn trunc_sat_saturates_and_maps_nan_to_zero() {
        let v = from_f32x4([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -1.9]);
        assert_eq!(
            i32x4(i32x4_trunc_sat_f32x4_s(v)),
            [0, i32::MAX, i32::MIN, -1]
        );
        assert_eq!(u32x4(i32x4_trunc_sat_f32x4_u(v)), [0, u32::MAX, 0, 0]);
        let v = from_f32x4([3e9, -3e9, 2147483520.0, 4294967040.0]);
        assert_eq!(
            i32x4(i32x4_trunc_sat_f32x4_s(v)),
            [i32::MAX, i32::MIN, 2147483520, i32::MAX]
        );
        assert_eq!(
            u32x4(i32x4_trunc_sat_f32x4_u(v)),
            [3_000_000_000, 0, 2147483520, 4294967040]
        );

        let v = from_f64x2([f64::NAN, f64::NEG_INFINITY]);
        assert_eq!(i32x4(i32x4_trunc_sat_f64x2_s_zero(v)), [0, i32::MIN, 0, 0]);
        assert_eq!(u32x4(i32x4_trunc_sat_f64x2_u_zero(v)), [0, 0, 0, 0]);
        let v = from_f64x2([4294967295.9, -2147483648.9]);
        assert_eq!(
            i32x4(i32x4_trunc_sat_f64x2_s_zero(v)),
            [i32::MAX, i32::MIN, 0, 0]
        );
        assert_eq!(u32x4(i32x4_trunc_sat_f64x2_u_zero(v)), [u32::MAX, 0, 0, 0]);
        let v = from_f64x2([f64::INFINITY, 1e300]);
        assert_eq!(
            u32x4(i32x4_trunc_sat_f64x2_u_zero(v)),
            [u32::MAX, u32::MAX, 0, 0]
        );
    }

    #[test]
    fn int_to_float_conversions() {
        let v = from_i32x4([-1, i32::MIN, 16777217, i32::MAX]);
        assert_eq!(
            f32x4(f32x4_convert_i32x4_s(v)),
            [-1.0, -2147483648.0, 16777216.0, 2147483648.0]
        );
        assert_eq!(
            f32x4(f32x4_convert_i32x4_u(v)),
            [4294967296.0, 2147483648.0, 16777216.0, 2147483648.0]
        );
        // Ties go to even: 16777219 is halfway between 16777218 and 16777220.
        assert_eq!(
            f32x4(f32x4_convert_i32x4_s(i32x4_splat(16777219))),
            [16777220.0; 4]
        );
        assert_eq!(f64x2(f64x2_convert_low_i32x4_s(v)), [-1.0, -2147483648.0]);
        assert_eq!(
            f64x2(f64x2_convert_low_i32x4_u(v)),
            [4294967295.0, 2147483648.0]
        );
    }

    #[test]
    fn demote_and_promote() {
        let v = from_f64x2([1.0 + f64::EPSILON, 1e300]);
        assert_eq!(
            u32x4(f32x4_demote_f64x2_zero(v)),
            u32x4(from_f32x4([1.0, f32::INFINITY, 0.0, 0.0]))
        );
        let v = from_f64x2([-0.0, f64::NAN]);
        let d = f32x4(f32x4_demote_f64x2_zero(v));
        assert_eq!(d[0].to_bits(), 0x8000_0000);
        assert!(d[1].is_nan());
        assert_eq!(u32x4(f32x4_demote_f64x2_zero(v))[2..], [0, 0]);
        let v = black_box(from_u64x2([F64_SNAN; 2]));
        assert!(f32x4(f32x4_demote_f64x2_zero(v))[..2]
            .iter()
            .all(|&x| is_quiet_nan32(x)));

        let v = from_f32x4([1.5, -0.0, 7.0, 8.0]);
        assert_eq!(f64x2(f64x2_promote_low_f32x4(v)), [1.5, -0.0]);
        assert_eq!(u64x2(f64x2_promote_low_f32x4(v))[1], 1 << 63);
        let v = black_box(from_u32x4([F32_SNAN; 4]));
        assert!(f64x2(f64x2_promote_low_f32x4(v))
            .iter()
            .all(|&x| is_quiet_nan64(x)));
    }

    #[test]
    fn loads() {
        let bytes: [u8; 16] = core::array::from_fn(|i| i as u8);
        assert_eq!(v128_store(v128_load(bytes)), bytes);
        assert_eq!(u8x16(v128_load(bytes)), bytes);

        let eight = [0x80, 0x7f, 0xff, 0x01, 0x00, 0xfe, 0x81, 0x02];
        assert_eq!(
            i16x8(v128_load8x8_s(eight)),
            [-128, 127, -1, 1, 0, -2, -127, 2]
        );
        assert_eq!(
            u16x8(v128_load8x8_u(eight)),
            [0x80, 0x7f, 0xff, 0x01, 0x00, 0xfe, 0x81, 0x02]
        );
        assert_eq!(
            i32x4(v128_load16x4_s(eight)),
            [0x7f80, 0x01ff, -512, 0x0281]
        );
        assert_eq!(
            u32x4(v128_load16x4_u(eight)),
            [0x7f80, 0x01ff, 0xfe00, 0x0281]
        );
        assert_eq!(i64x2(v128_load32x2_s(eight)), [0x01ff_7f80, 0x0281_fe00]);
        let neg = [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(i64x2(v128_load32x2_s(neg)), [i64::from(i32::MIN), -1]);
        assert_eq!(u64x2(v128_load32x2_u(neg)), [0x8000_0000, 0xffff_ffff]);

        assert_eq!(u8x16(v128_load8_splat([0xab])), [0xab; 16]);
        assert_eq!(u16x8(v128_load16_splat([0x34, 0x12])), [0x1234; 8]);
        assert_eq!(u32x4(v128_load32_splat([1, 2, 3, 4])), [0x0403_0201; 4]);
        assert_eq!(
            u64x2(v128_load64_splat([1, 2, 3, 4, 5, 6, 7, 8])),
            [0x0807_0605_0403_0201; 2]
        );

        assert_eq!(v128_load32_zero([0xff; 4]), 0xffff_ffff);
        assert_eq!(
            u32x4(v128_load32_zero([1, 2, 3, 4])),
            [0x0403_0201, 0, 0, 0]
        );
        assert_eq!(u64x2(v128_load64_zero([0xff; 8])), [u64::MAX, 0]);
    }

    #[test]
    fn load_and_store_lanes_round_trip() {
        let base = from_u8x16(core::array::from_fn(|i| 0xa0 + i as u8));
        for lane in 0..16u8 {
            let v = v128_load8_lane(lane, [0x5a], base);
            assert_eq!(v128_store8_lane(lane, v), [0x5a]);
            assert_eq!(v128_store8_lane(lane, base), [0xa0 + lane]);
            assert_eq!(v & !(0xff << (8 * lane)), base & !(0xff << (8 * lane)));
        }
        for lane in 0..8u8 {
            let v = v128_load16_lane(lane, [0x34, 0x12], base);
            assert_eq!(v128_store16_lane(lane, v), [0x34, 0x12]);
            assert_eq!(u16x8(v)[usize::from(lane)], 0x1234);
            assert_eq!(
                v ^ base,
                u128::from(0x1234 ^ u16x8(base)[usize::from(lane)]) << (16 * lane)
            );
        }
        for lane in 0..4u8 {
            let v = v128_load32_lane(lane, [1, 2, 3, 4], base);
            assert_eq!(v128_store32_lane(lane, v), [1, 2, 3, 4]);
            let mut expected = u32x4(base);
            expected[usize::from(lane)] = 0x0403_0201;
            assert_eq!(u32x4(v), expected);
        }
        for lane in 0..2u8 {
            let bytes = [8, 7, 6, 5, 4, 3, 2, 1];
            let v = v128_load64_lane(lane, bytes, base);
            assert_eq!(v128_store64_lane(lane, v), bytes);
            assert_eq!(
                v128_store64_lane(1 - lane, v),
                v128_store64_lane(1 - lane, base)
            );
        }
        assert_eq!(v128_store32_lane(3, base), [0xac, 0xad, 0xae, 0xaf]);
        assert_eq!(v128_store16_lane(0, base), [0xa0, 0xa1]);
    }

    #[test]
    fn relaxed_dot_multiplies_signed_by_signed() {
        let a = from_i8x16([-128, -128, 127, 127, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = from_i8x16([-127, -127, 127, 127, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            i16x8(i16x8_relaxed_dot_i8x16_i7x16_s(a, b)),
            [32512, 32258, 11, 0, 0, 0, 0, 0]
        );
        let c = from_i32x4([1, 2, 3, 4]);
        assert_eq!(
            i32x4(i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b, c)),
            [32512 + 32258 + 1, 11 + 2, 3, 4]
        );
        // Only -128 * -128 twice overflows 16 bits; it wraps.
        let min = i8x16_splat(-128);
        assert_eq!(
            i16x8(i16x8_relaxed_dot_i8x16_i7x16_s(min, min)),
            [i16::MIN; 8]
        );
    }

    #[test]
    fn relaxed_madd_rounds_twice() {
        // 1 + 2^-23 squared is 1 + 2^-22 + 2^-46: the product rounds to
        // 1 + 2^-22 before the addition, which a fused madd would not.
        let x = f32x4_splat(1.0 + f32::EPSILON);
        let c = f32x4_splat(-1.0 - 2.0 * f32::EPSILON);
        assert_eq!(f32x4(f32x4_relaxed_madd(x, x, c)), [0.0; 4]);
        assert_eq!(f32x4(f32x4_relaxed_nmadd(x, x, f32x4_neg(c))), [0.0; 4]);
    }
}
