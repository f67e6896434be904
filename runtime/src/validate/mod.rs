//! Validation: the spec's typing rules for a decoded module, producing the
//! compiled code of every function on the way.

mod func;

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::binary::{
    ConstExpr, ConstOperand, DataMode, DecodeError, ElementMode, ExportKind, ImportKind,
    Instruction, Module,
};
use crate::features::Features;
use crate::ir::CompiledFunc;
use crate::types::{
    CompositeKind, CompositeType, FieldType, FuncType, GlobalType, GroupType, HeapType, Limits,
    MemoryType, RefType, StorageType, TableType, TypeRegistry, TypeSpace, ValType,
};
use func::FuncValidator;

/// An invalid module (or a malformed function body found while validating).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Byte offset from the start of the module.
    pub offset: usize,
    /// What was wrong, in the spec testsuite's wording where it has one.
    pub message: String,
    /// True when the bytes were malformed rather than ill-typed.
    pub malformed: bool,
}

impl ValidationError {
    /// A validation error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        ValidationError {
            offset,
            message: message.into(),
            malformed: false,
        }
    }
}

impl From<DecodeError> for ValidationError {
    fn from(e: DecodeError) -> Self {
        ValidationError {
            offset: e.offset,
            message: e.message,
            malformed: true,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl core::error::Error for ValidationError {}

/// Extra ops the translator adds for embedders that limit untrusted code.
/// Both are off by default, so code that is not metered pays nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Instrumentation {
    /// Charge one unit of fuel per wasm instruction, paid per straight-line segment.
    pub fuel: bool,
    /// Check for an interrupt request at function entry and at every loop header.
    pub interrupts: bool,
    /// Report every wasm instruction to the call's tracer before it runs.
    pub trace: bool,
}

/// What function bodies may refer to: the module's index spaces with imports first.
pub(crate) struct ModuleContext {
    pub(crate) features: Features,
    /// The type section.
    pub(crate) types: Vec<CompositeType>,
    /// Each type index's equivalence class: equivalent types (same shape,
    /// referring to equivalent types) share one.
    pub(crate) type_classes: Vec<u32>,
    /// The classes' registry: which class declares which as supertype.
    type_registry: TypeRegistry,
    /// `(ref null i)` and `(ref i)` for each type index `i`, for one-value
    /// block types that borrow their type from the context.
    concrete_refs: Vec<ValType>,
    /// How many functions are imported.
    pub(crate) imported_funcs: u32,
    pub(crate) instrumentation: Instrumentation,
    /// Type index of every function.
    pub(crate) func_types: Vec<u32>,
    pub(crate) tables: Vec<TableType>,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) globals: Vec<GlobalType>,
    /// Type index of every tag (imports first).
    pub(crate) tags: Vec<u32>,
    /// How many globals are imported (constant expressions may read only those).
    pub(crate) imported_globals: usize,
    pub(crate) elem_types: Vec<RefType>,
    pub(crate) data_count: Option<u32>,
    /// Functions that `ref.func` may name in function bodies.
    pub(crate) declared_refs: BTreeSet<u32>,
    /// Translator fusions turned off (`TABULA_NO_FUSE`, measuring builds only).
    pub(crate) disabled_fusions: Fusions,
    /// Whether the module can hold a reference to a heap object anywhere
    /// (its types, tables or globals name the `any` or `extern`
    /// hierarchy, or it declares a struct or array type). When it cannot,
    /// translation records no stack maps.
    pub(crate) holds_refs: bool,
}

/// Translator fusions, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fusions(u8);

impl Fusions {
    /// Compare and `br_if`/`if` in one handler.
    pub(crate) const BRANCH: Fusions = Fusions(1);
    /// An instruction writes its result straight into the local of a `local.set`/`tee`.
    pub(crate) const LOCAL_SET: Fusions = Fusions(2);
    /// `i32.add` of an immediate folded into a load or store address.
    pub(crate) const ADDRESS: Fusions = Fusions(4);
    /// Results passed to the next instruction in the accumulator.
    pub(crate) const ACC: Fusions = Fusions(8);

