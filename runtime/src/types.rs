//! WebAssembly's types: value, reference, function, table, memory and global types.

use alloc::boxed::Box;
use core::fmt;

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
    /// 128-bit vector.
    V128,
    /// Nullable reference to a function.
    FuncRef,
    /// Nullable reference to a host object.
    ExternRef,
    /// Nullable reference to an exception (exception handling, WebAssembly
    /// 3.0): opaque to the host.
    ExnRef,
}

impl ValType {
    /// True for `funcref`, `externref` and `exnref`.
    pub const fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }

    /// How many 64-bit stack slots a value of this type takes.
    pub const fn slots(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// The binary encoding of the type.
    pub const fn from_byte(byte: u8) -> Option<ValType> {
        Some(match byte {
            0x7F => ValType::I32,
            0x7E => ValType::I64,
            0x7D => ValType::F32,
            0x7C => ValType::F64,
            0x7B => ValType::V128,
            0x70 => ValType::FuncRef,
            0x6F => ValType::ExternRef,
            0x69 => ValType::ExnRef,
            _ => return None,
        })
    }
}

impl From<RefType> for ValType {
    fn from(ty: RefType) -> ValType {
        match ty {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
            RefType::ExnRef => ValType::ExnRef,
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        })
    }
}

/// A reference type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefType {
    /// `funcref`
    FuncRef,
    /// `externref`
    ExternRef,
    /// `exnref` (exception handling)
    ExnRef,
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefType::FuncRef => "func",
            RefType::ExternRef => "extern",
            RefType::ExnRef => "exn",
        })
    }
}

/// A function type: parameters and results.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct FuncType {
    params: Box<[ValType]>,
    results: Box<[ValType]>,
}

impl FuncType {
    /// A function type from its parameter and result types.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }

    /// Parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    /// Result types.
    pub fn results(&self) -> &[ValType] {
        &self.results
    }

    /// Stack slots taken by the parameters.
    pub fn param_slots(&self) -> u32 {
        self.params.iter().map(|t| t.slots()).sum()
    }

    /// Stack slots taken by the results.
    pub fn result_slots(&self) -> u32 {
        self.results.iter().map(|t| t.slots()).sum()
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params.is_empty() {
            f.write_str(" (param")?;
            for p in self.params.iter() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results.is_empty() {
            f.write_str(" (result")?;
            for r in self.results.iter() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// Size limits of a table (in elements) or memory (in pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Initial size.
    pub min: u64,
    /// Maximum size, if any.
    pub max: Option<u64>,
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        Ok(())
    }
}

/// A table type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    /// What the table holds.
    pub element: RefType,
    /// Size limits in elements.
    pub limits: Limits,
}

impl TableType {
    /// A table of `element`s, `minimum` long, growable to `maximum`
    /// (wasmtime's constructor).
    pub fn new(element: RefType, minimum: u32, maximum: Option<u32>) -> Self {
        TableType {
            element,
            limits: Limits {
                min: minimum.into(),
                max: maximum.map(u64::from),
            },
        }
    }
}

/// Log2 of the default page size: 64 KiB pages.
pub const DEFAULT_PAGE_SIZE_LOG2: u8 = 16;

/// A memory type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Size limits in pages of [`MemoryType::page_size`] bytes.
    pub limits: Limits,
    /// Whether addresses are 64-bit (memory64, WebAssembly 3.0): `i64`
    /// operands for loads, stores and the `memory.*` instructions.
    pub memory64: bool,
    /// Log2 of the page size in bytes (custom-page-sizes, WebAssembly 3.0):
    /// [`DEFAULT_PAGE_SIZE_LOG2`] (64 KiB) unless the type says otherwise;
    /// 0 (1-byte pages) is the only other valid value.
    pub page_size_log2: u8,
}

impl MemoryType {
    /// A 32-bit memory of `minimum` pages, growable to `maximum`
    /// (wasmtime's constructor).
    pub fn new(minimum: u32, maximum: Option<u32>) -> Self {
        MemoryType {
            limits: Limits {
                min: minimum.into(),
                max: maximum.map(u64::from),
            },
            memory64: false,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// A 64-bit memory of `minimum` pages, growable to `maximum`
    /// (wasmtime's constructor).
    pub fn new64(minimum: u64, maximum: Option<u64>) -> Self {
        MemoryType {
            limits: Limits {
                min: minimum,
                max: maximum,
            },
            memory64: true,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// This type with pages of `2^log2` bytes (custom-page-sizes): sizes
    /// and limits count such pages. Only 0 (1-byte pages) and 16 (64 KiB,
    /// the default) are valid.
    ///
    /// ```
    /// use tabula::MemoryType;
    ///
    /// let ty = MemoryType::new(3, Some(10)).with_page_size_log2(0);
    /// assert_eq!(ty.page_size(), 1);
    /// ```
    pub fn with_page_size_log2(mut self, log2: u8) -> Self {
        self.page_size_log2 = log2;
        self
    }

    /// The page size in bytes, `2^page_size_log2` (saturating at
    /// `u64::MAX` for exponents past 63, which no valid type has).
    pub fn page_size(&self) -> u64 {
        1u64.checked_shl(u32::from(self.page_size_log2))
            .unwrap_or(u64::MAX)
    }

    /// Whether the page size is one WebAssembly allows: 1 byte or 64 KiB.
    pub fn page_size_is_valid(&self) -> bool {
        matches!(self.page_size_log2, 0 | DEFAULT_PAGE_SIZE_LOG2)
    }

    /// The most pages the memory's addresses can reach: `2^(32 - p)` or
    /// `2^(64 - p)` pages of `2^p` bytes, except that 1-byte pages stop one
    /// short, so the byte size fits the index type (`2^32 - 1` or
    /// `2^64 - 1`).
    pub fn max_pages_bound(&self) -> u64 {
        let bits = if self.memory64 { 64 } else { 32 };
        let reach = 1u128 << bits;
        let pages = match self.page_size_log2 {
            0 => reach - 1,
            p => reach.checked_shr(u32::from(p)).unwrap_or(0),
        };
        u64::try_from(pages).unwrap_or(u64::MAX)
    }

    /// The type of addresses and sizes in this memory: `i64` for a 64-bit
    /// memory, `i32` otherwise.
    pub fn index_type(&self) -> ValType {
        if self.memory64 {
            ValType::I64
        } else {
            ValType::I32
        }
    }
}

/// A global type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The value's type.
    pub content: ValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

/// Whether a global may change (wasmtime's name for [`GlobalType::mutable`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// `global.set` is not allowed.
    Const,
    /// `global.set` is allowed.
    Var,
}

impl GlobalType {
    /// A global of `content`, mutable or not (wasmtime's constructor).
    pub fn new(content: ValType, mutability: Mutability) -> Self {
        GlobalType {
            content,
            mutable: mutability == Mutability::Var,
        }
    }

    /// Whether `global.set` may change it.
    pub fn mutability(&self) -> Mutability {
        if self.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        }
    }
}

/// What an import or export refers to, with its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternType {
    /// A function of this type.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// An exception tag (exception handling).
    Tag(TagType),
}

/// An exception tag's type: the function type whose parameters are the
/// exception's payload (its results are empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    /// The payload types, as a function type with no results.
    pub ty: FuncType,
}

impl TagType {
    /// A tag whose exceptions carry values of `params`.
    pub fn new(params: impl IntoIterator<Item = ValType>) -> Self {
        TagType {
            ty: FuncType::new(params, []),
        }
    }

    /// The payload types.
    pub fn params(&self) -> &[ValType] {
        self.ty.params()
    }
}
