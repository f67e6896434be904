//! Immediate kinds named in `opcodes.toml`: their Rust types, how the reader
//! decodes them, and how the text printer writes them.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use super::reader::{DecodeError, Reader, UnsupportedProposal};
use crate::features::Features;
use crate::types::{HeapType, RefType, ValType};

/// The memarg alignment bit that says a memory index follows (multi-memory).
const MEMARG_HAS_MEMORY: u32 = 1 << 6;

/// A memory access immediate: memory index, alignment exponent and static
/// offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemArg {
    /// log2 of the promised alignment.
    pub align: u32,
    /// Added to the dynamic address. Above `u32::MAX` only for 64-bit
    /// memories (validation checks).
    pub offset: u64,
    /// Which memory: 0 unless multi-memory is on.
    pub memory: u32,
}

impl MemArg {
    /// Writes ` M offset=N align=A`, leaving out defaults as the text format does.
    pub fn write_text(&self, f: &mut fmt::Formatter<'_>, natural_align: u32) -> fmt::Result {
        if self.memory != 0 {
            write!(f, " {}", self.memory)?;
        }
        if self.offset != 0 {
            write!(f, " offset={}", self.offset)?;
        }
        if self.align != natural_align {
            write!(f, " align={}", 1u64 << self.align.min(63))?;
        }
        Ok(())
    }
}

/// The type of a `block`, `loop` or `if`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockType {
    /// No parameters, no results.
    Empty,
    /// No parameters, one result.
    Value(ValType),
    /// Parameters and results of a type in the type section.
    Type(u32),
}

/// The labels of a `br_table`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrTable {
    /// Targets for indices `0..labels.len()`.
    pub labels: Box<[u32]>,
    /// Target for every other index.
    pub default: u32,
}

/// A 32-bit float constant, kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ieee32(pub u32);

/// A 64-bit float constant, kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ieee64(pub u64);

/// A 128-bit vector constant (lane 0 in the low bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V128(pub u128);

/// Writes an immediate in the text format, preceded by a space.
pub trait TextImmediate {
    /// Writes ` <immediate>`.
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl TextImmediate for u32 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {self}")
    }
}

impl TextImmediate for i32 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {self}")
    }
}

impl TextImmediate for i64 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {self}")
    }
}

impl TextImmediate for u8 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {self}")
    }
}

/// Writes a float the way the text format spells it, with NaN payloads.
fn write_float(
    f: &mut fmt::Formatter<'_>,
    negative: bool,
    is_nan: bool,
    payload: u64,
    canonical_payload: u64,
    value: impl fmt::Display,
) -> fmt::Result {
    if is_nan {
        let sign = if negative { "-" } else { "" };
        if payload == canonical_payload {
            write!(f, " {sign}nan")
        } else {
            write!(f, " {sign}nan:{payload:#x}")
        }
    } else {
        write!(f, " {value}")
    }
}

/// A finite float in the shortest form that reads back exactly, switching to
/// exponent notation for very large or small magnitudes.
struct Shortest(f64, bool);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shortest(value, single) = *self;
        let magnitude = value.abs();
        let plain =
            magnitude == 0.0 || magnitude.is_infinite() || (1e-5..1e21).contains(&magnitude);
        match (plain, single) {
            (true, true) => write!(f, "{}", value as f32),
            (true, false) => write!(f, "{value}"),
            (false, true) => write!(f, "{:e}", value as f32),
            (false, false) => write!(f, "{value:e}"),
        }
    }
}

impl TextImmediate for Ieee32 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = f32::from_bits(self.0);
        let payload = u64::from(self.0 & 0x007F_FFFF);
        write_float(
            f,
            self.0 >> 31 != 0,
            value.is_nan(),
            payload,
            0x40_0000,
            Shortest(f64::from(value), true),
        )
    }
}

impl TextImmediate for Ieee64 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = f64::from_bits(self.0);
        let payload = self.0 & 0x000F_FFFF_FFFF_FFFF;
        write_float(
            f,
            self.0 >> 63 != 0,
            value.is_nan(),
            payload,
            0x8_0000_0000_0000,
            Shortest(value, false),
        )
    }
}

impl TextImmediate for V128 {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" i32x4")?;
        for lane in 0..4 {
            write!(f, " {:#010x}", (self.0 >> (32 * lane)) as u32)?;
        }
        Ok(())
    }
}

impl TextImmediate for [u8; 16] {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for lane in self {
            write!(f, " {lane}")?;
        }
        Ok(())
    }
}

impl TextImmediate for BlockType {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockType::Empty => Ok(()),
            BlockType::Value(ty) => write!(f, " (result {ty})"),
            BlockType::Type(index) => write!(f, " (type {index})"),
        }
    }
}

impl TextImmediate for Box<BrTable> {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for label in self.labels.iter() {
            write!(f, " {label}")?;
        }
        write!(f, " {}", self.default)
    }
}

impl TextImmediate for HeapType {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {self}")
    }
}

impl TextImmediate for Box<[ValType]> {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" (result")?;
        for ty in self.iter() {
            write!(f, " {ty}")?;
        }
        f.write_str(")")
    }
}