    /// Whether `fusion` is among these.
    pub(crate) fn contains(self, fusion: Fusions) -> bool {
        self.0 & fusion.0 != 0
    }

    /// The fusions `TABULA_NO_FUSE` names (comma-separated).
    fn from_env() -> Fusions {
        #[cfg(feature = "dispatch-counts")]
        if let Ok(names) = std::env::var("TABULA_NO_FUSE") {
            let mut bits = 0;
            for name in names.split(',') {
                bits |= match name.trim() {
                    "branch" => Self::BRANCH.0,
                    "local_set" => Self::LOCAL_SET.0,
                    "address" => Self::ADDRESS.0,
                    "acc" => Self::ACC.0,
                    _ => 0,
                };
            }
            return Fusions(bits);
        }
        Fusions::default()
    }
}

impl ModuleContext {
    fn new(module: &Module, features: Features, instrumentation: Instrumentation) -> Self {
        let mut context = ModuleContext {
            features,
            types: module.types.clone(),
            type_classes: Vec::new(),
            type_registry: TypeRegistry::default(),
            concrete_refs: (0..module.types.len() as u32)
                .flat_map(|i| {
                    let heap = HeapType::Concrete(i);
                    [true, false].map(|nullable| ValType::Ref(RefType::new(nullable, heap)))
                })
                .collect(),
            imported_funcs: module.imported_funcs() as u32,
            instrumentation,
            func_types: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            imported_globals: 0,
            elem_types: module.elements.iter().map(|e| e.ty).collect(),
            data_count: module.data_count,
            declared_refs: BTreeSet::new(),
            disabled_fusions: Fusions::from_env(),
            holds_refs: false,
        };
        for import in &module.imports {
            match import.kind {
                ImportKind::Func(ty) => context.func_types.push(ty),
                ImportKind::Table(ty) => context.tables.push(ty),
                ImportKind::Memory(ty) => context.memories.push(ty),
                ImportKind::Global(ty) => context.globals.push(ty),
                ImportKind::Tag(ty) => context.tags.push(ty),
            }
        }
        context.imported_globals = context.globals.len();
        context.tags.extend(&module.tags);
        context.func_types.extend(&module.functions);
        context.tables.extend(&module.tables);
        context.memories.extend(&module.memories);
        // Defined globals join the index space one by one, as their initialisers are checked.
        context
    }

    /// A function type from the type section (`None` if there is no type
    /// `index` or it is a struct or array type).
    pub(crate) fn func_type(&self, index: u32) -> Option<&FuncType> {
        self.types.get(index as usize)?.as_func()
    }

    /// The fields of struct type `index`, if it is one.
    pub(crate) fn struct_type(&self, index: u32) -> Option<&[FieldType]> {
        self.types.get(index as usize)?.as_struct()
    }

    /// The element type of array type `index`, if it is one.
    pub(crate) fn array_type(&self, index: u32) -> Option<FieldType> {
        self.types.get(index as usize)?.as_array()
    }

    /// The payload types of tag `index` (whose type index was checked).
    pub(crate) fn tag_params(&self, index: u32) -> Option<&[ValType]> {
        let ty = *self.tags.get(index as usize)?;
        Some(self.func_type(ty)?.params())
    }

    /// The type of function `func_index` (whose type index was checked).
    pub(crate) fn func_type_of(&self, func_index: u32) -> &FuncType {
        self.func_type(self.func_types[func_index as usize])
            .expect("function type indices are checked first")
    }

    /// The top of `heap`'s hierarchy (`func`, `extern`, `any` or `exn`).
    pub(crate) fn top(&self, heap: HeapType) -> HeapType {
        heap.top(|i| self.kind(i))
    }

