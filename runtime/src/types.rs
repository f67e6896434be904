//! WebAssembly's types: value, reference, function, table, memory and global types.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

/// A value type.
#[derive(Clone, Copy, Debug, Eq, PartialOrd, Ord)]
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
    /// A reference.
    Ref(RefType),
}

impl ValType {
    /// `funcref`: a nullable reference to any function.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`: a nullable reference to a host object.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref`: a nullable reference to an exception (exception handling),
    /// opaque to the host.
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);
    /// `anyref`: a nullable reference to any internal object (GC).
    pub const ANYREF: ValType = ValType::Ref(RefType::new(true, HeapType::Any));
    /// `eqref`: a nullable reference comparable with `ref.eq` (GC).
    pub const EQREF: ValType = ValType::Ref(RefType::new(true, HeapType::Eq));
    /// `i31ref`: a nullable unboxed 31-bit integer (GC).
    pub const I31REF: ValType = ValType::Ref(RefType::new(true, HeapType::I31));
    /// `(ref i31)`: a non-null unboxed 31-bit integer, as `ref.i31` makes (GC).
    pub const REF_I31: ValType = ValType::Ref(RefType::new(false, HeapType::I31));
    /// `structref`: a nullable reference to any struct (GC).
    pub const STRUCTREF: ValType = ValType::Ref(RefType::new(true, HeapType::Struct));
    /// `arrayref`: a nullable reference to any array (GC).
    pub const ARRAYREF: ValType = ValType::Ref(RefType::new(true, HeapType::Array));

    /// True for reference types.
    pub const fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// Whether a local of this type starts with a value (zero or null):
    /// every type but a non-nullable reference.
    pub const fn is_defaultable(self) -> bool {
        !matches!(
            self,
            ValType::Ref(RefType {
                nullable: false,
                ..
            })
        )
    }

    /// How many 64-bit stack slots a value of this type takes.
    pub const fn slots(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// The one-byte encoding of a numeric, vector or abbreviated reference
    /// type (`funcref`, `externref`); typed references take more bytes.
    pub const fn from_byte(byte: u8) -> Option<ValType> {
        Some(match byte {
            0x7F => ValType::I32,
            0x7E => ValType::I64,
            0x7D => ValType::F32,
            0x7C => ValType::F64,
            0x7B => ValType::V128,
            0x70 => ValType::FUNCREF,
            0x6F => ValType::EXTERNREF,
            _ => return None,
        })
    }

    /// The reference type, if this is one.
    pub const fn as_ref(self) -> Option<RefType> {
        match self {
            ValType::Ref(ty) => Some(ty),
            _ => None,
        }
    }

    /// This type with each concrete type index `i` replaced by `map(i)`:
    /// from a module's type indices to a store's canonical type ids.
    pub fn map_indices(self, map: impl Fn(u32) -> u32) -> ValType {
        match self {
            ValType::Ref(ty) => ValType::Ref(ty.map_indices(map)),
            other => other,
        }
    }
}

// By hand, as the derived comparison would do it, but small enough to
// inline: the validator compares value types at every operand it pops.
impl PartialEq for ValType {
    #[inline(always)]
    fn eq(&self, other: &ValType) -> bool {
        match (self, other) {
            (ValType::Ref(a), ValType::Ref(b)) => a == b,
            _ => core::mem::discriminant(self) == core::mem::discriminant(other),
        }
    }
}

// Hashes what `eq` compares.
impl core::hash::Hash for ValType {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        core::mem::discriminant(self).hash(state);
        if let ValType::Ref(ty) = self {
            ty.hash(state);
        }
    }
}

impl From<RefType> for ValType {
    fn from(ty: RefType) -> ValType {
        ValType::Ref(ty)
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
            ValType::Ref(ty) => return ty.fmt(f),
        })
    }
}

/// What a reference points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeapType {
    /// Any function (`func`).
    Func,
    /// Any host object (`extern`).
    Extern,
    /// No function: the type of null function references only (`nofunc`).
    NoFunc,
    /// No host object: the type of null external references only (`noextern`).
    NoExtern,
    /// Any internal object (`any`, GC): the top of `eq`, `i31`, `struct`
    /// and `array`.
    Any,
    /// Objects comparable with `ref.eq` (`eq`, GC).
    Eq,
    /// Unboxed 31-bit integers (`i31`, GC).
    I31,
    /// Any struct (`struct`, GC).
    Struct,
    /// Any array (`array`, GC).
    Array,
    /// No internal object: the type of null internal references (`none`).
    None,
    /// Any exception (`exn`, exception handling).
    Exn,
    /// No exception: the type of null exception references (`noexn`).
    NoExn,
    /// The type at this index: a module's type index inside a module, a
    /// store's canonical type id once instantiated.
    Concrete(u32),
}