/// One catch clause of `try_table`: which exceptions it catches and the
/// label it branches to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Catch {
    /// The clause's kind.
    pub kind: CatchKind,
    /// The tag caught (`catch` and `catch_ref`; 0 for the `catch_all` kinds).
    pub tag: u32,
    /// The label branched to, relative to the blocks around the `try_table`.
    pub label: u32,
}

/// The four kinds of catch clause (their encoding bytes 0 to 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatchKind {
    /// `catch x l` (0x00): the payload.
    Catch,
    /// `catch_ref x l` (0x01): the payload and the exnref.
    CatchRef,
    /// `catch_all l` (0x02): nothing.
    CatchAll,
    /// `catch_all_ref l` (0x03): the exnref.
    CatchAllRef,
}

impl CatchKind {
    /// Whether the clause catches one tag rather than every exception.
    pub const fn has_tag(self) -> bool {
        matches!(self, CatchKind::Catch | CatchKind::CatchRef)
    }

    /// Whether the clause also pushes the exception as an exnref.
    pub const fn pushes_ref(self) -> bool {
        matches!(self, CatchKind::CatchRef | CatchKind::CatchAllRef)
    }

    /// The clause's mnemonic.
    pub const fn name(self) -> &'static str {
        match self {
            CatchKind::Catch => "catch",
            CatchKind::CatchRef => "catch_ref",
            CatchKind::CatchAll => "catch_all",
            CatchKind::CatchAllRef => "catch_all_ref",
        }
    }
}