    /// Whether a value of `ty` may refer to a heap object.
    pub(crate) fn may_hold_object(&self, ty: ValType) -> bool {
        crate::exec::gc::may_hold_object(ty, |i| self.kind(i))
    }

    /// Whether anything in `module` can hold a heap reference (see
    /// [`ModuleContext::holds_refs`]).
    fn find_refs(&self, module: &Module) -> bool {
        let value = |ty: ValType| self.may_hold_object(ty);
        // A struct or array type is enough: its objects live in the heap.
        let types = self.types.iter().any(|ty| match ty {
            CompositeType::Func(f) => f.params().iter().chain(f.results()).any(|t| value(*t)),
            _ => true,
        });
        types
            || self.tables.iter().any(|t| value(t.element.into()))
            || self.globals.iter().any(|g| value(g.content))
            || module.globals.iter().any(|g| value(g.ty.content))
            || module.elements.iter().any(|e| value(e.ty.into()))
    }

    /// `ty` alone, as a slice that lives as long as the context (the type
    /// of a one-value block). A concrete type index must have been checked.
    pub(crate) fn one(&self, ty: ValType) -> &[ValType] {
        // Numeric types, then `(ref null ht)` and `(ref ht)` for each
        // abstract heap type, in `ABSTRACT`'s order.
        const ABSTRACT: [HeapType; 12] = [
            HeapType::Func,
            HeapType::Extern,
            HeapType::NoFunc,
            HeapType::NoExtern,
            HeapType::Any,
            HeapType::Eq,
            HeapType::I31,
            HeapType::Struct,
            HeapType::Array,
            HeapType::None,
            HeapType::Exn,
            HeapType::NoExn,
        ];
        const fn entry(i: usize) -> ValType {
            match i {
                0 => ValType::I32,
                1 => ValType::I64,
                2 => ValType::F32,
                3 => ValType::F64,
                4 => ValType::V128,
                i => ValType::Ref(RefType::new(
                    (i - 5).is_multiple_of(2),
                    ABSTRACT[(i - 5) / 2],
                )),
            }
        }
        const SIMPLE: [ValType; 29] = {
            let mut all = [ValType::I32; 29];
            let mut i = 0;
            while i < all.len() {
                all[i] = entry(i);
                i += 1;
            }
            all
        };
        let at = match ty {
            ValType::I32 => 0,
            ValType::I64 => 1,
            ValType::F32 => 2,
            ValType::F64 => 3,
            ValType::V128 => 4,
            ValType::Ref(RefType {
                nullable,
                heap: HeapType::Concrete(index),
            }) => {
                let at = index as usize * 2 + usize::from(!nullable);
                return core::slice::from_ref(&self.concrete_refs[at]);
            }
            ValType::Ref(RefType { nullable, heap }) => {
                let kind = ABSTRACT.iter().position(|h| *h == heap);
                5 + kind.expect("every abstract heap type is listed") * 2 + usize::from(!nullable)
            }
        };
        core::slice::from_ref(&SIMPLE[at])
    }