impl HeapType {
    /// The heap type an abstract heap type byte (or its negative s33 value,
    /// which is the same byte) names.
    pub const fn from_byte(byte: u8) -> Option<HeapType> {
        Some(match byte {
            0x70 => HeapType::Func,
            0x6F => HeapType::Extern,
            0x73 => HeapType::NoFunc,
            0x72 => HeapType::NoExtern,
            0x6E => HeapType::Any,
            0x6D => HeapType::Eq,
            0x6C => HeapType::I31,
            0x6B => HeapType::Struct,
            0x6A => HeapType::Array,
            0x71 => HeapType::None,
            0x69 => HeapType::Exn,
            0x74 => HeapType::NoExn,
            _ => return None,
        })
    }

    /// The top of this heap type's hierarchy: `func` for functions, `extern`
    /// for host objects, `any` for internal objects, `exn` for exceptions.
    /// A concrete type's top depends on what it declares: `kind` tells.
    pub fn top(self, kind: impl Fn(u32) -> CompositeKind) -> HeapType {
        match self {
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Func | HeapType::NoFunc => HeapType::Func,
            HeapType::Concrete(index) => match kind(index) {
                CompositeKind::Func => HeapType::Func,
                CompositeKind::Struct | CompositeKind::Array => HeapType::Any,
            },
            HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Struct
            | HeapType::Array
            | HeapType::None => HeapType::Any,
            HeapType::Exn | HeapType::NoExn => HeapType::Exn,
        }
    }

    /// The bottom of this heap type's hierarchy: the type of its nulls.
    pub fn bottom(self, kind: impl Fn(u32) -> CompositeKind) -> HeapType {
        match self.top(kind) {
            HeapType::Extern => HeapType::NoExtern,
            HeapType::Any => HeapType::None,
            HeapType::Exn => HeapType::NoExn,
            _ => HeapType::NoFunc,
        }
    }

    /// Whether every reference of `self` is one of `other`, in the type
    /// space `types` (which knows each concrete type's kind and subtypes).
    pub(crate) fn matches(self, other: HeapType, types: &impl TypeSpace) -> bool {
        use HeapType::*;
        match (self, other) {
            (a, b) if a == b => true,
            (Concrete(a), Concrete(b)) => types.is_subtype(a, b),
            (Concrete(a), abstract_type) => {
                let kind = types.kind(a);
                match abstract_type {
                    Func => kind == CompositeKind::Func,
                    Any | Eq => kind != CompositeKind::Func,
                    Struct => kind == CompositeKind::Struct,
                    Array => kind == CompositeKind::Array,
                    _ => false,
                }
            }
            (NoFunc, Concrete(b)) => types.kind(b) == CompositeKind::Func,
            (None, Concrete(b)) => types.kind(b) != CompositeKind::Func,
            (NoFunc, Func) => true,
            (NoExtern, Extern) => true,
            (NoExn, Exn) => true,
            (Eq | I31 | Struct | Array | None, Any) => true,
            (I31 | Struct | Array | None, Eq) => true,
            (None, I31 | Struct | Array) => true,
            _ => false,
        }
    }
}

/// What concrete type indices (or ids) refer to, for subtyping: each one's
/// kind, and which declares which as an ancestor.
pub(crate) trait TypeSpace {
    /// Whether type `index` is a function, struct or array type.
    fn kind(&self, index: u32) -> CompositeKind;
    /// Whether type `sub` is `sup` or declares it as an ancestor.
    fn is_subtype(&self, sub: u32, sup: u32) -> bool;
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::NoFunc => f.write_str("nofunc"),
            HeapType::NoExtern => f.write_str("noextern"),
            HeapType::Any => f.write_str("any"),
            HeapType::Eq => f.write_str("eq"),
            HeapType::I31 => f.write_str("i31"),
            HeapType::Struct => f.write_str("struct"),
            HeapType::Array => f.write_str("array"),
            HeapType::None => f.write_str("none"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::Concrete(index) => write!(f, "{index}"),
        }
    }
}

