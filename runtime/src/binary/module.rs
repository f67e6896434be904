//! The decoded module: every section of the binary format, not yet validated.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use super::instruction::Instruction;
use super::reader::{DecodeError, Reader, UnsupportedProposal};
use crate::features::Features;
use crate::types::{
    CompositeType, FieldType, FuncType, GlobalType, HeapType, Limits, MemoryType, RefType,
    StorageType, TableType, ValType, DEFAULT_PAGE_SIZE_LOG2,
};

/// A module as decoded from its binary form. Nothing has been validated yet.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The module's bytes; function bodies and data are ranges into them.
    pub bytes: Vec<u8>,
    /// The type section, recursion groups flattened: type index `i` is
    /// `types[i]`.
    pub types: Vec<CompositeType>,
    /// How each type of `types` was declared: its recursion group, whether
    /// it is final, its declared supertype (GC).
    pub subtypes: Vec<SubType>,
    /// The import section.
    pub imports: Vec<Import>,
    /// Type index of each function defined in the module (function section).
    pub functions: Vec<u32>,
    /// Tables defined in the module.
    pub tables: Vec<TableType>,
    /// The initialiser of each defined table (typed function references:
    /// `0x40 0x00 tabletype expr`); `None` fills the table with nulls.
    pub table_inits: Vec<Option<ConstExpr>>,
    /// Memories defined in the module.
    pub memories: Vec<MemoryType>,
    /// Globals defined in the module.
    pub globals: Vec<Global>,
    /// The tag section (exception handling): the type index of each tag
    /// defined in the module.
    pub tags: Vec<u32>,
    /// The export section.
    pub exports: Vec<Export>,
    /// The start function.
    pub start: Option<u32>,
    /// The element section.
    pub elements: Vec<Element>,
    /// The data count section.
    pub data_count: Option<u32>,
    /// The code section: one body per defined function.
    pub code: Vec<FunctionBody>,
    /// The data section.
    pub data: Vec<Data>,
    /// Names from the `name` custom section.
    pub names: Names,
    /// Every custom section: its name and the byte range of its contents.
    pub custom_sections: Vec<(String, Range<usize>)>,
}

/// How a type was declared: in which recursion group, final or not, and
/// under which supertype. A plain function type is final, has no
/// supertype, and is alone in its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubType {
    /// Index of the first type of its recursion group.
    pub group_start: u32,
    /// How many types the group has.
    pub group_len: u32,
    /// Whether no type may declare it as its supertype.
    pub is_final: bool,
    /// The declared supertype's index.
    pub supertype: Option<u32>,
}

impl Module {
    /// How type `index` was declared; a type the decoder did not record
    /// (a module built by hand) is a plain function type.
    pub fn subtype(&self, index: u32) -> SubType {
        self.subtypes
            .get(index as usize)
            .copied()
            .unwrap_or(SubType {
                group_start: index,
                group_len: 1,
                is_final: true,
                supertype: None,
            })
    }
}

/// An import: what the module needs from its host.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The module name.
    pub module: String,
    /// The field name.
    pub name: String,
    /// What is imported.
    pub kind: ImportKind,
}

/// The kind and type of an import.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImportKind {
    /// A function with this type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// An exception tag whose type is this type index.
    Tag(u32),
}

/// A global defined in the module.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Its type.
    pub ty: GlobalType,
    /// Its initialiser.
    pub init: ConstExpr,
}

/// An export.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The exported name.
    pub name: String,
    /// What is exported.
    pub kind: ExportKind,
    /// Index in the kind's index space.
    pub index: u32,
}

/// The kind of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
    /// An exception tag.
    Tag,
}

/// A constant expression (without its final `end`) and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstExpr {
    /// Its instructions.
    pub instructions: Vec<Instruction>,
    /// Byte offset of the first instruction.
    pub offset: usize,
}

/// An element segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    /// How it is used.
    pub mode: ElementMode,
    /// Its element type.
    pub ty: RefType,
    /// One constant expression per element (function indices become `ref.func`).
    pub items: Vec<ConstExpr>,
}