    /// Whether type `sub` may declare `sup` as its supertype: functions
    /// with contravariant parameters and covariant results, structs with at
    /// least the supertype's fields, arrays with a matching element.
    fn composite_subtype(&self, sub: &CompositeType, sup: &CompositeType) -> bool {
        let each = |a: &[ValType], b: &[ValType]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.matches(*x, *y))
        };
        match (sub, sup) {
            (CompositeType::Func(sub), CompositeType::Func(sup)) => {
                each(sup.params(), sub.params()) && each(sub.results(), sup.results())
            }
            (CompositeType::Struct(sub), CompositeType::Struct(sup)) => {
                sub.len() >= sup.len()
                    && sub
                        .iter()
                        .zip(sup.iter())
                        .all(|(a, b)| self.field_matches(*a, *b))
            }
            (CompositeType::Array(sub), CompositeType::Array(sup)) => {
                self.field_matches(*sub, *sup)
            }
            _ => false,
        }
    }

    /// Whether field `sub` may stand for field `sup`: the same mutability; a
    /// mutable field of an equivalent type, an immutable one of a subtype.
    fn field_matches(&self, sub: FieldType, sup: FieldType) -> bool {
        let storage = |a: StorageType, b: StorageType| match (a, b) {
            (StorageType::Val(a), StorageType::Val(b)) => self.matches(a, b),
            (a, b) => a == b,
        };
        sub.mutable == sup.mutable
            && storage(sub.storage, sup.storage)
            && (!sub.mutable || storage(sup.storage, sub.storage))
    }

    /// Whether every value of `actual` is a value of `expected` (subtyping).
    #[inline(always)]
    pub(crate) fn matches(&self, actual: ValType, expected: ValType) -> bool {
        match (actual, expected) {
            (ValType::Ref(a), ValType::Ref(b)) => self.ref_matches(a, b),
            _ => actual == expected,
        }
    }

    /// Whether every reference of `actual` is one of `expected`.
    #[inline(never)]
    pub(crate) fn ref_matches(&self, actual: RefType, expected: RefType) -> bool {
        actual.matches(expected, self)
    }

    /// Whether type indices `a` and `b` name equivalent types.
    pub(crate) fn is_subtype(&self, a: u32, b: u32) -> bool {
        match (
            self.type_classes.get(a as usize),
            self.type_classes.get(b as usize),
        ) {
            (Some(a), Some(b)) => self.type_registry.is_subtype(*a, *b),
            _ => false,
        }
    }

    /// Checks that `ty` refers only to types that exist, and that typed
    /// references are enabled if it is one.
    pub(crate) fn check_valtype(&self, ty: ValType) -> Result<(), &'static str> {
        match ty {
            ValType::Ref(r) => self.check_reftype(r),
            _ => Ok(()),
        }
    }

    /// [`ModuleContext::check_valtype`] for a reference type.
    pub(crate) fn check_reftype(&self, ty: RefType) -> Result<(), &'static str> {
        self.check_heaptype(ty.heap)
    }

    /// Checks that a heap type's index names a type.
    pub(crate) fn check_heaptype(&self, heap: HeapType) -> Result<(), &'static str> {
        match heap {
            HeapType::Concrete(index) if index as usize >= self.types.len() => Err("unknown type"),
            _ => Ok(()),
        }
    }
}

impl TypeSpace for ModuleContext {
    fn kind(&self, index: u32) -> CompositeKind {
        self.types
            .get(index as usize)
            .map_or(CompositeKind::Func, CompositeType::kind)
    }

    fn is_subtype(&self, sub: u32, sup: u32) -> bool {
        ModuleContext::is_subtype(self, sub, sup)
    }
}

fn check_limits(
    limits: &Limits,
    bound: u64,
    offset: usize,
    what: &str,
) -> Result<(), ValidationError> {
    if limits.min > bound || limits.max.is_some_and(|m| m > bound) {
        return Err(ValidationError::new(offset, what));
    }
    if limits.max.is_some_and(|max| max < limits.min) {
        return Err(ValidationError::new(
            offset,
            "size minimum must not be greater than maximum",
        ));
    }
    Ok(())
}

fn check_memory_type(ty: &MemoryType) -> Result<(), ValidationError> {
    if !ty.page_size_is_valid() {
        return Err(ValidationError::new(0, "invalid custom page size"));
    }
    // The pages the index type can address: 2^16 or 2^48 of 64 KiB, or
    // 2^32 - 1 or 2^64 - 1 of one byte.
    let message = match (ty.memory64, ty.page_size_log2) {
        (true, 0) => "memory size must be at most 2^64-1 pages",
        (true, _) => "memory size must be at most 2^48 pages",
        (false, 0) => "memory size must be at most 2^32-1 pages",
        (false, _) => "memory size must be at most 65536 pages (4GiB)",
    };
    check_limits(&ty.limits, ty.max_pages_bound(), 0, message)
}

