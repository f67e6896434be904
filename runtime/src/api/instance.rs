//! `Instance`: a module instantiated in a store, and instantiation itself.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::error::Error;
use super::externals::{Extern, Global, Memory, Table};
use super::module::Module;
use super::store::{AsContext, AsContextMut, Store};
use super::typed::{TypedFunc, WasmTyList};
use super::values::Func;
use crate::binary::{ConstExpr, DataMode, ElementMode, ExportKind, ImportKind, Instruction};
use crate::exec::memory::LinearMemory;
use crate::exec::store::{
    ExternAddr, FuncEntity, GlobalEntity, InstanceEntity, StoreInner, TableEntity,
};
use crate::exec::trap::{Trap, TrapCode};
use crate::types::{ExternType, Limits};

/// A module instance in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

impl Instance {
    /// Instantiates `module` with `imports` (in the module's import order) and
    /// runs its start function.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        let store = store.as_context_mut();
        let instance = instantiate(store, module, imports)?;
        if let Some(start) = module.compiled.module.start {
            let addr = store.inner.instances[instance.0 as usize].funcs[start as usize];
            Func(addr).call(&mut *store, &[], &mut [])?;
        }
        Ok(instance)
    }

    /// The export called `name`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let store = store.as_context();
        let instance = &store.inner.instances[self.0 as usize];
        instance.exports.get(name).copied().map(Extern::from_addr)
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

    /// Every export, by name.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let store = store.as_context();
        store.inner.instances[self.0 as usize]
            .exports
            .iter()
            .map(|(name, addr)| (name.clone(), Extern::from_addr(*addr)))
            .collect()
    }

    /// The instance's memory 0, exported or not.
    pub fn default_memory(&self, store: impl AsContext) -> Option<Memory> {
        let store = store.as_context();
        store.inner.instances[self.0 as usize]
            .memories
            .first()
            .map(|&addr| Memory(addr))
    }
}

fn limits_match(actual: Limits, expected: Limits) -> bool {
    actual.min >= expected.min
        && match expected.max {
            None => true,
            Some(max) => actual.max.is_some_and(|a| a <= max),
        }
}