impl TextImmediate for Box<[Catch]> {
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for catch in self.iter() {
            write!(f, " ({}", catch.kind.name())?;
            if catch.kind.has_tag() {
                write!(f, " {}", catch.tag)?;
            }
            write!(f, " {})", catch.label)?;
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// Reads `br_on_cast`'s flags byte: bit 0 makes the source type
    /// nullable, bit 1 the target type.
    pub fn read_cast_flags(&mut self) -> Result<u8, DecodeError> {
        let offset = self.offset();
        match self.read_u8()? {
            flags @ 0..=3 => Ok(flags),
            _ => Err(DecodeError::new(offset, "invalid cast flags")),
        }
    }

    /// Reads `try_table`'s catch clauses.
    pub fn read_catches(&mut self) -> Result<Box<[Catch]>, DecodeError> {
        let catches = self.read_vec(2, |r| {
            let offset = r.offset();
            let kind = match r.read_u8()? {
                0x00 => CatchKind::Catch,
                0x01 => CatchKind::CatchRef,
                0x02 => CatchKind::CatchAll,
                0x03 => CatchKind::CatchAllRef,
                byte => {
                    return Err(DecodeError::new(
                        offset,
                        alloc::format!("malformed catch clause {byte:#04x}"),
                    ))
                }
            };
            let tag = if kind.has_tag() { r.read_var_u32()? } else { 0 };
            let label = r.read_var_u32()?;
            Ok(Catch { kind, tag, label })
        })?;
        Ok(catches.into_boxed_slice())
    }

    /// Reads a value type. Typed references (`0x63`/`0x64` and a heap
    /// type) need typed function references.
    pub fn read_valtype(&mut self, features: &Features) -> Result<ValType, DecodeError> {
        let offset = self.offset();
        let byte = self.read_u8()?;
        if let Some(ty) = ValType::from_byte(byte) {
            return Ok(ty);
        }
        self.rewind_to(offset);
        self.read_reftype(features)
            .map(ValType::Ref)
            .map_err(|e| match e.unsupported {
                Some(_) => e,
                None if e.offset == offset => {
                    DecodeError::new(offset, alloc::format!("malformed value type {byte:#04x}"))
                }
                None => e,
            })
    }

    /// Reads a reference type: `funcref` or `externref`, or with typed
    /// function references `(ref null? heaptype)` (`0x63`/`0x64`).
    pub fn read_reftype(&mut self, features: &Features) -> Result<RefType, DecodeError> {
        let offset = self.offset();
        let byte = self.read_u8()?;
        match byte {
            0x70 => Ok(RefType::FUNCREF),
            0x6F => Ok(RefType::EXTERNREF),
            0x63 | 0x64 if features.function_references => {
                let heap = self.read_heaptype(features)?;
                Ok(RefType::new(byte == 0x63, heap))
            }
            // `nullfuncref` and the rest: abbreviations of `(ref null ht)`.
            0x6A..=0x6E | 0x71..=0x73 if features.gc => {
                let heap = HeapType::from_byte(byte).unwrap_or(HeapType::NoFunc);
                Ok(RefType::new(true, heap))
            }
            0x69 if features.exceptions => Ok(RefType::EXNREF),
            0x74 if features.exceptions => Ok(RefType::new(true, HeapType::NoExn)),
            byte => Err(match UnsupportedProposal::of_type(byte) {
                Some(proposal) => DecodeError::unsupported(offset, proposal),
                None => DecodeError::new(
                    offset,
                    alloc::format!("malformed reference type {byte:#04x}"),
                ),
            }),
        }
    }

    /// Reads a heap type: an abstract one as a negative s33 (its byte), or a
    /// type index. Without typed function references only `func` and
    /// `extern` exist.
    pub fn read_heaptype(&mut self, features: &Features) -> Result<HeapType, DecodeError> {
        let offset = self.offset();
        let value = self.read_var_s33()?;
        if value >= 0 {
            if !features.function_references {
                return Err(DecodeError::unsupported(
                    offset,
                    UnsupportedProposal::FunctionReferences,
                ));
            }
            return u32::try_from(value)
                .map(HeapType::Concrete)
                .map_err(|_| DecodeError::new(offset, "malformed heap type"));
        }
        // One-byte encodings of -64..=-1 are the bytes 0x40..=0x7F.
        let byte = (value + 0x80) as u8;
        let heap = match (value >= -64).then(|| HeapType::from_byte(byte)).flatten() {
            Some(heap @ (HeapType::Func | HeapType::Extern)) => heap,
            Some(heap @ (HeapType::Exn | HeapType::NoExn)) if features.exceptions => heap,
            Some(heap) if features.gc && !matches!(heap, HeapType::Exn | HeapType::NoExn) => heap,
            _ => {
                return Err(match UnsupportedProposal::of_type(byte) {
                    Some(proposal) if value >= -64 => DecodeError::unsupported(offset, proposal),
                    _ => DecodeError::new(offset, "malformed heap type"),
                })
            }
        };
        Ok(heap)
    }

    /// Reads a memory index: a single zero byte in WebAssembly 2.0, a u32
    /// with multi-memory.
    pub fn read_memidx(&mut self, features: &Features) -> Result<u32, DecodeError> {
        if features.multi_memory {
            return self.read_var_u32();
        }
        let offset = self.offset();
        match self.read_u8()? {
            0 => Ok(0),
            _ => Err(DecodeError::new(offset, "zero byte expected")),
        }
    }

    /// Reads a 32-bit float's bits.
    pub fn read_ieee32(&mut self) -> Result<Ieee32, DecodeError> {
        Ok(Ieee32(u32::from_le_bytes(self.read_array()?)))
    }

    /// Reads a 64-bit float's bits.
    pub fn read_ieee64(&mut self) -> Result<Ieee64, DecodeError> {
        Ok(Ieee64(u64::from_le_bytes(self.read_array()?)))
    }

    /// Reads a 16-byte vector constant.
    pub fn read_v128(&mut self) -> Result<V128, DecodeError> {
        Ok(V128(u128::from_le_bytes(self.read_array()?)))
    }

    /// Reads the 16 lane indices of `i8x16.shuffle`.
    pub fn read_shuffle(&mut self) -> Result<[u8; 16], DecodeError> {
        self.read_array()
    }

    /// Reads a memarg. With multi-memory, bit 6 of the alignment field says
    /// a memory index follows it.
    #[inline(always)]
    pub fn read_memarg(&mut self, features: &Features) -> Result<MemArg, DecodeError> {
        let mut align = self.read_var_u32()?;
        let mut memory = 0;
        if features.multi_memory && align & MEMARG_HAS_MEMORY != 0 {
            align &= !MEMARG_HAS_MEMORY;
            memory = self.read_var_u32()?;
        }
        let offset = if features.memory64 {
            self.read_var_u64()?
        } else {
            u64::from(self.read_var_u32()?)
        };
        Ok(MemArg {
            align,
            offset,
            memory,
        })
    }

    /// Reads a block type: `0x40`, a value type, or a type index as s33.
    pub fn read_blocktype(&mut self, features: &Features) -> Result<BlockType, DecodeError> {
        let offset = self.offset();
        let first = self.read_u8()?;
        if first == 0x40 {
            return Ok(BlockType::Empty);
        }
        if let Some(ty) = ValType::from_byte(first) {
            return Ok(BlockType::Value(ty));
        }
        self.rewind_to(offset);
        if matches!(first, 0x63 | 0x64) || UnsupportedProposal::of_type(first).is_some() {
            return Ok(BlockType::Value(self.read_valtype(features)?));
        }
        // Anything else starts a non-negative s33 type index.
        let index = self.read_var_s33()?;
        if index < 0 || index > i64::from(u32::MAX) {
            return Err(DecodeError::new(offset, "malformed block type"));
        }
        Ok(BlockType::Type(index as u32))
    }

    /// Reads a `br_table`'s label vector and default label.
    pub fn read_br_table(&mut self) -> Result<BrTable, DecodeError> {
        let labels: Vec<u32> = self.read_vec(1, |r| r.read_var_u32())?;
        let default = self.read_var_u32()?;
        Ok(BrTable {
            labels: labels.into_boxed_slice(),
            default,
        })
    }

    /// Reads the value types of a typed `select`.
    pub fn read_valtypes(&mut self, features: &Features) -> Result<Box<[ValType]>, DecodeError> {
        Ok(self
            .read_vec(1, |r| r.read_valtype(features))?
            .into_boxed_slice())
    }
}