/// A tag's type must be a function type without results.
fn check_tag_type(context: &ModuleContext, ty: u32) -> Result<(), ValidationError> {
    match context.func_type(ty) {
        None => Err(ValidationError::new(0, "unknown type")),
        Some(ty) if !ty.results().is_empty() => {
            Err(ValidationError::new(0, "non-empty tag result type"))
        }
        Some(_) => Ok(()),
    }
}

fn check_table_type(ty: &TableType) -> Result<(), ValidationError> {
    // Only a 32-bit table's limits can exceed its index type's range.
    check_limits(
        &ty.limits,
        ty.max_size_bound(),
        0,
        "table size must be at most 2^32-1 elements",
    )
}

/// Checks a constant expression of result type `expected`: a small stack
/// machine over types. `context.globals` holds the globals it may see: the
/// imported ones and, for a global's initialiser, those defined before it.
fn check_const_expr(
    context: &ModuleContext,
    expr: &ConstExpr,
    expected: ValType,
) -> Result<(), ValidationError> {
    let error = |message: &str| ValidationError::new(expr.offset, message);
    let features = &context.features;
    let mut stack: Vec<ValType> = Vec::new();
    for instruction in &expr.instructions {
        // Which instructions are constant, and since which proposal, is the
        // table's `const` column.
        let allowed = instruction
            .opcode()
            .constant_proposal()
            .is_some_and(|p| features.enabled(p));
        if !allowed {
            return Err(error("constant expression required"));
        }
        let ty = match instruction.constant_operand() {
            Some(ConstOperand::Value { ty, .. }) => ty,
            Some(ConstOperand::Null(heap)) => {
                context.check_heaptype(heap).map_err(error)?;
                ValType::Ref(RefType::new(true, heap))
            }
            Some(ConstOperand::Func(funcidx)) => {
                let Some(ty) = context.func_types.get(funcidx as usize) else {
                    return Err(error("unknown function"));
                };
                func_ref_type(&context.features, *ty)
            }
            Some(ConstOperand::Global(globalidx)) => {
                let index = globalidx as usize;
                let global = context
                    .globals
                    .get(index)
                    .ok_or_else(|| error("unknown global"))?;
                // WebAssembly 3.0 also admits earlier defined globals.
                let visible = index < context.imported_globals || features.extended_const;
                if !visible || global.mutable {
                    return Err(error("constant expression required"));
                }
                global.content
            }
            Some(ConstOperand::Operator { params, result, .. }) => {
                for param in params.iter().rev() {
                    if !stack.pop().is_some_and(|t| context.matches(t, *param)) {
                        return Err(error("type mismatch"));
                    }
                }
                result
            }
            Some(ConstOperand::Runtime) => {
                const_allocation_type(context, instruction, &mut stack).map_err(error)?
            }
            None => return Err(error("constant expression required")),
        };
        stack.push(ty);
    }
    if !matches!(stack.as_slice(), [actual] if context.matches(*actual, expected)) {
        return Err(error(
            "type mismatch: constant expression has the wrong type",
        ));
    }
    Ok(())
}