/// Evaluates a validated constant expression in a partly built instance.
fn eval_const(inner: &StoreInner, funcs: &[u32], globals: &[u32], expr: &ConstExpr) -> u128 {
    match expr.instructions.first() {
        Some(Instruction::I32Const { value }) => u128::from(*value as u32),
        Some(Instruction::I64Const { value }) => u128::from(*value as u64),
        Some(Instruction::F32Const { value }) => u128::from(value.0),
        Some(Instruction::F64Const { value }) => u128::from(value.0),
        Some(Instruction::V128Const { value }) => value.0,
        Some(Instruction::RefNull { .. }) => 0,
        Some(Instruction::RefFunc { funcidx }) => u128::from(funcs[*funcidx as usize]) + 1,
        Some(Instruction::GlobalGet { globalidx }) => {
            inner.globals[globals[*globalidx as usize] as usize].value
        }
        Some(_) | None => unreachable!("validation admits exactly one constant instruction"),
    }
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
    let limits = store.limits;
    if store.inner.instances.len() >= limits.max_instances {
        return Err(Error::Usage("the store's instance limit is reached".into()));
    }
    for table in &decoded.tables {
        if table.limits.min as usize > limits.max_table_elements {
            return Err(Error::Usage("a table exceeds the store's limit".into()));
        }
    }
    for memory in &decoded.memories {
        if memory.limits.min as usize * crate::exec::PAGE_SIZE > limits.max_memory_bytes {
            return Err(Error::Usage("a memory exceeds the store's limit".into()));
        }
    }
    let index = store.inner.instances.len() as u32;
    let mut funcs = Vec::new();
    let mut tables = Vec::new();
    let mut memories = Vec::new();
    let mut globals = Vec::new();
    for (import, provided) in decoded.imports.iter().zip(imports) {
        let actual = provided.ty(&*store);
        let name = || alloc::format!("{}::{}", import.module, import.name);
        match (import.kind, provided, actual) {
            (ImportKind::Func(ty), Extern::Func(f), ExternType::Func(actual)) => {
                if decoded.types[ty as usize] != actual {
                    return Err(Error::Link(alloc::format!(
                        "{}: function type mismatch",
                        name()
                    )));
                }
                funcs.push(f.0);
            }
            (ImportKind::Table(ty), Extern::Table(t), ExternType::Table(actual)) => {
                if ty.element != actual.element || !limits_match(actual.limits, ty.limits) {
                    return Err(Error::Link(alloc::format!(
                        "{}: table type mismatch",
                        name()
                    )));
                }
                tables.push(t.0);
            }
            (ImportKind::Memory(ty), Extern::Memory(m), ExternType::Memory(actual)) => {
                if !limits_match(actual.limits, ty.limits) {
                    return Err(Error::Link(alloc::format!(
                        "{}: memory type mismatch",
                        name()
                    )));
                }
                memories.push(m.0);
            }
            (ImportKind::Global(ty), Extern::Global(g), ExternType::Global(actual)) => {
                if ty != actual {
                    return Err(Error::Link(alloc::format!(
                        "{}: global type mismatch",
                        name()
                    )));
                }
                globals.push(g.0);
            }
            _ => {
                return Err(Error::Link(alloc::format!(
                    "{}: import kind mismatch",
                    name()
                )))
            }
        }
    }

    let type_ids: Vec<u32> = decoded
        .types
        .iter()
        .map(|ty| store.inner.types.intern(ty))
        .collect();
    for (i, type_index) in decoded.functions.iter().enumerate() {
        store.inner.funcs.push(FuncEntity::Wasm {
            type_id: type_ids[*type_index as usize],
            instance: index,
            module: Arc::clone(&compiled),
            index: i as u32,
        });
        funcs.push(store.inner.funcs.len() as u32 - 1);
    }
    for ty in &decoded.tables {
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(ty.limits.min as usize)
            .map_err(|_| Error::Usage("cannot allocate a table".into()))?;
        elements.resize(ty.limits.min as usize, 0);
        store.inner.tables.push(TableEntity { ty: *ty, elements });
        tables.push(store.inner.tables.len() as u32 - 1);
    }
    for ty in &decoded.memories {
        let memory = LinearMemory::new(*ty)
            .ok_or_else(|| Error::Usage("cannot allocate a memory".into()))?;
        store.inner.memories.push(memory);
        memories.push(store.inner.memories.len() as u32 - 1);
    }
    for global in &decoded.globals {
        let value = eval_const(&store.inner, &funcs, &globals, &global.init);
        store.inner.globals.push(GlobalEntity {
            ty: global.ty,
            value,
        });
        globals.push(store.inner.globals.len() as u32 - 1);
    }
    let elems: Vec<Vec<u64>> = decoded
        .elements
        .iter()
        .map(|element| {
            element
                .items
                .iter()
                .map(|item| eval_const(&store.inner, &funcs, &globals, item) as u64)
                .collect()
        })
        .collect();
    let datas = decoded
        .data
        .iter()
        .map(|data| Arc::from(&decoded.bytes[data.range.clone()]))
        .collect();
    let mut exports = BTreeMap::new();
    for export in &decoded.exports {
        let i = export.index as usize;
        let addr = match export.kind {
            ExportKind::Func => ExternAddr::Func(funcs[i]),
            ExportKind::Table => ExternAddr::Table(tables[i]),
            ExportKind::Memory => ExternAddr::Memory(memories[i]),
            ExportKind::Global => ExternAddr::Global(globals[i]),
        };
        exports.insert(export.name.clone(), addr);
    }
    store.inner.instances.push(InstanceEntity {
        module: Arc::clone(&compiled),
        funcs,
        tables,
        memories,
        globals,
        elems,
        datas,
        type_ids,
        exports,
    });

    // Active segments are applied in order; a trap leaves earlier ones in place.
    let trap = |code: TrapCode| Error::Trap(Trap::new(code));
    for (i, element) in decoded.elements.iter().enumerate() {
        match &element.mode {
            ElementMode::Active { table, offset } => {
                let instance = &store.inner.instances[index as usize];
                let start = eval_const(&store.inner, &instance.funcs, &instance.globals, offset)
                    as u32 as usize;
                let table_addr = instance.tables[*table as usize] as usize;
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
        if let DataMode::Active { offset, .. } = &data.mode {
            let instance = &store.inner.instances[index as usize];
            let start = eval_const(&store.inner, &instance.funcs, &instance.globals, offset) as u32
                as usize;
            let memory_addr = instance.memories[0] as usize;
            let bytes = core::mem::replace(
                &mut store.inner.instances[index as usize].datas[i],
                Arc::from(&[][..]),
            );
            let memory = &mut store.inner.memories[memory_addr].data;
            let end = start
                .checked_add(bytes.len())
                .filter(|end| *end <= memory.len())
                .ok_or_else(|| trap(TrapCode::MemoryOutOfBounds))?;
            memory[start..end].copy_from_slice(&bytes);
        }
    }
    Ok(Instance(index))
}
