//! Float rounding and square root without `std`.
//!
//! `f32::floor` and friends are `std` methods (they call the platform's libm).
//! Without `std` this trait gives `f32`/`f64` the same methods, backed by the
//! `libm` crate, so the semantics read the same in both builds.

/// The `std` float methods the semantics use.
pub(crate) trait FloatMath {
    fn ceil(self) -> Self;
    fn floor(self) -> Self;
    fn trunc(self) -> Self;
    fn round_ties_even(self) -> Self;
    fn sqrt(self) -> Self;
}

impl FloatMath for f32 {
    fn ceil(self) -> f32 {
        libm::ceilf(self)
    }
    fn floor(self) -> f32 {
        libm::floorf(self)
    }
    fn trunc(self) -> f32 {
        libm::truncf(self)
    }
    fn round_ties_even(self) -> f32 {
        libm::roundevenf(self)
    }
    fn sqrt(self) -> f32 {
        libm::sqrtf(self)
    }
}

impl FloatMath for f64 {
    fn ceil(self) -> f64 {
        libm::ceil(self)
    }
    fn floor(self) -> f64 {
        libm::floor(self)
    }
    fn trunc(self) -> f64 {
        libm::trunc(self)
    }
    fn round_ties_even(self) -> f64 {
        libm::roundeven(self)
    }
    fn sqrt(self) -> f64 {
        libm::sqrt(self)
    }
}