/// Types a GC instruction in a constant expression (an allocation or a
/// conversion), popping its operands from `stack`; returns its result type.
fn const_allocation_type(
    context: &ModuleContext,
    instruction: &Instruction,
    stack: &mut Vec<ValType>,
) -> Result<ValType, &'static str> {
    let mut pop = |expected: ValType| match stack.pop() {
        Some(actual) if context.matches(actual, expected) => Ok(actual),
        _ => Err("type mismatch"),
    };
    let new = |typeidx: u32| ValType::Ref(RefType::new(false, HeapType::Concrete(typeidx)));
    let element = |typeidx: u32| context.array_type(typeidx).ok_or("unknown type");
    Ok(match instruction {
        Instruction::StructNew { typeidx } => {
            let fields = context.struct_type(*typeidx).ok_or("unknown type")?;
            for field in fields.iter().rev() {
                pop(field.storage.unpacked())?;
            }
            new(*typeidx)
        }
        Instruction::StructNewDefault { typeidx } => {
            let fields = context.struct_type(*typeidx).ok_or("unknown type")?;
            if fields
                .iter()
                .any(|f| !f.storage.unpacked().is_defaultable())
            {
                return Err("type mismatch");
            }
            new(*typeidx)
        }
        Instruction::ArrayNew { typeidx } => {
            let element = element(*typeidx)?;
            pop(ValType::I32)?;
            pop(element.storage.unpacked())?;
            new(*typeidx)
        }
        Instruction::ArrayNewDefault { typeidx } => {
            if !element(*typeidx)?.storage.unpacked().is_defaultable() {
                return Err("type mismatch");
            }
            pop(ValType::I32)?;
            new(*typeidx)
        }
        Instruction::ArrayNewFixed {
            typeidx,
            u32: count,
        } => {
            let element = element(*typeidx)?;
            for _ in 0..*count {
                pop(element.storage.unpacked())?;
            }
            new(*typeidx)
        }
        Instruction::AnyConvertExtern | Instruction::ExternConvertAny => {
            let (from, to) = match instruction {
                Instruction::AnyConvertExtern => (HeapType::Extern, HeapType::Any),
                _ => (HeapType::Any, HeapType::Extern),
            };
            let actual = pop(ValType::Ref(RefType::new(true, from)))?;
            let nullable = actual.as_ref().is_none_or(|r| r.nullable);
            ValType::Ref(RefType::new(nullable, to))
        }
        _ => return Err("constant expression required"),
    })
}

/// The type of `ref.func` of a function of type index `ty`: with typed
/// function references the non-nullable `(ref ty)`, else `funcref`.
pub(crate) fn func_ref_type(features: &Features, ty: u32) -> ValType {
    if features.function_references {
        ValType::Ref(RefType::new(false, HeapType::Concrete(ty)))
    } else {
        ValType::FUNCREF
    }
}

/// Checks the type section, recursion group by group: each type refers
/// only to earlier groups and its own, its supertype is an earlier type that
/// is not final, and it matches that supertype. Gives each type its
/// equivalence class (an id of the context's registry).
fn check_types(context: &mut ModuleContext, module: &Module) -> Result<(), ValidationError> {
    let error = |message: &str| ValidationError::new(0, message);
    let mut index = 0usize;
    while index < module.types.len() {
        let info = module.subtype(index as u32);
        let start = info.group_start as usize;
        let end = start + info.group_len as usize;
        let mut group = Vec::with_capacity(end - start);
        for i in start..end {
            let (ty, sub) = (&module.types[i], module.subtype(i as u32));
            if ty.indices().iter().any(|t| *t as usize >= end) {
                return Err(error("unknown type"));
            }
            if sub.supertype.is_some_and(|s| s as usize >= i) {
                return Err(error("unknown type"));
            }
            group.push(GroupType {
                ty,
                is_final: sub.is_final,
                supertype: sub.supertype,
            });
        }
        let first = context
            .type_registry
            .intern_group(&group, start as u32, &context.type_classes);
        context
            .type_classes
            .extend((0..group.len() as u32).map(|k| first + k));
        for i in start..end {
            let Some(sup) = module.subtype(i as u32).supertype else {
                continue;
            };
            let sup = sup as usize;
            if module.subtype(sup as u32).is_final {
                return Err(error("sub type"));
            }
            if !context.composite_subtype(&module.types[i], &module.types[sup]) {
                return Err(error("sub type"));
            }
        }
        index = end;
    }
    Ok(())
}

