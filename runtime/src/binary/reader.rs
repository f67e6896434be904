//! A cursor over module bytes: LEB128, fixed-width values, names, and errors
//! that carry the byte offset where decoding failed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::features::{Features, Proposal};

/// A WebAssembly proposal whose encodings the decoder recognises but
/// Tabula does not implement, or that the engine's features leave off
/// (strict 2.0 mode): a module using one is refused by name, not as
/// malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnsupportedProposal {
    /// The legacy `try`/`catch`/`delegate` instructions, which WebAssembly
    /// 3.0 replaced; with exception handling off also the tag section, tag
    /// imports and `exnref`.
    ExceptionHandling,
    /// memory64's 64-bit memories and tables (limits flags 0x04 to 0x07),
    /// when the engine's features leave memory64 off (WebAssembly 2.0).
    Memory64,
    /// Typed function references' `(ref null? ht)` types and table
    /// initialisers, with the proposal off.
    FunctionReferences,
    /// Garbage collection, with the proposal off (WebAssembly 2.0): the
    /// 0xFB instructions, `ref.eq`, struct and array types, recursive and
    /// sub types and the GC heap types.
    Gc,
    /// Threads: the 0xFE atomics and shared memories.
    Threads,
}

impl UnsupportedProposal {
    /// The proposal's name, as the sentence "NAME is not supported" uses it.
    pub const fn name(self) -> &'static str {
        match self {
            UnsupportedProposal::ExceptionHandling => "exception handling",
            UnsupportedProposal::Memory64 => "64-bit memories and tables (memory64)",
            UnsupportedProposal::FunctionReferences => "typed function references",
            UnsupportedProposal::Gc => "garbage collection (GC)",
            UnsupportedProposal::Threads => "threads and atomics",
        }
    }

    /// The standard the proposal became part of, if any yet.
    pub const fn standard(self) -> Option<&'static str> {
        match self {
            UnsupportedProposal::Threads => None,
            _ => Some("WebAssembly 3.0"),
        }
    }

    /// Whether its name reads as a plural ("multiple memories are").
    const fn plural(self) -> bool {
        matches!(
            self,
            UnsupportedProposal::FunctionReferences
                | UnsupportedProposal::Threads
                | UnsupportedProposal::Memory64
        )
    }

    /// The proposal an opcode the table does not know belongs to, if any.
    pub const fn of_opcode(prefix: Option<u8>, code: u32) -> Option<Self> {
        use UnsupportedProposal::*;
        Some(match (prefix, code) {
            (None, 0x06 | 0x07 | 0x09 | 0x18 | 0x19) => ExceptionHandling,
            (None, 0xd3 | 0xfb) => Gc,
            (None, 0xfe) => Threads,
            _ => return None,
        })
    }

    /// The proposal a value, reference or heap type byte belongs to, if any.
    pub const fn of_type(byte: u8) -> Option<Self> {
        use UnsupportedProposal::*;
        Some(match byte {
            0x63 | 0x64 => FunctionReferences,
            0x69 | 0x74 => ExceptionHandling,
            0x6a..=0x6e | 0x71..=0x73 => Gc,
            _ => return None,
        })
    }
}

impl fmt::Display for UnsupportedProposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Some(standard) = self.standard() {
            write!(f, " ({standard})")?;
        }
        let verb = if self.plural() { "are" } else { "is" };
        write!(f, " {verb} not supported")
    }
}

/// A malformed module, or one that uses a proposal Tabula does not
/// implement: what was wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset from the start of the module.
    pub offset: usize,
    /// What was wrong, in the spec testsuite's wording where it has one.
    pub message: String,
    /// The proposal the bytes belong to, when they are well-formed under a
    /// proposal Tabula does not implement rather than malformed.
    pub unsupported: Option<UnsupportedProposal>,
}

