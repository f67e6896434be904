//! What a store owns at run time: functions, tables, memories, globals,
//! segments and instances, all addressed by index.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::memory::LinearMemory;
use super::stack::StackStorage;
use crate::ir::CompiledModule;
use crate::types::{FuncType, GlobalType, TableType};

/// A function in the store.
pub(crate) enum FuncEntity {
    /// A function defined by a module instance.
    Wasm {
        /// Store-wide id of its type.
        type_id: u32,
        /// The instance whose index spaces its code refers to.
        instance: u32,
        /// Keeps the compiled code alive.
        module: Arc<CompiledModule>,
        /// Index into `module.funcs`.
        index: u32,
    },
    /// A function implemented by the host.
    Host {
        /// Store-wide id of its type.
        type_id: u32,
        /// Index into the store's host function list.
        host: u32,
    },
}

impl FuncEntity {
    pub(crate) fn type_id(&self) -> u32 {
        match self {
            FuncEntity::Wasm { type_id, .. } | FuncEntity::Host { type_id, .. } => *type_id,
        }
    }
}

/// A table: references as raw slots (0 is null).
pub(crate) struct TableEntity {
    pub(crate) ty: TableType,
    pub(crate) elements: Vec<u64>,
}

impl TableEntity {
    /// Grows by `delta` elements set to `init`; returns the old size or `None`.
    pub(crate) fn grow(&mut self, delta: u32, init: u64, limit: usize) -> Option<u32> {
        let old = self.elements.len() as u32;
        let new = old.checked_add(delta)?;
        if self.ty.limits.max.is_some_and(|max| new > max) || new as usize > limit {
            return None;
        }
        self.elements.try_reserve_exact(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        Some(old)
    }
}

/// A global: its type and value bits (a `v128` uses all 128).
pub(crate) struct GlobalEntity {
    pub(crate) ty: GlobalType,
    pub(crate) value: u128,
}

/// An instance's index spaces, mapped to store addresses.
pub(crate) struct InstanceEntity {
    pub(crate) module: Arc<CompiledModule>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) memories: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    /// Element segments (emptied by `elem.drop`).
    pub(crate) elems: Vec<Vec<u64>>,
    /// Data segments (emptied by `data.drop`).
    pub(crate) datas: Vec<Arc<[u8]>>,
    /// Store type id of each module type index.
    pub(crate) type_ids: Vec<u32>,
    pub(crate) exports: BTreeMap<String, ExternAddr>,
}

/// A store address of something an instance exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExternAddr {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// Interns function types so `call_indirect` compares two integers.
#[derive(Default)]
pub(crate) struct TypeRegistry {
    /// Shared, so a host call can hold its type without copying it.
    types: Vec<Arc<FuncType>>,
    ids: BTreeMap<FuncType, u32>,
}

impl TypeRegistry {
    pub(crate) fn intern(&mut self, ty: &FuncType) -> u32 {
        if let Some(id) = self.ids.get(ty) {
            return *id;
        }
        let id = self.types.len() as u32;
        self.types.push(Arc::new(ty.clone()));
        self.ids.insert(ty.clone(), id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> &FuncType {
        &self.types[id as usize]
    }

    /// The type `id`, shared.
    pub(crate) fn get_shared(&self, id: u32) -> Arc<FuncType> {
        Arc::clone(&self.types[id as usize])
    }
}

/// Everything a store owns apart from the host's data and functions.
pub(crate) struct StoreInner {
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) memories: Vec<LinearMemory>,
    pub(crate) globals: Vec<GlobalEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    pub(crate) types: TypeRegistry,
    /// The value stack, allocated on the first call.
    pub(crate) stack: Option<StackStorage>,
    /// First free stack slot: where a nested call (host -> wasm) starts.
    pub(crate) stack_top: usize,
    /// Wasm frames live in calls that are still running (nested calls included).
    pub(crate) depth: usize,
    /// Fuel left, when the engine meters fuel.
    pub(crate) fuel: u64,
    /// Handlers run by calls into this store (measuring builds only).
    #[cfg(feature = "dispatch-counts")]
    pub(crate) dispatches: u64,
    /// Set by an [`InterruptHandle`](crate::InterruptHandle) to stop the running call.
    pub(crate) interrupt: alloc::sync::Arc<core::sync::atomic::AtomicBool>,
}

impl StoreInner {
    pub(crate) fn new() -> Self {
        StoreInner {
            funcs: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            instances: Vec::new(),
            types: TypeRegistry::default(),
            stack: None,
            stack_top: 0,
            depth: 0,
            fuel: 0,
            #[cfg(feature = "dispatch-counts")]
            dispatches: 0,
            interrupt: Default::default(),
        }
    }

    /// The type of function `addr`.
    pub(crate) fn func_type(&self, addr: u32) -> &FuncType {
        self.types.get(self.funcs[addr as usize].type_id())
    }
}
