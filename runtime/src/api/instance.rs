//! `Instance`: a module instantiated in a store, and instantiation itself.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::error::Error;
use super::externals::{Extern, Global, Memory, Table, Tag};
use super::module::Module;
use super::store::{AsContext, AsContextMut, Store};
use super::typed::{TypedFunc, WasmTyList};
use super::values::Func;
use crate::binary::{ConstExpr, ConstOperand, DataMode, ElementMode, ImportKind, Instruction};
use crate::exec::handlers::apply_constant;
use crate::exec::store::{FuncEntity, GlobalEntity, InstanceEntity, StoreInner};
use crate::exec::trap::{Trap, TrapCode};
use crate::types::{ExternType, GlobalType, GroupType, Limits, TableType, ValType};

/// A module instance in a store (the handle carries the store's id: see
/// [the crate docs](crate#store-isolation)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Instance {
    /// Instantiates `module` with `imports` (in the module's import order) and
    /// runs its start function. Imports from another store are an
    /// [`Error::StoreMismatch`].
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        let store = store.as_context_mut();
        let instance = instantiate(store, module, imports)?;
        if let Some(start) = module.compiled.module.start {
            let index = store.inner.instances[instance.index as usize].funcs[start as usize];
            let start = Func {
                store: store.inner.id,
                index,
            };
            start.call(&mut *store, &[], &mut [])?;
        }
        Ok(instance)
    }

    /// The instance in `store`, after checking that `store` owns it.
    #[track_caller]
    fn entity<'a, T>(&self, store: &'a Store<T>) -> &'a InstanceEntity {
        store.assert_owns(self.store);
        &store.inner.instances[self.index as usize]
    }

    /// The export called `name`.
    ///
    /// # Panics
    /// If `store` does not own the instance (as for every method here that
    /// returns no `Result`).
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let store = store.as_context();
        let addr = self.entity(store).export(name)?;
        Some(Extern::from_addr(addr, store.inner.id))
    }

    /// The exported function called `name`.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function called `name`, checked to have type `Params -> Results`.
    pub fn get_typed_func<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let store = store.as_context();
        store.check_owns(self.store)?;
        let func = self
            .get_func(store, name)
            .ok_or_else(|| Error::Usage(alloc::format!("no exported function `{name}`")))?;
        func.typed(store)
    }

    /// The exported memory called `name`.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported global called `name`.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported table called `name`.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported tag called `name`.
    pub fn get_tag(&self, store: impl AsContext, name: &str) -> Option<Tag> {
        self.get_export(store, name)?.into_tag()
    }

    /// Every export, by name.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let store = store.as_context();
        self.entity(store)
            .exports()
            .map(|(name, addr)| (name.into(), Extern::from_addr(addr, store.inner.id)))
            .collect()
    }

    /// The instance's memory 0, exported or not.
    pub fn default_memory(&self, store: impl AsContext) -> Option<Memory> {
        let store = store.as_context();
        let index = *self.entity(store).memories.first()?;
        Some(Memory {
            store: store.inner.id,
            index,
        })
    }
}

fn limits_match(actual: Limits, expected: Limits) -> bool {
    actual.min >= expected.min
        && match expected.max {
            None => true,
            Some(max) => actual.max.is_some_and(|a| a <= max),
        }
}

/// Evaluates a validated constant expression in a partly built instance: a
/// small stack machine, with a shortcut for the usual single instruction.
/// `type_ids` maps the module's type indices to the store's; GC
/// allocations here never collect (their results are not rooted yet).
/// What a constant expression reads and allocates in: the store's globals,
/// types and GC heap, borrowed apart from its instances.
struct ConstScope<'a> {
    globals: &'a [GlobalEntity],
    types: &'a crate::types::TypeRegistry,
    gc: &'a mut crate::exec::gc::GcHeap,
}

impl StoreInner {
    /// The parts of the store a constant expression uses.
    fn const_scope(&mut self) -> ConstScope<'_> {
        ConstScope {
            globals: &self.globals,
            types: &self.types,
            gc: &mut self.gc,
        }
    }
}