/// When an element segment is applied.
#[derive(Clone, Debug, PartialEq)]
pub enum ElementMode {
    /// Copied into a table at instantiation.
    Active {
        /// The table.
        table: u32,
        /// Where in the table.
        offset: ConstExpr,
    },
    /// Available to `table.init`.
    Passive,
    /// Only declares functions for `ref.func`.
    Declarative,
}

/// A data segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// How it is used.
    pub mode: DataMode,
    /// The bytes, as a range into [`Module::bytes`].
    pub range: Range<usize>,
}

/// When a data segment is applied.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    /// Copied into a memory at instantiation.
    Active {
        /// The memory.
        memory: u32,
        /// Where in the memory.
        offset: ConstExpr,
    },
    /// Available to `memory.init`.
    Passive,
}

/// A function body from the code section.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionBody {
    /// Declared locals, run-length encoded as in the binary.
    pub locals: Vec<(u32, ValType)>,
    /// The instructions' bytes, including the final `end`.
    pub code: Range<usize>,
}

/// Names from the `name` custom section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    /// The module's name.
    pub module: Option<String>,
    /// Function names by function index.
    pub functions: BTreeMap<u32, String>,
}

impl Module {
    /// Number of imported functions (they come first in the function index space).
    pub fn imported_funcs(&self) -> usize {
        self.imports
            .iter()
            .filter(|i| matches!(i.kind, ImportKind::Func(_)))
            .count()
    }

    /// Decodes the instructions of a function body, `end` included.
    pub fn body_instructions(
        &self,
        body: &FunctionBody,
        features: &Features,
    ) -> Result<Vec<(usize, Instruction)>, DecodeError> {
        let mut reader = Reader::with_base(&self.bytes[body.code.clone()], body.code.start);
        let mut out = Vec::new();
        while !reader.is_empty() {
            let offset = reader.offset();
            out.push((offset, Instruction::decode(&mut reader, features)?));
        }
        Ok(out)
    }
}

