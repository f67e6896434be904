//! Which WebAssembly proposals the decoder and validator accept.

use crate::binary::DecodeError;
pub use crate::binary::Proposal;

/// A set of enabled proposals. [`Features::default`] is [`Features::wasm3`]:
/// WebAssembly 3.0 as far as Tabula implements it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// Importing and exporting mutable globals.
    pub mutable_global: bool,
    /// `i32.extend8_s` and friends.
    pub sign_extension: bool,
    /// Non-trapping float-to-int conversions (`0xFC 0..7`).
    pub saturating_float_to_int: bool,
    /// Multiple results, and block parameters.
    pub multi_value: bool,
    /// `memory.copy`, `memory.fill`, passive segments and friends.
    pub bulk_memory: bool,
    /// `funcref`/`externref` values, multiple tables and table instructions.
    pub reference_types: bool,
    /// 128-bit SIMD.
    pub simd: bool,
    /// More than one memory; a memory index in memargs, bulk memory
    /// instructions and data segments.
    pub multi_memory: bool,
    /// memory64: 64-bit memories and tables (`i64` addresses, indices and
    /// sizes), and limits encoded as u64 LEBs for every table and memory.
    pub memory64: bool,
    /// Relaxed SIMD (`0xFD 0x100..=0x113`), WebAssembly 3.0. Tabula gives each
    /// instruction one fixed behaviour, that of its non-relaxed counterpart.
    pub relaxed_simd: bool,
    /// 128-bit addition and subtraction and 64-bit widening multiplication
    /// (`0xFC 19..=22`), WebAssembly 3.0.
    pub wide_arithmetic: bool,
    /// `return_call` and `return_call_indirect` (WebAssembly 3.0).
    pub tail_call: bool,
    /// `i32`/`i64` `add`, `sub` and `mul` in constant expressions, and
    /// `global.get` there of any earlier immutable global (WebAssembly 3.0).
    pub extended_const: bool,
    /// Memories with 1-byte pages (custom-page-sizes, WebAssembly 3.0):
    /// limits flag bit 3 and a page size exponent in the memory type.
    pub custom_page_sizes: bool,
    /// Typed function references (WebAssembly 3.0): `(ref null? ht)` types,
    /// non-nullable locals, `call_ref`, `return_call_ref`,
    /// `ref.as_non_null`, `br_on_null` and `br_on_non_null`.
    pub function_references: bool,
    /// Garbage collection (WebAssembly 3.0), as far as Tabula has it:
    /// recursion groups, declared subtypes of function types, and the
    /// abstract heap types `any`, `eq`, `i31`, `struct`, `array`, `none`
    /// (whose only values here are null). Struct and array types and the
    /// `0xFB` instructions are refused by name.
    pub gc: bool,
    /// Exception handling with `exnref` (WebAssembly 3.0): the tag
    /// section, `throw`, `throw_ref`, `try_table` and the `exnref` type.
    /// The legacy `try`/`catch`/`delegate` instructions stay refused.
    pub exceptions: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features::wasm3()
    }
}

impl Features {
    /// WebAssembly 1.0 (MVP) with nothing else.
    pub const fn wasm1() -> Self {
        Features {
            mutable_global: false,
            sign_extension: false,
            saturating_float_to_int: false,
            multi_value: false,
            bulk_memory: false,
            reference_types: false,
            simd: false,
            multi_memory: false,
            memory64: false,
            relaxed_simd: false,
            wide_arithmetic: false,
            tail_call: false,
            extended_const: false,
            custom_page_sizes: false,
            function_references: false,
            gc: false,
            exceptions: false,
        }
    }

    /// WebAssembly 2.0: every proposal merged into the 2.0 spec.
    pub const fn wasm2() -> Self {
        Features {
            mutable_global: true,
            sign_extension: true,
            saturating_float_to_int: true,
            multi_value: true,
            bulk_memory: true,
            reference_types: true,
            simd: true,
            multi_memory: false,
            memory64: false,
            relaxed_simd: false,
            wide_arithmetic: false,
            tail_call: false,
            extended_const: false,
            custom_page_sizes: false,
            function_references: false,
            gc: false,
            exceptions: false,
        }
    }

    /// WebAssembly 3.0: 2.0 and the proposals merged into the 3.0 spec that
    /// Tabula implements. Each 3.0 proposal gets a field when it lands, on
    /// here and off in [`Features::wasm2`].
    pub const fn wasm3() -> Self {
        Features {
            multi_memory: true,
            memory64: true,
            relaxed_simd: true,
            wide_arithmetic: true,
            tail_call: true,
            extended_const: true,
            custom_page_sizes: true,
            function_references: true,
            gc: true,
            exceptions: true,
            ..Features::wasm2()
        }
    }

    /// Whether the instructions of `proposal` are accepted.
    pub const fn enabled(&self, proposal: Proposal) -> bool {
        match proposal {
            Proposal::Mvp => true,
            Proposal::SignExtension => self.sign_extension,
            Proposal::SaturatingFloatToInt => self.saturating_float_to_int,
            Proposal::BulkMemory => self.bulk_memory,
            Proposal::ReferenceTypes => self.reference_types,
            Proposal::Simd => self.simd,
            Proposal::RelaxedSimd => self.relaxed_simd,
            Proposal::WideArithmetic => self.wide_arithmetic,
            Proposal::TailCall => self.tail_call,
            Proposal::ExtendedConst => self.extended_const,
            Proposal::FunctionReferences => self.function_references,
            Proposal::Exceptions => self.exceptions,
            Proposal::Gc => self.gc,
        }
    }

    /// Fails with a decode error at `offset` unless `proposal` is enabled.
    pub fn require(&self, proposal: Proposal, offset: usize) -> Result<(), DecodeError> {
        if self.enabled(proposal) {
            Ok(())
        } else {
            Err(DecodeError::new(
                offset,
                alloc::format!("the {} proposal is not enabled", proposal.name()),
            ))
        }
    }
}