fn eval_const(
    inner: ConstScope<'_>,
    type_ids: &[u32],
    funcs: &[u32],
    globals: &[u32],
    expr: &ConstExpr,
) -> Result<u128, Error> {
    let value = |inner: &ConstScope<'_>, operand: Option<ConstOperand>| match operand {
        Some(ConstOperand::Value { bits, .. }) => bits,
        Some(ConstOperand::Null(_)) => 0,
        Some(ConstOperand::Func(funcidx)) => u128::from(funcs[funcidx as usize]) + 1,
        Some(ConstOperand::Global(globalidx)) => {
            inner.globals[globals[globalidx as usize] as usize].value
        }
        Some(ConstOperand::Operator { .. } | ConstOperand::Runtime) | None => {
            unreachable!("validation admits only constant instructions, operators with operands")
        }
    };
    if let [single] = expr.instructions.as_slice() {
        if !matches!(single.constant_operand(), Some(ConstOperand::Runtime)) {
            return Ok(value(&inner, single.constant_operand()));
        }
    }
    let mut stack: Vec<u128> = Vec::with_capacity(expr.instructions.len());
    for instruction in &expr.instructions {
        let operand = instruction.constant_operand();
        match operand {
            Some(ConstOperand::Operator { opcode, params, .. }) => {
                // Validation checked the operands' count and types; operators
                // take no v128, so slot bits hold them whole.
                let at = stack.len() - params.len();
                let operands: Vec<u64> = stack.drain(at..).map(|v| v as u64).collect();
                let result = apply_constant(opcode, &operands).expect("a constant operator row");
                stack.push(u128::from(result));
            }
            Some(ConstOperand::Runtime) => {
                let id = |typeidx: u32| type_ids[typeidx as usize];
                let heap = &mut *inner.gc;
                let types = inner.types;
                let word = match instruction {
                    Instruction::StructNew { typeidx } => {
                        let fields = types
                            .composite(id(*typeidx))
                            .as_struct()
                            .map_or(0, <[_]>::len);
                        let values: Vec<u128> = stack.drain(stack.len() - fields..).collect();
                        heap.new_struct(id(*typeidx), types, &values)
                    }
                    Instruction::StructNewDefault { typeidx } => {
                        heap.new_struct(id(*typeidx), types, &[])
                    }
                    Instruction::ArrayNew { typeidx } => {
                        let len = stack.pop().expect("validated") as u32;
                        let value = stack.pop().expect("validated");
                        heap.new_array(id(*typeidx), types, len, value, &[])
                    }
                    Instruction::ArrayNewDefault { typeidx } => {
                        let len = stack.pop().expect("validated") as u32;
                        heap.new_array(id(*typeidx), types, len, 0, &[])
                    }
                    Instruction::ArrayNewFixed {
                        typeidx,
                        u32: count,
                    } => {
                        let values: Vec<u128> =
                            stack.drain(stack.len() - *count as usize..).collect();
                        heap.new_array(id(*typeidx), types, *count, 0, &values)
                    }
                    // The conversions keep the word.
                    _ => Ok(stack.pop().expect("validated") as u64),
                };
                let word = word.map_err(|e| Error::Trap(Trap::new(e.trap())))?;
                stack.push(u128::from(word));
            }
            _ => stack.push(value(&inner, operand)),
        }
    }
    Ok(stack.pop().expect("validation leaves one value"))
}

/// Evaluates `expr` in instance `index`, already in the store.
fn eval_in_instance(inner: &mut StoreInner, index: u32, expr: &ConstExpr) -> Result<u128, Error> {
    let instance = &inner.instances[index as usize];
    let scope = ConstScope {
        globals: &inner.globals,
        types: &inner.types,
        gc: &mut inner.gc,
    };
    eval_const(
        scope,
        &instance.type_ids,
        &instance.funcs,
        &instance.globals,
        expr,
    )
}

fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance, Error> {
    let compiled = Arc::clone(&module.compiled);
    let decoded = &compiled.module;
    if imports.len() != decoded.imports.len() {
        return Err(Error::Link(alloc::format!(
            "expected {} imports, got {}",
            decoded.imports.len(),
            imports.len()
        )));
    }
    if store.inner.instances.len() >= store.resource_limiter().instances() {
        return Err(Error::Usage("the store's instance limit is reached".into()));
    }
    for provided in imports {
        store.check_owns(provided.store_id())?;
    }
    let index = store.inner.instances.len() as u32;
    // Sized once: a short-lived instance should not pay for regrowing them.
    let count =
        |kind: fn(&ImportKind) -> bool| decoded.imports.iter().filter(|i| kind(&i.kind)).count();
    let mut funcs =
        Vec::with_capacity(count(|k| matches!(k, ImportKind::Func(_))) + decoded.functions.len());
    let mut tables =
        Vec::with_capacity(count(|k| matches!(k, ImportKind::Table(_))) + decoded.tables.len());
    let mut memories =
        Vec::with_capacity(count(|k| matches!(k, ImportKind::Memory(_))) + decoded.memories.len());
    let mut globals =
        Vec::with_capacity(count(|k| matches!(k, ImportKind::Global(_))) + decoded.globals.len());
    let mut tags = Vec::new();
    let inner = &mut store.inner;
    inner.funcs.reserve(decoded.functions.len());
    inner.tables.reserve(decoded.tables.len());
    inner.memories.reserve(decoded.memories.len());
    inner.globals.reserve(decoded.globals.len());
    inner.instances.reserve(1);
    // The store's ids of the module's types: a type index in the module's
    // value types becomes its id, so types compare across modules.
    let mut type_ids: Vec<u32> = Vec::with_capacity(decoded.types.len());
    while type_ids.len() < decoded.types.len() {
        let info = decoded.subtype(type_ids.len() as u32);
        let range = info.group_start as usize..(info.group_start + info.group_len) as usize;
        let group: Vec<GroupType<'_>> = range
            .clone()
            .map(|i| GroupType {
                ty: &decoded.types[i],
                is_final: decoded.subtype(i as u32).is_final,
                supertype: decoded.subtype(i as u32).supertype,
            })
            .collect();
        let first = store
            .inner
            .types
            .intern_group(&group, info.group_start, &type_ids);
        type_ids.extend((0..group.len() as u32).map(|k| first + k));
    }
    let to_id = |i: u32| type_ids[i as usize];
    for (import, provided) in decoded.imports.iter().zip(imports) {
        let name = || alloc::format!("{}::{}", import.module, import.name);
        if let (ImportKind::Func(ty), Extern::Func(f)) = (import.kind, provided) {
            let actual = store.inner.funcs[f.index as usize].type_id();
            if !store.inner.types.is_subtype(actual, type_ids[ty as usize]) {
                return Err(Error::Link(alloc::format!(
                    "{}: function type mismatch",
                    name()
                )));
            }
            funcs.push(f.index);
            continue;
        }
        let actual = provided.ty(&*store);
        match (import.kind, provided, actual) {
            (ImportKind::Table(ty), Extern::Table(t), ExternType::Table(actual)) => {
                let element = ty.element.map_indices(to_id);
                if element != actual.element
                    || ty.table64 != actual.table64
                    || !limits_match(actual.limits, ty.limits)
                {
                    return Err(Error::Link(alloc::format!(
                        "{}: table type mismatch",
                        name()
                    )));
                }
                tables.push(t.index);
            }
            (ImportKind::Memory(ty), Extern::Memory(m), ExternType::Memory(actual)) => {
                if actual.memory64 != ty.memory64
                    || actual.page_size_log2 != ty.page_size_log2
                    || !limits_match(actual.limits, ty.limits)
                {
                    return Err(Error::Link(alloc::format!(
                        "{}: memory type mismatch",
                        name()
                    )));
                }
                memories.push(m.index);
            }
            (ImportKind::Global(ty), Extern::Global(g), ExternType::Global(actual)) => {
                let content = ty.content.map_indices(to_id);
                // An immutable global may hold a subtype; a mutable one
                // must match exactly.
                let fits = match ty.mutable {
                    true => content == actual.content,
                    false => match (actual.content, content) {
                        (ValType::Ref(a), ValType::Ref(b)) => a.matches(b, &store.inner.types),
                        (a, b) => a == b,
                    },
                };
                if ty.mutable != actual.mutable || !fits {
                    return Err(Error::Link(alloc::format!(
                        "{}: global type mismatch",
                        name()
                    )));
                }
                globals.push(g.index);
            }
            (ImportKind::Tag(ty), Extern::Tag(t), ExternType::Tag(_)) => {
                // Tag types match exactly (by canonical id), as in the spec.
                if store.inner.tags[t.index as usize].type_id != type_ids[ty as usize] {
                    return Err(Error::Link(alloc::format!("{}: tag type mismatch", name())));
                }
                tags.push(t.index);
            }
            _ => {
                return Err(Error::Link(alloc::format!(
                    "{}: import kind mismatch",
                    name()
                )))
            }
        }
    }

    for (i, type_index) in decoded.functions.iter().enumerate() {
        store.inner.funcs.push(FuncEntity::Wasm {
            type_id: type_ids[*type_index as usize],
            instance: index,
            module: Arc::clone(&compiled),
            index: i as u32,
        });
        funcs.push(store.inner.funcs.len() as u32 - 1);
    }
    for (ty, init) in decoded.tables.iter().zip(&decoded.table_inits) {
        let fill = match init {
            Some(init) => {
                eval_const(store.inner.const_scope(), &type_ids, &funcs, &globals, init)? as u64
            }
            None => 0,
        };
        let ty = TableType {
            element: ty.element.map_indices(to_id),
            ..*ty
        };
        tables.push(store.new_table_entity(ty, fill)?);
    }
    for ty in &decoded.tags {
        let type_id = type_ids[*ty as usize];
        store
            .inner
            .tags
            .push(crate::exec::store::TagEntity { type_id });
        tags.push(store.inner.tags.len() as u32 - 1);
    }
    for ty in &decoded.memories {
        memories.push(store.new_memory_entity(*ty)?);
    }
    for global in &decoded.globals {
        let value = eval_const(
            store.inner.const_scope(),
            &type_ids,
            &funcs,
            &globals,
            &global.init,
        )?;
        let ty = GlobalType {
            content: global.ty.content.map_indices(to_id),
            ..global.ty
        };
        store.inner.globals.push(GlobalEntity { ty, value });
        globals.push(store.inner.globals.len() as u32 - 1);
    }
    let mut elems: Vec<Vec<u64>> = Vec::with_capacity(decoded.elements.len());
    for element in &decoded.elements {
        let mut items = Vec::with_capacity(element.items.len());
        for item in &element.items {
            items.push(
                eval_const(store.inner.const_scope(), &type_ids, &funcs, &globals, item)? as u64,
            );
        }
        elems.push(items);
    }
    let data_dropped = alloc::vec![false; decoded.data.len()];
    store.inner.instances.push(InstanceEntity {
        module: Arc::clone(&compiled),
        funcs,
        tables,
        memories,
        globals,
        tags,
        elems,
        data_dropped,
        type_ids,
    });

    // Active segments are applied in order; a trap leaves earlier ones in place.
    let trap = |code: TrapCode| Error::Trap(Trap::new(code));
    for (i, element) in decoded.elements.iter().enumerate() {
        match &element.mode {
            ElementMode::Active { table, offset } => {
                let value = eval_in_instance(&mut store.inner, index, offset)?;
                let table_addr =
                    store.inner.instances[index as usize].tables[*table as usize] as usize;
                // The offset is an i32 (zero-extended) or, for a 64-bit table, an i64.
                let start = match store.inner.tables[table_addr].ty.table64 {
                    true => usize::try_from(value as u64).unwrap_or(usize::MAX),
                    false => value as u32 as usize,
                };
                let items = core::mem::take(&mut store.inner.instances[index as usize].elems[i]);
                let elements = &mut store.inner.tables[table_addr].elements;
                let end = start
                    .checked_add(items.len())
                    .filter(|end| *end <= elements.len())
                    .ok_or_else(|| trap(TrapCode::TableOutOfBounds))?;
                elements[start..end].copy_from_slice(&items);
            }
            ElementMode::Declarative => {
                store.inner.instances[index as usize].elems[i] = Vec::new();
            }
            ElementMode::Passive => {}
        }
    }
    for (i, data) in decoded.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &data.mode {
            let memory_addr =
                store.inner.instances[index as usize].memories[*memory as usize] as usize;
            let value = eval_in_instance(&mut store.inner, index, offset)?;
            // The offset is an i32 (zero-extended) or, for a 64-bit memory, an i64.
            let start = match store.inner.memories[memory_addr].ty.memory64 {
                true => usize::try_from(value as u64).unwrap_or(usize::MAX),
                false => value as u32 as usize,
            };
            store.inner.instances[index as usize].data_dropped[i] = true;
            let bytes = &decoded.bytes[data.range.clone()];
            let memory = &mut store.inner.memories[memory_addr].data;
            let end = start
                .checked_add(bytes.len())
                .filter(|end| *end <= memory.len())
                .ok_or_else(|| trap(TrapCode::MemoryOutOfBounds))?;
            memory[start..end].copy_from_slice(bytes);
        }
    }
    Ok(Instance {
        store: store.inner.id,
        index,
    })
}