/// Validates a decoded module.
pub fn validate(module: &Module, features: &Features) -> Result<(), ValidationError> {
    validate_with(module, features, Instrumentation::default()).map(|_| ())
}

/// Validates a decoded module and translates its functions, adding the
/// instrumentation `instrumentation` asks for.
pub(crate) fn validate_with(
    module: &Module,
    features: &Features,
    instrumentation: Instrumentation,
) -> Result<ModuleContext, ValidationError> {
    let mut context = ModuleContext::new(module, *features, instrumentation);
    for import in &module.imports {
        match &import.kind {
            ImportKind::Func(ty) => {
                if context.func_type(*ty).is_none() {
                    return Err(ValidationError::new(0, "unknown type"));
                }
            }
            ImportKind::Table(ty) => check_table_type(ty)?,
            ImportKind::Memory(ty) => check_memory_type(ty)?,
            ImportKind::Global(ty) => {
                if ty.mutable && !features.mutable_global {
                    return Err(ValidationError::new(
                        0,
                        "mutable globals cannot be imported",
                    ));
                }
            }
            ImportKind::Tag(ty) => check_tag_type(&context, *ty)?,
        }
    }
    for ty in &module.tags {
        check_tag_type(&context, *ty)?;
    }
    for ty in &module.functions {
        if context.func_type(*ty).is_none() {
            return Err(ValidationError::new(0, "unknown type"));
        }
    }
    for ty in module.types.iter().filter_map(CompositeType::as_func) {
        if ty.results().len() > 1 && !features.multi_value {
            return Err(ValidationError::new(0, "invalid result arity"));
        }
    }
    check_types(&mut context, module)?;
    context.holds_refs = context.find_refs(module);
    let check = |ty: ValType| {
        context
            .check_valtype(ty)
            .map_err(|e| ValidationError::new(0, e))
    };
    for import in &module.imports {
        match &import.kind {
            ImportKind::Table(ty) => check(ty.element.into())?,
            ImportKind::Global(ty) => check(ty.content)?,
            _ => {}
        }
    }
    for table in &module.tables {
        check(table.element.into())?;
    }
    for global in &module.globals {
        check(global.ty.content)?;
    }
    for element in &module.elements {
        check(element.ty.into())?;
    }
    for table in &module.tables {
        check_table_type(table)?;
    }
    for (table, init) in module.tables.iter().zip(&module.table_inits) {
        match init {
            Some(init) => check_const_expr(&context, init, table.element.into())?,
            None if !table.element.nullable => {
                return Err(ValidationError::new(
                    0,
                    "type mismatch: a table of non-nullable references needs an initialiser",
                ));
            }
            None => {}
        }
    }
    if context.tables.len() > 1 && !features.reference_types {
        return Err(ValidationError::new(0, "multiple tables"));
    }
    for memory in &module.memories {
        check_memory_type(memory)?;
    }
    if context.memories.len() > 1 && !features.multi_memory {
        return Err(ValidationError::new(0, "multiple memories"));
    }

    // Functions that function bodies may take references to.
    let mut declared = BTreeSet::new();
    let mut note_refs = |expr: &ConstExpr| {
        for instruction in &expr.instructions {
            if let Instruction::RefFunc { funcidx } = instruction {
                declared.insert(*funcidx);
            }
        }
    };
    for global in &module.globals {
        note_refs(&global.init);
    }
    for element in &module.elements {
        element.items.iter().for_each(&mut note_refs);
    }
    for export in &module.exports {
        if export.kind == ExportKind::Func {
            declared.insert(export.index);
        }
    }
    context.declared_refs = declared;

    for global in &module.globals {
        check_const_expr(&context, &global.init, global.ty.content)?;
        context.globals.push(global.ty);
    }

    let mut names = BTreeSet::new();
    for export in &module.exports {
        if !names.insert(export.name.as_str()) {
            return Err(ValidationError::new(0, "duplicate export name"));
        }
        let (count, what) = match export.kind {
            ExportKind::Func => (context.func_types.len(), "unknown function"),
            ExportKind::Table => (context.tables.len(), "unknown table"),
            ExportKind::Memory => (context.memories.len(), "unknown memory"),
            ExportKind::Global => (context.globals.len(), "unknown global"),
            ExportKind::Tag => (context.tags.len(), "unknown tag"),
        };
        if export.index as usize >= count {
            return Err(ValidationError::new(0, what));
        }
        if export.kind == ExportKind::Global
            && context.globals[export.index as usize].mutable
            && !features.mutable_global
        {
            return Err(ValidationError::new(
                0,
                "mutable globals cannot be exported",
            ));
        }
    }

    if let Some(start) = module.start {
        if start as usize >= context.func_types.len() {
            return Err(ValidationError::new(0, "unknown function"));
        }
        let ty = context.func_type_of(start);
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return Err(ValidationError::new(
                0,
                "start function must have type [] -> []",
            ));
        }
    }

    for element in &module.elements {
        for item in &element.items {
            check_const_expr(&context, item, element.ty.into())?;
        }
        if let ElementMode::Active { table, offset } = &element.mode {
            let table = context
                .tables
                .get(*table as usize)
                .ok_or_else(|| ValidationError::new(offset.offset, "unknown table"))?;
            if !context.ref_matches(element.ty, table.element) {
                return Err(ValidationError::new(
                    offset.offset,
                    "type mismatch: element segment and table types differ",
                ));
            }
            check_const_expr(&context, offset, table.index_type())?;
        }
    }

    for data in &module.data {
        if let DataMode::Active { memory, offset } = &data.mode {
            let Some(memory) = context.memories.get(*memory as usize) else {
                return Err(ValidationError::new(offset.offset, "unknown memory"));
            };
            check_const_expr(&context, offset, memory.index_type())?;
        }
    }

    validate_bodies(&context, module)?;
    Ok(context)
}