/// A reference type: a heap type, and whether null is a value of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefType {
    /// Whether the reference may be null.
    pub nullable: bool,
    /// What it points to.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, that is `(ref null func)`.
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `externref`, that is `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `exnref`, that is `(ref null exn)`.
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);

    /// `(ref null? heap)`.
    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// Whether every value of `self` is one of `other` (subtyping) in the
    /// type space `types`.
    pub(crate) fn matches(self, other: RefType, types: &impl TypeSpace) -> bool {
        (other.nullable || !self.nullable) && self.heap.matches(other.heap, types)
    }

    /// This type with each concrete type index `i` replaced by `map(i)`.
    pub fn map_indices(self, map: impl Fn(u32) -> u32) -> RefType {
        match self.heap {
            HeapType::Concrete(index) => {
                RefType::new(self.nullable, HeapType::Concrete(map(index)))
            }
            _ => self,
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, heap) => write!(f, "(ref null {heap})"),
            (false, heap) => write!(f, "(ref {heap})"),
        }
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

    /// This type with each concrete type index `i` in it replaced by
    /// `map(i)`.
    pub fn map_indices(&self, map: impl Fn(u32) -> u32) -> FuncType {
        FuncType {
            params: self.params.iter().map(|t| t.map_indices(&map)).collect(),
            results: self.results.iter().map(|t| t.map_indices(&map)).collect(),
        }
    }

    /// The concrete type indices this type mentions.
    pub fn indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.params
            .iter()
            .chain(self.results.iter())
            .filter_map(|t| match t.as_ref()?.heap {
                HeapType::Concrete(index) => Some(index),
                _ => None,
            })
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

/// How a struct field or array element is stored: a value type, or a
/// packed integer that `struct.get_s`/`_u` and `array.get_s`/`_u` widen to
/// `i32` (GC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StorageType {
    /// An 8-bit integer.
    I8,
    /// A 16-bit integer.
    I16,
    /// A value of this type.
    Val(ValType),
}

impl StorageType {
    /// The type a read gives: `i32` for the packed types.
    pub fn unpacked(self) -> ValType {
        match self {
            StorageType::I8 | StorageType::I16 => ValType::I32,
            StorageType::Val(ty) => ty,
        }
    }

    /// Bytes a value takes in an object: 1, 2, 4, 8 or 16 (references 8).
    pub fn size(self) -> u32 {
        match self {
            StorageType::I8 => 1,
            StorageType::I16 => 2,
            StorageType::Val(ValType::I32 | ValType::F32) => 4,
            StorageType::Val(ValType::V128) => 16,
            StorageType::Val(_) => 8,
        }
    }

    /// Whether this is a packed type.
    pub fn is_packed(self) -> bool {
        matches!(self, StorageType::I8 | StorageType::I16)
    }

    fn map_indices(self, map: impl Fn(u32) -> u32) -> StorageType {
        match self {
            StorageType::Val(ty) => StorageType::Val(ty.map_indices(map)),
            packed => packed,
        }
    }
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
            StorageType::Val(ty) => ty.fmt(f),
        }
    }
}

/// A struct field or an array's element type: what it stores, and whether
/// it may be written after allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldType {
    /// What the field stores.
    pub storage: StorageType,
    /// Whether `struct.set`/`array.set` may change it.
    pub mutable: bool,
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutable {
            true => write!(f, "(mut {})", self.storage),
            false => self.storage.fmt(f),
        }
    }
}

/// What a type definition declares (GC adds structs and arrays to functions).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompositeType {
    /// A function type.
    Func(FuncType),
    /// A struct type: its fields in order.
    Struct(Box<[FieldType]>),
    /// An array type: its element type.
    Array(FieldType),
}

/// Which of the three kinds a [`CompositeType`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompositeKind {
    /// A function type.
    Func,
    /// A struct type.
    Struct,
    /// An array type.
    Array,
}

impl CompositeType {
    /// Its kind.
    pub fn kind(&self) -> CompositeKind {
        match self {
            CompositeType::Func(_) => CompositeKind::Func,
            CompositeType::Struct(_) => CompositeKind::Struct,
            CompositeType::Array(_) => CompositeKind::Array,
        }
    }

    /// The function type, if this is one.
    pub fn as_func(&self) -> Option<&FuncType> {
        match self {
            CompositeType::Func(ty) => Some(ty),
            _ => None,
        }
    }

    /// The struct's fields, if this is a struct type.
    pub fn as_struct(&self) -> Option<&[FieldType]> {
        match self {
            CompositeType::Struct(fields) => Some(fields),
            _ => None,
        }
    }

    /// The array's element type, if this is an array type.
    pub fn as_array(&self) -> Option<FieldType> {
        match self {
            CompositeType::Array(element) => Some(*element),
            _ => None,
        }
    }

    /// This type with each concrete type index `i` in it replaced by `map(i)`.
    pub fn map_indices(&self, map: impl Fn(u32) -> u32) -> CompositeType {
        let field = |f: &FieldType| FieldType {
            storage: f.storage.map_indices(&map),
            mutable: f.mutable,
        };
        match self {
            CompositeType::Func(ty) => CompositeType::Func(ty.map_indices(&map)),
            CompositeType::Struct(fields) => {
                CompositeType::Struct(fields.iter().map(field).collect())
            }
            CompositeType::Array(element) => CompositeType::Array(field(element)),
        }
    }

    /// The concrete type indices this type mentions.
    pub fn indices(&self) -> Vec<u32> {
        let of = |ty: ValType| match ty.as_ref().map(|r| r.heap) {
            Some(HeapType::Concrete(index)) => Some(index),
            _ => None,
        };
        match self {
            CompositeType::Func(ty) => ty.indices().collect(),
            CompositeType::Struct(fields) => fields
                .iter()
                .filter_map(|f| of(f.storage.unpacked()))
                .collect(),
            CompositeType::Array(element) => of(element.storage.unpacked()).into_iter().collect(),
        }
    }
}

impl fmt::Display for CompositeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompositeType::Func(ty) => ty.fmt(f),
            CompositeType::Struct(fields) => {
                f.write_str("(struct")?;
                for field in fields.iter() {
                    write!(f, " (field {field})")?;
                }
                f.write_str(")")
            }
            CompositeType::Array(element) => write!(f, "(array {element})"),
        }
    }
}

/// Interns types, so that two equivalent types get one id and
/// `call_indirect`, a cast or an import check compares two integers
/// (subtypes take a walk up the declared supertypes).
///
/// Types come in recursion groups (a plain type is a group of one). Two
/// groups are equivalent when their types have the same shapes, finality
/// and supertypes, and refer to equivalent types; references inside a group
/// are compared by position (the spec's iso-recursive equivalence).
#[derive(Default)]
pub(crate) struct TypeRegistry {
    /// Each id's type, its indices ids of this registry.
    types: Vec<CompositeType>,
    /// Each function type id's type, shared, so a host call can hold its
    /// type without copying it (`None` for struct and array types).
    funcs: Vec<Option<Arc<FuncType>>>,
    /// Each id's declared supertype.
    supertypes: Vec<Option<u32>>,
    /// From a group in canonical form (see [`TypeRegistry::intern_group`])
    /// to the id of its first type.
    groups: BTreeMap<Vec<GroupMember>, u32>,
}

/// A type of a recursion group as the registry keys it: the type, whether
/// it is final, its supertype.
type GroupMember = (CompositeType, bool, Option<u32>);

/// One type of a module's recursion group: the type with the module's type
/// indices, whether it is final, and its declared supertype's index.
pub(crate) struct GroupType<'a> {
    pub(crate) ty: &'a CompositeType,
    pub(crate) is_final: bool,
    pub(crate) supertype: Option<u32>,
}

impl TypeRegistry {
    /// The id of `ty`, a final type without supertype whose indices are
    /// already ids of this registry (a host function's type).
    pub(crate) fn intern(&mut self, ty: &FuncType) -> u32 {
        let ty = CompositeType::Func(ty.clone());
        let member = GroupType {
            ty: &ty,
            is_final: true,
            supertype: None,
        };
        self.intern_group(&[member], 0, &[])
    }

    /// The id of the first type of a module's recursion group starting at
    /// type index `start`, given the ids of the module's earlier types; the
    /// group's types get consecutive ids. Validation has checked that the
    /// group refers only to earlier types and to its own.
    pub(crate) fn intern_group(
        &mut self,
        group: &[GroupType<'_>],
        start: u32,
        earlier: &[u32],
    ) -> u32 {
        let end = start + group.len() as u32;
        // In a key a reference into the group is `u32::MAX - position`;
        // ids stay far below.
        let id = |own: Option<u32>| {
            move |i: u32| match (i >= start && i < end, own) {
                (true, Some(base)) => base + (i - start),
                (true, None) => u32::MAX - (i - start),
                (false, _) => earlier[i as usize],
            }
        };
        let key: Vec<GroupMember> = group
            .iter()
            .map(|m| {
                (
                    m.ty.map_indices(id(None)),
                    m.is_final,
                    m.supertype.map(id(None)),
                )
            })
            .collect();
        if let Some(first) = self.groups.get(&key) {
            return *first;
        }
        let base = self.types.len() as u32;
        for member in group {
            let ty = member.ty.map_indices(id(Some(base)));
            self.funcs.push(ty.as_func().map(|f| Arc::new(f.clone())));
            self.types.push(ty);
            self.supertypes.push(member.supertype.map(id(Some(base))));
        }
        self.groups.insert(key, base);
        base
    }

    /// Whether type `sub` is `sup` or declares it as an ancestor.
    pub(crate) fn is_subtype(&self, mut sub: u32, sup: u32) -> bool {
        loop {
            if sub == sup {
                return true;
            }
            match self.supertypes.get(sub as usize).copied().flatten() {
                Some(next) => sub = next,
                None => return false,
            }
        }
    }

    /// The type with id `id`.
    pub(crate) fn composite(&self, id: u32) -> &CompositeType {
        &self.types[id as usize]
    }

    /// The function type with id `id`; validation guarantees that the ids
    /// asked for (of functions, tags, `call_indirect`) name function types.
    pub(crate) fn get(&self, id: u32) -> &FuncType {
        self.funcs[id as usize]
            .as_deref()
            .expect("a function type id")
    }

    /// The function type `id`, shared.
    pub(crate) fn get_shared(&self, id: u32) -> Arc<FuncType> {
        Arc::clone(
            self.funcs[id as usize]
                .as_ref()
                .expect("a function type id"),
        )
    }
}

impl TypeSpace for TypeRegistry {
    fn kind(&self, index: u32) -> CompositeKind {
        self.types[index as usize].kind()
    }

    fn is_subtype(&self, sub: u32, sup: u32) -> bool {
        TypeRegistry::is_subtype(self, sub, sup)
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
    /// Whether indices are 64-bit (memory64's table64, WebAssembly 3.0):
    /// `i64` operands and results for the `table.*` instructions and
    /// `call_indirect`, and `i64` element segment offsets.
    pub table64: bool,
}

impl TableType {
    /// A 32-bit table of `element`s, `minimum` long, growable to `maximum`
    /// (wasmtime's constructor).
    pub fn new(element: RefType, minimum: u32, maximum: Option<u32>) -> Self {
        TableType {
            element,
            limits: Limits {
                min: minimum.into(),
                max: maximum.map(u64::from),
            },
            table64: false,
        }
    }

    /// A 64-bit table of `element`s, `minimum` long, growable to `maximum`
    /// (wasmtime's constructor).
    ///
    /// ```
    /// use tabula::{RefType, TableType, ValType};
    ///
    /// let ty = TableType::new64(RefType::FUNCREF, 1, Some(1 << 40));
    /// assert_eq!(ty.index_type(), ValType::I64);
    /// assert_eq!(ty.to_string(), "i64 funcref 1 1099511627776");
    /// ```
    pub fn new64(element: RefType, minimum: u64, maximum: Option<u64>) -> Self {
        TableType {
            element,
            limits: Limits {
                min: minimum,
                max: maximum,
            },
            table64: true,
        }
    }

    /// The type of indices and sizes in this table: `i64` for a 64-bit
    /// table, `i32` otherwise.
    pub fn index_type(&self) -> ValType {
        if self.table64 {
            ValType::I64
        } else {
            ValType::I32
        }
    }

    /// The largest size the index type allows: `2^32 - 1` or `2^64 - 1`
    /// elements.
    pub fn max_size_bound(&self) -> u64 {
        if self.table64 {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        }
    }
}

impl fmt::Display for TableType {
    /// `funcref 1 2`, with `i64 ` in front for a 64-bit table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.table64 {
            f.write_str("i64 ")?;
        }
        write!(f, "{} {}", ValType::from(self.element), self.limits)
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
