//! Things an instance imports and exports: functions, memories, globals and
//! tables, each a handle into a store; and `Caller`, a host function's view
//! of the store and the calling instance.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::error::Error;
use super::store::{AsContext, AsContextMut, Store};
use super::values::{Func, Val};
use crate::exec::memory::LinearMemory;
use crate::exec::store::{ExternAddr, GlobalEntity, TableEntity};
use crate::exec::trace::Tracer;
use crate::exec::trap::Trap;
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, TableType};

/// A linear memory in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

/// A global in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

/// A table in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

/// Anything that can be imported or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// A global.
    Global(Global),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// Its type.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let store = store.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(store.inner.func_type(f.0).clone()),
            Extern::Table(t) => {
                let table = &store.inner.tables[t.0 as usize];
                let mut ty = table.ty;
                ty.limits.min = table.elements.len() as u32;
                ExternType::Table(ty)
            }
            Extern::Memory(m) => {
                let memory = &store.inner.memories[m.0 as usize];
                let mut ty = memory.ty;
                ty.limits.min = memory.pages();
                ExternType::Memory(ty)
            }
            Extern::Global(g) => ExternType::Global(store.inner.globals[g.0 as usize].ty),
        }
    }

    pub(crate) fn from_addr(addr: ExternAddr) -> Extern {
        match addr {
            ExternAddr::Func(a) => Extern::Func(Func(a)),
            ExternAddr::Table(a) => Extern::Table(Table(a)),
            ExternAddr::Memory(a) => Extern::Memory(Memory(a)),
            ExternAddr::Global(a) => Extern::Global(Global(a)),
        }
    }
}

impl Func {
    /// A host function of type `ty` implemented by `func`.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        store.as_context_mut().add_host_func(&ty, Arc::new(func))
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        store.as_context().inner.func_type(self.0).clone()
    }

    /// Calls the function with `params`, writing its results into `results`.
    pub fn call(
        &self,
        store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        self.call_with(store, params, results, None)
    }

    /// Like [`Func::call`], reporting every wasm instruction to `tracer`
    /// before it runs. Only code compiled with [`Config::trace`](crate::Config::trace)
    /// reports anything.
    pub fn call_traced<T>(
        &self,
        store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
        tracer: &mut dyn Tracer,
    ) -> Result<(), Error> {
        self.call_with(store, params, results, Some(tracer))
    }

    fn call_with<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
        tracer: Option<&mut dyn Tracer>,
    ) -> Result<(), Error> {
        let store = store.as_context_mut();
        let ty = store.inner.func_type(self.0);
        let types_match = params.len() == ty.params().len()
            && params.iter().zip(ty.params()).all(|(v, t)| v.ty() == *t);
        if !types_match {
            return Err(Error::Usage(alloc::format!(
                "arguments do not match the function's type {ty}"
            )));
        }
        if results.len() != ty.results().len() {
            return Err(Error::Usage(alloc::format!(
                "expected room for {} results",
                ty.results().len()
            )));
        }
        let values =
            super::call::invoke(store, self.0, params, tracer).map_err(|trap| {
                match trap.exit_status {
                    Some(status) => Error::Exit(status),
                    None => Error::Trap(trap),
                }
            })?;
        results.copy_from_slice(&values);
        Ok(())
    }
}

impl Memory {
    /// A new memory of type `ty` in the store.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        let store = store.as_context_mut();
        let memory = LinearMemory::new(ty)
            .ok_or_else(|| Error::Usage("cannot allocate the memory".into()))?;
        store.inner.memories.push(memory);
        Ok(Memory(store.inner.memories.len() as u32 - 1))
    }

    /// The memory's bytes.
    pub fn data<'a, T: 'a>(&self, store: &'a impl AsContext<Data = T>) -> &'a [u8] {
        &store.as_context().inner.memories[self.0 as usize].data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(&self, store: &'a mut impl AsContextMut<Data = T>) -> &'a mut [u8] {
        &mut store.as_context_mut().inner.memories[self.0 as usize].data
    }

    /// Size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> u32 {
        store.as_context().inner.memories[self.0 as usize].pages()
    }

    /// Grows by `delta` pages, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32) -> Result<u32, Error> {
        let store = store.as_context_mut();
        let limit = store.limits.max_memory_bytes;
        store.inner.memories[self.0 as usize]
            .grow(delta, limit)
            .ok_or_else(|| Error::Usage("memory cannot grow that far".into()))
    }

    /// Copies bytes at `offset` into `buffer`.
    pub fn read(
        &self,
        store: impl AsContext,
        offset: usize,
        buffer: &mut [u8],
    ) -> Result<(), Error> {
        let data = &store.as_context().inner.memories[self.0 as usize].data;
        let source = offset
            .checked_add(buffer.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| Error::Usage("out of bounds memory access".into()))?;
        buffer.copy_from_slice(source);
        Ok(())
    }

    /// Copies `bytes` into the memory at `offset`.
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: usize,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let data = &mut store.as_context_mut().inner.memories[self.0 as usize].data;
        let target = offset
            .checked_add(bytes.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| Error::Usage("out of bounds memory access".into()))?;
        target.copy_from_slice(bytes);
        Ok(())
    }
}