/// Function bodies below this many bytes in all are validated on one thread.
#[cfg(feature = "std")]
const PARALLEL_BYTES: usize = 1 << 20;

/// Validates every function body, on several threads when the code is large;
/// the error reported is the first function's, as on one thread.
fn validate_bodies(context: &ModuleContext, module: &Module) -> Result<(), ValidationError> {
    let imported = module.imported_funcs();
    let validate_range = |range: core::ops::Range<usize>| -> Result<(), ValidationError> {
        for (i, body) in module.code[range.clone()].iter().enumerate() {
            let index = (imported + range.start + i) as u32;
            FuncValidator::<false>::compile(context, module, index, body)?;
        }
        Ok(())
    };
    #[cfg(feature = "std")]
    {
        let total: usize = module.code.iter().map(|b| b.code.len()).sum();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if total >= PARALLEL_BYTES && threads > 1 {
            // Split into chunks of about equal size in bytes.
            let mut ranges = Vec::new();
            let (mut start, mut size) = (0, 0);
            for (i, body) in module.code.iter().enumerate() {
                size += body.code.len();
                if size >= total / threads && ranges.len() + 1 < threads {
                    ranges.push(start..i + 1);
                    (start, size) = (i + 1, 0);
                }
            }
            ranges.push(start..module.code.len());
            let results: Vec<Result<(), ValidationError>> = std::thread::scope(|scope| {
                let handles: Vec<_> = ranges
                    .into_iter()
                    .map(|range| scope.spawn(move || validate_range(range)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            });
            return results.into_iter().collect();
        }
    }
    validate_range(0..module.code.len())
}

/// Translates defined function `defined` of a module that passed [`validate_with`].
pub(crate) fn translate(
    context: &ModuleContext,
    module: &Module,
    defined: u32,
) -> Result<CompiledFunc, ValidationError> {
    let index = context.imported_funcs + defined;
    FuncValidator::<true>::compile(context, module, index, &module.code[defined as usize])
}