impl DecodeError {
    /// A decode error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        DecodeError {
            offset,
            message: message.into(),
            unsupported: None,
        }
    }

    /// Bytes at `offset` that use `proposal`.
    pub fn unsupported(offset: usize, proposal: UnsupportedProposal) -> Self {
        DecodeError {
            offset,
            message: alloc::format!("{proposal}"),
            unsupported: Some(proposal),
        }
    }

    /// An opcode the table does not know: named by its proposal when it
    /// belongs to one.
    pub fn illegal_opcode(offset: usize, prefix: Option<u8>, code: u32) -> Self {
        if let Some(proposal) = UnsupportedProposal::of_opcode(prefix, code) {
            return DecodeError::unsupported(offset, proposal);
        }
        let message = match prefix {
            Some(prefix) => alloc::format!("illegal opcode {prefix:#04x} {code:#x}"),
            None => alloc::format!("illegal opcode {code:#04x}"),
        };
        DecodeError::new(offset, message)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl core::error::Error for DecodeError {}

/// Reads module bytes front to back. Offsets are absolute within the module.
#[derive(Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    /// Offset of `bytes[0]` within the module.
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole module.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            position: 0,
            base: 0,
        }
    }

    /// A reader over `bytes`, which start at `base` within the module.
    pub fn with_base(bytes: &'a [u8], base: usize) -> Self {
        Reader {
            bytes,
            position: 0,
            base,
        }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> usize {
        self.base + self.position
    }

    /// Moves back to an absolute `offset` already read.
    pub(super) fn rewind_to(&mut self, offset: usize) {
        debug_assert!(offset >= self.base && offset <= self.offset());
        self.position = offset - self.base;
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.position >= self.bytes.len()
    }

    /// Bytes left to read.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// An error at the current offset.
    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError::new(self.offset(), message)
    }

    fn unexpected_end(&self) -> DecodeError {
        self.error("unexpected end")
    }

    /// Reads one byte.
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        let byte = *self
            .bytes
            .get(self.position)
            .ok_or_else(|| self.unexpected_end())?;
        self.position += 1;
        Ok(byte)
    }

    /// The next byte, without reading it.
    pub fn peek_u8(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    /// Reads `len` raw bytes.
    pub fn read_bytes(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < len {
            return Err(self.unexpected_end());
        }
        let slice = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(slice)
    }

    /// Reads `N` raw bytes into an array.
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let slice = self.read_bytes(N)?;
        let mut out = [0; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    /// Reads an unsigned LEB128 of at most `bits` bits, rejecting overlong encodings.
    fn read_var_unsigned(&mut self, bits: u32) -> Result<u64, DecodeError> {
        let mut result: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = self.read_u8()?;
            let payload = u64::from(byte & 0x7F);
            let remaining_bits = bits - shift;
            if remaining_bits < 7 {
                // The last byte may only use the bits that are left, and may not continue.
                if byte & 0x80 != 0 {
                    return Err(self.error("integer representation too long"));
                }
                if payload >> remaining_bits != 0 {
                    return Err(self.error("integer too large"));
                }
            }
            result |= payload << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
            if shift >= bits {
                return Err(self.error("integer representation too long"));
            }
        }
    }

    /// Reads a signed LEB128 of at most `bits` bits, rejecting overlong encodings.
    fn read_var_signed(&mut self, bits: u32) -> Result<i64, DecodeError> {
        let mut result: i64 = 0;
        let mut shift = 0;
        loop {
            let byte = self.read_u8()?;
            let payload = i64::from(byte & 0x7F);
            let remaining_bits = bits - shift;
            if remaining_bits < 7 {
                if byte & 0x80 != 0 {
                    return Err(self.error("integer representation too long"));
                }
                // The sign bit and the unused bits above it must all be equal.
                let sign_and_unused = (byte & 0x7F) >> (remaining_bits - 1);
                if sign_and_unused != 0 && sign_and_unused != 0x7F >> (remaining_bits - 1) {
                    return Err(self.error("integer too large"));
                }
            }
            result |= payload << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    result |= -1i64 << shift;
                }
                return Ok(result);
            }
            if shift >= bits {
                return Err(self.error("integer representation too long"));
            }
        }
    }

    /// Reads a `u32` LEB128.
    #[inline]
    pub fn read_var_u32(&mut self) -> Result<u32, DecodeError> {
        // Most indices, offsets and alignments fit in one byte.
        if let Some(&byte) = self.bytes.get(self.position) {
            if byte & 0x80 == 0 {
                self.position += 1;
                return Ok(u32::from(byte));
            }
        }
        self.read_var_unsigned(32).map(|v| v as u32)
    }

    /// Reads a `u64` LEB128 (memory64 limits and memarg offsets).
    #[inline]
    pub fn read_var_u64(&mut self) -> Result<u64, DecodeError> {
        // Most memarg offsets fit in one byte.
        if let Some(&byte) = self.bytes.get(self.position) {
            if byte & 0x80 == 0 {
                self.position += 1;
                return Ok(u64::from(byte));
            }
        }
        self.read_var_unsigned(64)
    }

    /// Reads an `i32` LEB128.
    #[inline]
    pub fn read_var_i32(&mut self) -> Result<i32, DecodeError> {
        match self.read_small_signed() {
            Some(value) => Ok(value as i32),
            None => self.read_var_signed(32).map(|v| v as i32),
        }
    }

    /// Reads an `i64` LEB128.
    #[inline]
    pub fn read_var_i64(&mut self) -> Result<i64, DecodeError> {
        match self.read_small_signed() {
            Some(value) => Ok(value),
            None => self.read_var_signed(64),
        }
    }

    /// A signed LEB128 that fits in one byte (most constants do), if the
    /// next one is.
    #[inline]
    fn read_small_signed(&mut self) -> Option<i64> {
        let byte = *self.bytes.get(self.position)?;
        if byte & 0x80 != 0 {
            return None;
        }
        self.position += 1;
        // Bit 6 is the sign: shift it to the top and back.
        Some(i64::from((byte << 1) as i8 >> 1))
    }

    /// Reads a signed 33-bit LEB128 (block type indices).
    pub fn read_var_s33(&mut self) -> Result<i64, DecodeError> {
        self.read_var_signed(33)
    }

    /// Reads a vector length, refusing counts that cannot fit in the remaining
    /// bytes (each element takes at least `min_element_size` bytes), so no
    /// allocation is ever sized by an unchecked count.
    pub fn read_count(&mut self, min_element_size: usize) -> Result<u32, DecodeError> {
        let offset = self.offset();
        let count = self.read_var_u32()?;
        if (count as usize).saturating_mul(min_element_size.max(1)) > self.remaining() {
            return Err(DecodeError::new(
                offset,
                alloc::format!("unexpected end: count {count} exceeds the remaining bytes"),
            ));
        }
        Ok(count)
    }

    /// Reads a UTF-8 name.
    pub fn read_name(&mut self) -> Result<String, DecodeError> {
        let len = self.read_var_u32()? as usize;
        let offset = self.offset();
        let bytes = self.read_bytes(len)?;
        core::str::from_utf8(bytes)
            .map(String::from)
            .map_err(|_| DecodeError::new(offset, "malformed UTF-8 encoding"))
    }

    /// Reads a vector, calling `item` for each element.
    pub fn read_vec<T>(
        &mut self,
        min_element_size: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let count = self.read_count(min_element_size)?;
        let mut out = Vec::with_capacity(count as usize);
        for _ in 0..count {
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// Fails unless `proposal` is enabled.
    pub fn require(
        &self,
        features: &Features,
        proposal: Proposal,
        offset: usize,
    ) -> Result<(), DecodeError> {
        features.require(proposal, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb_u32_limits() {
        assert_eq!(
            Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
                .read_var_u32()
                .unwrap(),
            u32::MAX
        );
        let err = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
            .read_var_u32()
            .unwrap_err();
        assert_eq!(err.message, "integer too large");
        let err = Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])
            .read_var_u32()
            .unwrap_err();
        assert_eq!(err.message, "integer representation too long");
        // Overlong but within five bytes is allowed.
        assert_eq!(Reader::new(&[0x80, 0x00]).read_var_u32().unwrap(), 0);
    }

    #[test]
    fn leb_signed() {
        assert_eq!(Reader::new(&[0x7F]).read_var_i32().unwrap(), -1);
        assert_eq!(
            Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x78])
                .read_var_i32()
                .unwrap(),
            i32::MIN
        );
        assert!(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x70])
            .read_var_i32()
            .is_err());
        assert_eq!(
            Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
                .read_var_i64()
                .unwrap(),
            -1
        );
        assert!(
            Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F])
                .read_var_i64()
                .is_err()
        );
    }

    #[test]
    fn truncated_input_reports_offset() {
        let err = Reader::with_base(&[0x80], 10).read_var_u32().unwrap_err();
        assert_eq!(err.offset, 11);
        assert_eq!(err.message, "unexpected end");
    }

    #[test]
    fn huge_count_is_refused_before_allocating() {
        let err = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00])
            .read_vec(1, |r| r.read_u8())
            .unwrap_err();
        assert!(err.message.starts_with("unexpected end"));
    }
}