impl Global {
    /// A new global of type `ty` holding `value`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global, Error> {
        if value.ty() != ty.content {
            return Err(Error::Usage("global value does not match its type".into()));
        }
        let store = store.as_context_mut();
        store.inner.globals.push(GlobalEntity {
            ty,
            value: value.to_bits(),
        });
        Ok(Global(store.inner.globals.len() as u32 - 1))
    }

    /// The global's value.
    pub fn get(&self, store: impl AsContext) -> Val {
        let global = &store.as_context().inner.globals[self.0 as usize];
        Val::from_bits(global.ty.content, global.value)
    }

    /// Sets a mutable global.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<(), Error> {
        let global = &mut store.as_context_mut().inner.globals[self.0 as usize];
        if !global.ty.mutable {
            return Err(Error::Usage("global is immutable".into()));
        }
        if value.ty() != global.ty.content {
            return Err(Error::Usage("global value does not match its type".into()));
        }
        global.value = value.to_bits();
        Ok(())
    }
}

impl Table {
    /// A new table of type `ty` filled with `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        if init.ty() != ty.element.into() {
            return Err(Error::Usage("table element does not match its type".into()));
        }
        let store = store.as_context_mut();
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(ty.limits.min as usize)
            .map_err(|_| Error::Usage("cannot allocate the table".into()))?;
        elements.resize(ty.limits.min as usize, init.to_bits() as u64);
        store.inner.tables.push(TableEntity { ty, elements });
        Ok(Table(store.inner.tables.len() as u32 - 1))
    }

    /// Size in elements.
    pub fn size(&self, store: impl AsContext) -> u32 {
        store.as_context().inner.tables[self.0 as usize]
            .elements
            .len() as u32
    }

    /// Element `index`, if in bounds.
    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let table = &store.as_context().inner.tables[self.0 as usize];
        let bits = *table.elements.get(index as usize)?;
        Some(Val::from_bits(table.ty.element.into(), u128::from(bits)))
    }

    /// Sets element `index`.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<(), Error> {
        let table = &mut store.as_context_mut().inner.tables[self.0 as usize];
        if value.ty() != table.ty.element.into() {
            return Err(Error::Usage("table element does not match its type".into()));
        }
        let slot = table
            .elements
            .get_mut(index as usize)
            .ok_or_else(|| Error::Usage("out of bounds table access".into()))?;
        *slot = value.to_bits() as u64;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32, Error> {
        let store = store.as_context_mut();
        let limit = store.limits.max_table_elements;
        store.inner.tables[self.0 as usize]
            .grow(delta, init.to_bits() as u64, limit)
            .ok_or_else(|| Error::Usage("table cannot grow that far".into()))
    }
}

/// What a host function sees: the store, and the instance that called it.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    instance: Option<u32>,
}

impl<'a, T> Caller<'a, T> {
    pub(crate) fn new(store: &'a mut Store<T>, instance: Option<u32>) -> Self {
        Caller { store, instance }
    }

    /// The host's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// An export of the calling instance.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let instance = &self.store.inner.instances[self.instance? as usize];
        instance.exports.get(name).copied().map(Extern::from_addr)
    }

    /// The calling instance's memory 0, exported or not (WASI uses it when the
    /// module exports no `memory`).
    pub fn default_memory(&self) -> Option<Memory> {
        let instance = &self.store.inner.instances[self.instance? as usize];
        instance.memories.first().map(|&addr| Memory(addr))
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}
