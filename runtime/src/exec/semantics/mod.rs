//! The meaning of every table-driven instruction, one plain function each.
//!
//! `opcodes.toml` lists every instruction; for each row whose exec kind is
//! `pure` (the default), `load` or `store`, the generated executor pops the
//! operands and calls `semantics::<id>`, where `id` is the mnemonic with `.`
//! replaced by `_` (`i32.trunc_f32_s` -> [`i32_trunc_f32_s`]). Everything here
//! follows the numerics chapter of the WebAssembly 2.0 specification.
//!
//! # Calling convention
//!
//! The generated code relies on these signatures exactly:
//!
//! - **Pure rows**: `fn id(imms.., operands..) -> R`. Operands come in stack
//!   order, bottom to top, as in the row's `sig`, so `i32.sub` is
//!   `i32_sub(a, b)` computing `a - b`. Wasm `i32`/`i64` are the signed Rust
//!   integers (unsigned operations cast with `as u32`/`as u64`); `f32`/`f64` are
//!   the Rust floats. Rows without a result return `()`.
//! - **Trapping rows** (`traps = true`) return `Result<R, TrapCode>`.
//! - **Const rows** take their immediate: `i32_const(value: i32) -> i32`.
//! - **Load rows** (`access = N` and a result): `fn id(bytes: [u8; N]) -> R`;
//!   the caller reads the bytes, the function decodes them little-endian and
//!   sign- or zero-extends as the mnemonic says.
//! - **Store rows** (`access = N`, no result): `fn id(value: T) -> [u8; N]`;
//!   the caller pops the address and writes the bytes, the function encodes the
//!   value little-endian, truncating it to `N` bytes.
//!
//! Every function is `#[inline]`, allocation-free, `unsafe`-free and total:
//! no input panics. Rows with `exec = "runtime"` or `"control"` have no
//! function here; the executor implements them by hand.
//!
//! # Files
//!
//! - [`control`] holds `unreachable` and `nop`;
//! - [`constant`] holds `t.const`;
//! - [`int`] holds integer tests, comparisons and arithmetic, and sign extension;
//! - [`float`] holds float comparisons and arithmetic;
//! - [`convert`] holds conversions between value types, trapping and saturating;
//! - [`memory`] holds the byte encodings of loads and stores;
//! - [`simd`] holds every 128-bit vector instruction (`v128` values are `u128`,
//!   lane 0 in the low bits);
//! - [`references`] holds the GC instructions that need no heap: `ref.eq` and
//!   the `i31` conversions (references are their slot words, `u64`).

use super::trap::TrapCode;

pub mod constant;
pub mod control;
pub mod convert;
pub mod float;
pub mod int;
pub mod memory;
#[cfg(all(not(feature = "std"), not(test)))]
mod no_std_math;
pub mod references;
pub mod simd;

pub use constant::*;
pub use control::*;
pub use convert::*;
pub use float::*;
pub use int::*;
pub use memory::*;
pub use references::*;
pub use simd::*;