/// Section ids in the order they must come; the tag section (13) sits
/// between memories and globals.
const SECTION_ORDER: [u8; 13] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/// Decodes a module's bytes.
pub fn decode(bytes: &[u8], features: &Features) -> Result<Module, DecodeError> {
    let mut reader = Reader::new(bytes);
    // The spec reads the magic before comparing it: too few bytes for it are
    // an unexpected end, not a wrong magic (binary.wast).
    if reader.remaining() < 4 {
        return Err(DecodeError::new(bytes.len(), "unexpected end"));
    }
    if reader.read_array::<4>()? != *b"\0asm" {
        return Err(DecodeError::new(0, "magic header not detected"));
    }
    if reader.remaining() < 4 {
        return Err(DecodeError::new(4, "unexpected end"));
    }
    if reader.read_array::<4>()? != [1, 0, 0, 0] {
        return Err(DecodeError::new(4, "unknown binary version"));
    }
    let mut module = Module {
        bytes: bytes.to_vec(),
        ..Module::default()
    };
    let mut last_order = 0;
    let mut function_count: Option<usize> = None;
    while !reader.is_empty() {
        let id_offset = reader.offset();
        let id = reader.read_u8()?;
        let size = reader.read_var_u32()? as usize;
        let start = reader.offset();
        if reader.remaining() < size {
            return Err(reader.error("unexpected end: section size exceeds the module"));
        }
        let contents = reader.read_bytes(size)?;
        let mut section = Reader::with_base(contents, start);
        if id == 13 && !features.exceptions {
            return Err(DecodeError::unsupported(
                id_offset,
                UnsupportedProposal::ExceptionHandling,
            ));
        }
        if id != 0 {
            let order = SECTION_ORDER
                .iter()
                .position(|&s| s == id)
                .ok_or_else(|| DecodeError::new(id_offset, "malformed section id"))?
                + 1;
            if order <= last_order {
                return Err(DecodeError::new(
                    id_offset,
                    "unexpected content after last section",
                ));
            }
            last_order = order;
        }
        match id {
            0 => decode_custom(&mut section, &mut module)?,
            1 => (module.types, module.subtypes) = read_type_section(&mut section, features)?,
            2 => module.imports = section.read_vec(4, |r| read_import(r, features))?,
            3 => {
                module.functions = section.read_vec(1, |r| r.read_var_u32())?;
                function_count = Some(module.functions.len());
            }
            4 => {
                let tables = section.read_vec(3, |r| read_table(r, features))?;
                (module.tables, module.table_inits) = tables.into_iter().unzip();
            }
            5 => module.memories = section.read_vec(2, |r| read_memory_type(r, features))?,
            13 => module.tags = section.read_vec(2, read_tag_type)?,
            6 => {
                module.globals = section.read_vec(3, |r| {
                    let ty = read_global_type(r, features)?;
                    let init = read_const_expr(r, features)?;
                    Ok(Global { ty, init })
                })?
            }
            7 => module.exports = section.read_vec(3, read_export)?,
            8 => module.start = Some(section.read_var_u32()?),
            9 => module.elements = section.read_vec(2, |r| read_element(r, features))?,
            12 => module.data_count = Some(section.read_var_u32()?),
            10 => {
                module.code = section.read_vec(2, |r| read_function_body(r, features))?;
                if module.code.len() != function_count.unwrap_or(0) {
                    return Err(DecodeError::new(
                        start,
                        "function and code section have inconsistent lengths",
                    ));
                }
            }
            11 => {
                module.data = section.read_vec(2, |r| read_data(r, features))?;
                if let Some(count) = module.data_count {
                    if count as usize != module.data.len() {
                        return Err(DecodeError::new(
                            start,
                            "data count and data section have inconsistent lengths",
                        ));
                    }
                }
            }
            _ => unreachable!("section ids were checked against SECTION_ORDER"),
        }
        if !section.is_empty() {
            return Err(section.error("section size mismatch"));
        }
        let memories = module.memories.len()
            + module
                .imports
                .iter()
                .filter(|i| matches!(i.kind, ImportKind::Memory(_)))
                .count();
        if memories > 1 && !features.multi_memory {
            return Err(DecodeError::new(
                start,
                "multiple memories: the multi-memory proposal (WebAssembly 3.0) is not enabled",
            ));
        }
    }
    if module.code.len() != module.functions.len() {
        return Err(DecodeError::new(
            bytes.len(),
            "function and code section have inconsistent lengths",
        ));
    }
    if module.data.is_empty() {
        if let Some(count) = module.data_count {
            if count != 0 {
                return Err(DecodeError::new(
                    bytes.len(),
                    "data count and data section have inconsistent lengths",
                ));
            }
        }
    }
    Ok(module)
}

fn decode_custom(section: &mut Reader<'_>, module: &mut Module) -> Result<(), DecodeError> {
    let name = section.read_name()?;
    let start = section.offset();
    let contents = section.read_bytes(section.remaining())?;
    if name == "name" {
        // A malformed name section is ignored, as the spec allows for custom sections.
        if let Ok(names) = read_names(&mut Reader::with_base(contents, start)) {
            module.names = names;
        }
    }
    module
        .custom_sections
        .push((name, start..start + contents.len()));
    Ok(())
}

fn read_names(reader: &mut Reader<'_>) -> Result<Names, DecodeError> {
    let mut names = Names::default();
    while !reader.is_empty() {
        let id = reader.read_u8()?;
        let size = reader.read_var_u32()? as usize;
        let start = reader.offset();
        let mut sub = Reader::with_base(reader.read_bytes(size)?, start);
        match id {
            0 => names.module = Some(sub.read_name()?),
            1 => {
                let count = sub.read_count(2)?;
                for _ in 0..count {
                    let index = sub.read_var_u32()?;
                    let name = sub.read_name()?;
                    names.functions.insert(index, name);
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

/// Reads the type section: each entry a recursion group (`0x4E`, GC) or a
/// single type, flattened into the types and how each was declared.
fn read_type_section(
    section: &mut Reader<'_>,
    features: &Features,
) -> Result<(Vec<CompositeType>, Vec<SubType>), DecodeError> {
    let groups = section.read_count(1)?;
    let mut types = Vec::new();
    let mut subtypes = Vec::new();
    for _ in 0..groups {
        let offset = section.offset();
        let group_start = types.len() as u32;
        let count = if section.peek_u8() == Some(0x4E) && features.gc {
            section.read_u8()?;
            section.read_count(1)?
        } else {
            1
        };
        let group_len = count;
        if u64::from(group_start) + u64::from(count) > u64::from(u32::MAX) {
            return Err(DecodeError::new(offset, "too many types"));
        }
        for _ in 0..count {
            let (is_final, supertype) = read_sub_header(section, features)?;
            types.push(read_composite_type(section, features)?);
            subtypes.push(SubType {
                group_start,
                group_len,
                is_final,
                supertype,
            });
        }
    }
    Ok((types, subtypes))
}

/// Reads `0x50`/`0x4F` (a non-final or final subtype) and its supertype, if
/// there; a type without them is final and has none.
fn read_sub_header(
    reader: &mut Reader<'_>,
    features: &Features,
) -> Result<(bool, Option<u32>), DecodeError> {
    let offset = reader.offset();
    let is_final = match reader.peek_u8() {
        Some(0x50) if features.gc => false,
        Some(0x4F) if features.gc => true,
        _ => return Ok((true, None)),
    };
    reader.read_u8()?;
    let supertypes = reader.read_vec(1, |r| r.read_var_u32())?;
    match supertypes[..] {
        [] => Ok((is_final, None)),
        [supertype] => Ok((is_final, Some(supertype))),
        _ => Err(DecodeError::new(offset, "multiple supertypes")),
    }
}

/// Reads a function (`0x60`), struct (`0x5F`, GC) or array (`0x5E`, GC) type.
fn read_composite_type(
    reader: &mut Reader<'_>,
    features: &Features,
) -> Result<CompositeType, DecodeError> {
    let offset = reader.offset();
    match reader.read_u8()? {
        0x60 => {
            let params = reader.read_vec(1, |r| r.read_valtype(features))?;
            let results = reader.read_vec(1, |r| r.read_valtype(features))?;
            Ok(CompositeType::Func(FuncType::new(params, results)))
        }
        0x5f if features.gc => {
            let fields = reader.read_vec(2, |r| read_field_type(r, features))?;
            Ok(CompositeType::Struct(fields.into_boxed_slice()))
        }
        0x5e if features.gc => Ok(CompositeType::Array(read_field_type(reader, features)?)),
        // Recursive and sub types, struct and array types without GC.
        0x4e | 0x4f | 0x50 | 0x5e | 0x5f => {
            Err(DecodeError::unsupported(offset, UnsupportedProposal::Gc))
        }
        _ => Err(DecodeError::new(
            offset,
            "integer representation too long: expected function type 0x60",
        )),
    }
}

/// Reads a field type: a storage type (a value type, or `i8` 0x78 / `i16`
/// 0x77), then its mutability (0x00 or 0x01).
fn read_field_type(reader: &mut Reader<'_>, features: &Features) -> Result<FieldType, DecodeError> {
    let storage = match reader.peek_u8() {
        Some(0x78) => {
            reader.read_u8()?;
            StorageType::I8
        }
        Some(0x77) => {
            reader.read_u8()?;
            StorageType::I16
        }
        _ => StorageType::Val(reader.read_valtype(features)?),
    };
    let offset = reader.offset();
    let mutable = match reader.read_u8()? {
        0 => false,
        1 => true,
        _ => return Err(DecodeError::new(offset, "malformed mutability")),
    };
    Ok(FieldType { storage, mutable })
}

/// Reads limits: a flags byte (bit 0: a maximum follows, bit 1: shared,
/// bit 2: 64-bit), then the minimum and maximum. Returns them and whether
/// they are 64-bit; see [`read_limits_after`] for `memory64`.
fn read_limits(reader: &mut Reader<'_>, memory64: bool) -> Result<(Limits, bool), DecodeError> {
    let offset = reader.offset();
    let flags = reader.read_u8()?;
    read_limits_after(reader, offset, flags, memory64)
}

/// The limits after their flags byte `flags` (read at `offset`), which
/// must be 0x00 (no maximum), 0x01 (maximum), or with memory64 those plus
/// 0x04 and 0x05 (64-bit). Returns the limits and whether they are 64-bit.
///
/// With memory64 (WebAssembly 3.0) every minimum and maximum is a u64 LEB,
/// those of 32-bit tables and memories too: a value past the index type's
/// range is a validation error ("invalid"), not a malformed module, and
/// only an encoding that is not a u64 LEB is malformed. WebAssembly 2.0
/// reads u32 LEBs.
fn read_limits_after(
    reader: &mut Reader<'_>,
    offset: usize,
    flags: u8,
    memory64: bool,
) -> Result<(Limits, bool), DecodeError> {
    let read = |reader: &mut Reader<'_>| match memory64 {
        true => reader.read_var_u64(),
        false => reader.read_var_u32().map(u64::from),
    };
    match flags {
        0x00 | 0x01 => {
            let min = read(reader)?;
            let max = match flags {
                0x01 => Some(read(reader)?),
                _ => None,
            };
            Ok((Limits { min, max }, false))
        }
        0x04 | 0x05 if memory64 => {
            let min = reader.read_var_u64()?;
            let max = match flags {
                0x05 => Some(reader.read_var_u64()?),
                _ => None,
            };
            Ok((Limits { min, max }, true))
        }
        // Shared limits (32-bit, or 64-bit with memory64), then 64-bit ones.
        0x02 | 0x03 => Err(DecodeError::unsupported(
            offset,
            UnsupportedProposal::Threads,
        )),
        0x06 | 0x07 if memory64 => Err(DecodeError::unsupported(
            offset,
            UnsupportedProposal::Threads,
        )),
        0x04..=0x07 => Err(DecodeError::unsupported(
            offset,
            UnsupportedProposal::Memory64,
        )),
        _ => Err(DecodeError::new(
            offset,
            "integer too large: malformed limits flags",
        )),
    }
}

fn read_table_type(reader: &mut Reader<'_>, features: &Features) -> Result<TableType, DecodeError> {
    let element = reader.read_reftype(features)?;
    let (limits, table64) = read_limits(reader, features.memory64)?;
    Ok(TableType {
        element,
        limits,
        table64,
    })
}

/// Reads a table of the table section: its type, after `0x40 0x00` also
/// an initialiser expression.
fn read_table(
    reader: &mut Reader<'_>,
    features: &Features,
) -> Result<(TableType, Option<ConstExpr>), DecodeError> {
    let offset = reader.offset();
    if reader.read_u8()? == 0x40 {
        if !features.function_references {
            return Err(DecodeError::unsupported(
                offset,
                UnsupportedProposal::FunctionReferences,
            ));
        }
        let reserved = reader.offset();
        if reader.read_u8()? != 0x00 {
            return Err(DecodeError::new(reserved, "malformed table"));
        }
        let ty = read_table_type(reader, features)?;
        let init = read_const_expr(reader, features)?;
        return Ok((ty, Some(init)));
    }
    reader.rewind_to(offset);
    Ok((read_table_type(reader, features)?, None))
}

fn read_memory_type(
    reader: &mut Reader<'_>,
    features: &Features,
) -> Result<MemoryType, DecodeError> {
    let offset = reader.offset();
    let flags = reader.read_u8()?;
    // Bit 3 (custom-page-sizes): a page size exponent follows the limits.
    let custom_page_size = flags & 0x08 != 0 && features.custom_page_sizes;
    let limit_flags = if custom_page_size {
        flags & !0x08
    } else {
        flags
    };
    let (limits, memory64) = read_limits_after(reader, offset, limit_flags, features.memory64)?;
    let mut page_size_log2 = DEFAULT_PAGE_SIZE_LOG2;
    if custom_page_size {
        let at = reader.offset();
        // A page size of 2^65 or more is not a 64-bit number: malformed.
        // Other sizes than 1 and 64 KiB are a validation error.
        page_size_log2 = u8::try_from(reader.read_var_u32()?)
            .ok()
            .filter(|log2| *log2 <= 64)
            .ok_or_else(|| DecodeError::new(at, "invalid custom page size"))?;
    }
    Ok(MemoryType {
        limits,
        memory64,
        page_size_log2,
    })
}

fn read_global_type(
    reader: &mut Reader<'_>,
    features: &Features,
) -> Result<GlobalType, DecodeError> {
    let content = reader.read_valtype(features)?;
    let offset = reader.offset();
    let mutable = match reader.read_u8()? {
        0 => false,
        1 => true,
        _ => return Err(DecodeError::new(offset, "malformed mutability")),
    };
    Ok(GlobalType { content, mutable })
}

fn read_import(reader: &mut Reader<'_>, features: &Features) -> Result<Import, DecodeError> {
    let module = reader.read_name()?;
    let name = reader.read_name()?;
    let offset = reader.offset();
    let kind = match reader.read_u8()? {
        0x00 => ImportKind::Func(reader.read_var_u32()?),
        0x01 => ImportKind::Table(read_table_type(reader, features)?),
        0x02 => ImportKind::Memory(read_memory_type(reader, features)?),
        0x03 => ImportKind::Global(read_global_type(reader, features)?),
        0x04 if features.exceptions => ImportKind::Tag(read_tag_type(reader)?),
        0x04 => {
            return Err(DecodeError::unsupported(
                offset,
                UnsupportedProposal::ExceptionHandling,
            ))
        }
        _ => return Err(DecodeError::new(offset, "malformed import kind")),
    };
    Ok(Import { module, name, kind })
}

/// Reads a tag type: the attribute byte 0 (an exception) and the type
/// index of its function type.
fn read_tag_type(reader: &mut Reader<'_>) -> Result<u32, DecodeError> {
    let offset = reader.offset();
    if reader.read_u8()? != 0 {
        return Err(DecodeError::new(offset, "malformed tag attribute"));
    }
    reader.read_var_u32()
}

fn read_export(reader: &mut Reader<'_>) -> Result<Export, DecodeError> {
    let name = reader.read_name()?;
    let offset = reader.offset();
    let kind = match reader.read_u8()? {
        0x00 => ExportKind::Func,
        0x01 => ExportKind::Table,
        0x02 => ExportKind::Memory,
        0x03 => ExportKind::Global,
        0x04 => ExportKind::Tag,
        _ => return Err(DecodeError::new(offset, "malformed export kind")),
    };
    let index = reader.read_var_u32()?;
    Ok(Export { name, kind, index })
}

/// Reads instructions up to the `end` that closes the expression.
fn read_const_expr(reader: &mut Reader<'_>, features: &Features) -> Result<ConstExpr, DecodeError> {
    let offset = reader.offset();
    let mut instructions = Vec::new();
    let mut depth = 0usize;
    loop {
        let instruction = Instruction::decode(reader, features)?;
        match instruction {
            Instruction::Block { .. }
            | Instruction::Loop { .. }
            | Instruction::If { .. }
            | Instruction::TryTable { .. } => depth += 1,
            Instruction::End if depth == 0 => {
                return Ok(ConstExpr {
                    instructions,
                    offset,
                })
            }
            Instruction::End => depth -= 1,
            _ => {}
        }
        instructions.push(instruction);
    }
}

fn func_index_exprs(reader: &mut Reader<'_>) -> Result<Vec<ConstExpr>, DecodeError> {
    reader.read_vec(1, |r| {
        let offset = r.offset();
        let funcidx = r.read_var_u32()?;
        Ok(ConstExpr {
            instructions: alloc::vec![Instruction::RefFunc { funcidx }],
            offset,
        })
    })
}

fn read_element(reader: &mut Reader<'_>, features: &Features) -> Result<Element, DecodeError> {
    let offset = reader.offset();
    let flags = reader.read_var_u32()?;
    // A list of function indices holds `(ref func)` in WebAssembly 3.0,
    // `funcref` before typed references.
    let funcs = match features.function_references {
        true => RefType::new(false, HeapType::Func),
        false => RefType::FUNCREF,
    };
    let elemkind = |r: &mut Reader<'_>| -> Result<RefType, DecodeError> {
        let offset = r.offset();
        match r.read_u8()? {
            0x00 => Ok(funcs),
            _ => Err(DecodeError::new(offset, "malformed element kind")),
        }
    };
    let (mode, ty, items) = match flags {
        0 => {
            let offset = read_const_expr(reader, features)?;
            let items = func_index_exprs(reader)?;
            (ElementMode::Active { table: 0, offset }, funcs, items)
        }
        1 => {
            let ty = elemkind(reader)?;
            (ElementMode::Passive, ty, func_index_exprs(reader)?)
        }
        2 => {
            let table = reader.read_var_u32()?;
            let offset = read_const_expr(reader, features)?;
            let ty = elemkind(reader)?;
            (
                ElementMode::Active { table, offset },
                ty,
                func_index_exprs(reader)?,
            )
        }
        3 => {
            let ty = elemkind(reader)?;
            (ElementMode::Declarative, ty, func_index_exprs(reader)?)
        }
        4 => {
            let offset = read_const_expr(reader, features)?;
            let items = reader.read_vec(1, |r| read_const_expr(r, features))?;
            (
                ElementMode::Active { table: 0, offset },
                RefType::FUNCREF,
                items,
            )
        }
        5 => {
            let ty = reader.read_reftype(features)?;
            let items = reader.read_vec(1, |r| read_const_expr(r, features))?;
            (ElementMode::Passive, ty, items)
        }
        6 => {
            let table = reader.read_var_u32()?;
            let offset = read_const_expr(reader, features)?;
            let ty = reader.read_reftype(features)?;
            let items = reader.read_vec(1, |r| read_const_expr(r, features))?;
            (ElementMode::Active { table, offset }, ty, items)
        }
        7 => {
            let ty = reader.read_reftype(features)?;
            let items = reader.read_vec(1, |r| read_const_expr(r, features))?;
            (ElementMode::Declarative, ty, items)
        }
        _ => return Err(DecodeError::new(offset, "malformed elements segment kind")),
    };
    Ok(Element { mode, ty, items })
}

fn read_data(reader: &mut Reader<'_>, features: &Features) -> Result<Data, DecodeError> {
    let offset = reader.offset();
    let flags = reader.read_var_u32()?;
    let mode = match flags {
        0 => DataMode::Active {
            memory: 0,
            offset: read_const_expr(reader, features)?,
        },
        1 => DataMode::Passive,
        2 => {
            let memory = reader.read_var_u32()?;
            DataMode::Active {
                memory,
                offset: read_const_expr(reader, features)?,
            }
        }
        _ => return Err(DecodeError::new(offset, "malformed data segment kind")),
    };
    let len = reader.read_var_u32()? as usize;
    let start = reader.offset();
    reader.read_bytes(len)?;
    Ok(Data {
        mode,
        range: start..start + len,
    })
}

fn read_function_body(
    reader: &mut Reader<'_>,
    features: &Features,
) -> Result<FunctionBody, DecodeError> {
    let size = reader.read_var_u32()? as usize;
    let start = reader.offset();
    let bytes = reader.read_bytes(size)?;
    let mut body = Reader::with_base(bytes, start);
    let mut total: u64 = 0;
    let locals = body.read_vec(2, |r| {
        let count = r.read_var_u32()?;
        let ty = r.read_valtype(features)?;
        total += u64::from(count);
        if total > u64::from(u32::MAX) {
            return Err(r.error("too many locals"));
        }
        Ok((count, ty))
    })?;
    let code_start = body.offset();
    if code_start == start + size {
        return Err(body.error("unexpected end of section or function"));
    }
    if bytes.last() != Some(&0x0B) {
        return Err(DecodeError::new(start + size, "END opcode expected"));
    }
    Ok(FunctionBody {
        locals,
        code: code_start..start + size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_magic_is_an_unexpected_end() {
        let features = Features::default();
        for bytes in [&b""[..], b"\x01", b"\0as"] {
            let err = decode(bytes, &features).unwrap_err();
            assert_eq!(err.message, "unexpected end", "{bytes:?}");
        }
        let err = decode(b"asm\0", &features).unwrap_err();
        assert_eq!(err.message, "magic header not detected");
    }
}
