//! Things an instance imports and exports: functions, memories, globals and
//! tables, each a handle into a store; and `Caller`, a host function's view
//! of the store and the calling instance.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::error::Error;
use super::store::{AsContext, AsContextMut, Store};
use super::values::{Func, Val};
use crate::exec::memory::{pages_to_bytes, LinearMemory};
use crate::exec::store::{ExternAddr, GlobalEntity, TableEntity, TagEntity};
use crate::exec::trace::Tracer;
use crate::exec::trap::Trap;
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, TableType, TagType};

/// A linear memory in a store (the handle carries the store's id: see
/// [the crate docs](crate#store-isolation)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// A global in a store (the handle carries the store's id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// A table in a store (the handle carries the store's id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// An exception tag in a store (the handle carries the store's id). Two
/// handles are the same tag when they are equal: exceptions are caught by
/// tag identity, not by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Tag {
    /// A new tag whose exceptions carry the parameters of `ty`.
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag, Error> {
        let store = store.as_context_mut();
        let type_id = store.inner.types.intern(&ty.ty);
        store.inner.tags.push(TagEntity { type_id });
        Ok(Tag {
            store: store.inner.id,
            index: (store.inner.tags.len() - 1) as u32,
        })
    }

    /// The tag's type.
    ///
    /// # Panics
    /// If `store` does not own the tag.
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let store = store.as_context();
        store.assert_owns(self.store);
        let type_id = store.inner.tags[self.index as usize].type_id;
        TagType {
            ty: store.inner.types.get(type_id).clone(),
        }
    }
}

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
    /// An exception tag.
    Tag(Tag),
}

impl Extern {
    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

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
    ///
    /// # Panics
    /// If `store` does not own it.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let store = store.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }

    /// The id of the store that owns it.
    pub(crate) fn store_id(&self) -> u64 {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
            Extern::Tag(t) => t.store,
        }
    }

    /// The handle of `addr` in store `store`.
    pub(crate) fn from_addr(addr: ExternAddr, store: u64) -> Extern {
        match addr {
            ExternAddr::Func(index) => Extern::Func(Func { store, index }),
            ExternAddr::Table(index) => Extern::Table(Table { store, index }),
            ExternAddr::Memory(index) => Extern::Memory(Memory { store, index }),
            ExternAddr::Global(index) => Extern::Global(Global { store, index }),
            ExternAddr::Tag(index) => Extern::Tag(Tag { store, index }),
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
    ///
    /// # Panics
    /// If `store` does not own the function.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.as_context();
        store.assert_owns(self.store);
        store.inner.func_type(self.index).clone()
    }

    /// Calls the function with `params`, writing its results into `results`.
    /// An [`Error::StoreMismatch`] if `store` does not own the function or
    /// a reference among `params`.
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
        store.check_owns(self.store)?;
        for param in params {
            param.check_store(store.inner.id)?;
        }
        let ty = store.inner.func_type(self.index);
        let types_match = params.len() == ty.params().len()
            && params
                .iter()
                .zip(ty.params())
                .all(|(v, t)| v.fits(*t, &store.inner));
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
        let values = super::call::invoke(store, self.index, params, tracer).map_err(|trap| {
            match trap.exit_status {
                Some(status) => Error::Exit(status),
                None => Error::Trap(trap),
            }
        })?;
        results.copy_from_slice(&values);
        Ok(())
    }
}

impl<T> Store<T> {
    /// Adds a memory of type `ty`, if the limiter allows: its address.
    pub(crate) fn new_memory_entity(&mut self, ty: MemoryType) -> Result<u32, Error> {
        if self.inner.memories.len() >= self.resource_limiter().memories() {
            return Err(Error::Usage(
                "the store's memory count limit is reached".into(),
            ));
        }
        let pages = |n: u64| pages_to_bytes(&ty, n).unwrap_or(usize::MAX);
        let bytes = pages(ty.limits.min);
        let maximum = ty.limits.max.map(pages);
        if !self.resource_limiter().memory_growing(0, bytes, maximum)? {
            return Err(Error::Usage("a memory exceeds the store's limit".into()));
        }
        let memory = LinearMemory::new(ty)
            .ok_or_else(|| Error::Usage("cannot allocate the memory".into()))?;
        self.inner.memories.push(memory);
        Ok(self.inner.memories.len() as u32 - 1)
    }

    /// Adds a table of type `ty` filled with `init` bits, if the limiter
    /// allows: its address.
    pub(crate) fn new_table_entity(&mut self, ty: TableType, init: u64) -> Result<u32, Error> {
        if self.inner.tables.len() >= self.resource_limiter().tables() {
            return Err(Error::Usage(
                "the store's table count limit is reached".into(),
            ));
        }
        let size = usize::try_from(ty.limits.min).unwrap_or(usize::MAX);
        let maximum = ty
            .limits
            .max
            .map(|max| usize::try_from(max).unwrap_or(usize::MAX));
        if !self.resource_limiter().table_growing(0, size, maximum)? {
            return Err(Error::Usage("a table exceeds the store's limit".into()));
        }
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(size)
            .map_err(|_| Error::Usage("cannot allocate the table".into()))?;
        elements.resize(size, init);
        self.inner.tables.push(TableEntity { ty, elements });
        Ok(self.inner.tables.len() as u32 - 1)
    }
}

/// `[start, start + len)` as a range inside `size`, if it fits.
fn span(start: u64, len: u64, size: usize) -> Option<core::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

impl Memory {
    /// A new memory of type `ty` in the store (the store's limiter is asked).
    /// Its page size must be 1 byte or 64 KiB.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        if !ty.page_size_is_valid() {
            return Err(Error::Usage(alloc::format!(
                "invalid memory page size 2^{}: only 1 byte and 64 KiB pages exist",
                ty.page_size_log2
            )));
        }
        let store = store.as_context_mut();
        let index = store.new_memory_entity(ty)?;
        Ok(Memory {
            store: store.inner.id,
            index,
        })
    }

    /// The memory in `store`, after checking that `store` owns it.
    #[track_caller]
    fn entity<'a, T>(&self, store: &'a Store<T>) -> &'a LinearMemory {
        store.assert_owns(self.store);
        &store.inner.memories[self.index as usize]
    }

    /// The memory's type, with its current size as the minimum.
    ///
    /// # Panics
    /// If `store` does not own the memory (as for every method here that
    /// returns no `Result`).
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let memory = self.entity(store.as_context());
        let mut ty = memory.ty;
        ty.limits.min = memory.pages();
        ty
    }

    /// The memory's bytes. The slice borrows the store, so nothing can grow
    /// (and so move) the memory while it is live:
    ///
    /// ```compile_fail
    /// use tabula::{Engine, Memory, MemoryType, Store};
    ///
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    /// let bytes = memory.data(&store);
    /// memory.grow(&mut store, 1).unwrap(); // error: `store` is borrowed by `bytes`
    /// println!("{}", bytes[0]);
    /// ```
    pub fn data<'a, T: 'a>(&self, store: &'a impl AsContext<Data = T>) -> &'a [u8] {
        &self.entity(store.as_context()).data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(&self, store: &'a mut impl AsContextMut<Data = T>) -> &'a mut [u8] {
        let store = store.as_context_mut();
        store.assert_owns(self.store);
        &mut store.inner.memories[self.index as usize].data
    }

    /// The address of the memory's first byte, as wasmtime's `data_ptr`.
    ///
    /// ```
    /// use tabula::{Engine, Memory, MemoryType, Store};
    ///
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
    /// memory.write(&mut store, 8, b"abc")?;
    /// assert_eq!(memory.data_size(&store), 65536);
    /// assert_eq!(memory.ty(&store), MemoryType::new(1, Some(2)));
    /// let ptr = memory.data_ptr(&store);
    /// // SAFETY: in bounds; nothing grows the memory or borrows its bytes meanwhile.
    /// assert_eq!(unsafe { *ptr.add(9) }, b'b');
    /// assert_eq!(memory.grow(&mut store, 1)?, 1); // sizes are u64, ready for memory64
    /// assert_eq!(memory.size(&store), 2);
    /// # Ok::<(), tabula::Error>(())
    /// ```
    /// Reading or writing through it
    /// is `unsafe`: the pointer is valid for [`Memory::data_size`] bytes only
    /// until the memory grows (which may move it) or the store is dropped,
    /// and must not be used while a `&`/`&mut` from [`Memory::data`] or
    /// [`Memory::data_mut`] is live. Prefer those borrowed slices.
    pub fn data_ptr(&self, store: impl AsContext) -> *mut u8 {
        self.entity(store.as_context()).data.as_ptr().cast_mut()
    }

    /// The memory's size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.entity(store.as_context()).data.len()
    }

    /// Size in pages of the memory's page size (64 KiB unless its type
    /// says 1 byte).
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(store.as_context()).pages()
    }

    /// Grows by `delta` pages (of the memory's page size), returning the old
    /// size in pages; an error
    /// past the memory's maximum or when the store's limiter refuses.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64, Error> {
        let store = store.as_context_mut();
        store.check_owns(self.store)?;
        store.grow_memory(self.index, delta)
    }

    /// Copies bytes at `offset` into `buffer`.
    pub fn read(
        &self,
        store: impl AsContext,
        offset: usize,
        buffer: &mut [u8],
    ) -> Result<(), Error> {
        let store = store.as_context();
        store.check_owns(self.store)?;
        let data = &store.inner.memories[self.index as usize].data;
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
        let store = store.as_context_mut();
        store.check_owns(self.store)?;
        let data = &mut store.inner.memories[self.index as usize].data;
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
        let store = store.as_context_mut();
        value.check_store(store.inner.id)?;
        if !value.fits(ty.content, &store.inner) {
            return Err(Error::Usage("global value does not match its type".into()));
        }
        store.inner.globals.push(GlobalEntity {
            ty,
            value: value.to_bits(),
        });
        Ok(Global {
            store: store.inner.id,
            index: store.inner.globals.len() as u32 - 1,
        })
    }

    /// The global's type.
    ///
    /// # Panics
    /// If `store` does not own the global.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let store = store.as_context();
        store.assert_owns(self.store);
        store.inner.globals[self.index as usize].ty
    }

    /// The global's value.
    ///
    /// # Panics
    /// If `store` does not own the global.
    pub fn get(&self, mut store: impl AsContextMut) -> Val {
        let store = store.as_context_mut();
        store.assert_owns(self.store);
        let global = &store.inner.globals[self.index as usize];
        let (ty, value) = (global.ty.content, global.value);
        Val::from_bits(ty, value, &mut store.inner)
    }

    /// Sets a mutable global.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<(), Error> {
        let store = store.as_context_mut();
        store.check_owns(self.store)?;
        value.check_store(store.inner.id)?;
        let ty = store.inner.globals[self.index as usize].ty;
        if !ty.mutable {
            return Err(Error::Usage("global is immutable".into()));
        }
        if !value.fits(ty.content, &store.inner) {
            return Err(Error::Usage("global value does not match its type".into()));
        }
        store.inner.globals[self.index as usize].value = value.to_bits();
        Ok(())
    }
}

impl Table {
    /// A new table of type `ty` filled with `init` (the store's limiter is asked).
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        let store = store.as_context_mut();
        init.check_store(store.inner.id)?;
        if !init.fits(ty.element.into(), &store.inner) {
            return Err(Error::Usage("table element does not match its type".into()));
        }
        let index = store.new_table_entity(ty, init.to_bits() as u64)?;
        Ok(Table {
            store: store.inner.id,
            index,
        })
    }

    /// The table in `store`, after checking that `store` owns it.
    #[track_caller]
    fn entity<'a, T>(&self, store: &'a Store<T>) -> &'a TableEntity {
        store.assert_owns(self.store);
        &store.inner.tables[self.index as usize]
    }

    /// The table, mutably, and the store's id; an error if `store` does
    /// not own it or `value` is a reference from another store or of
    /// another type.
    fn entity_mut<'a, T>(
        &self,
        store: &'a mut Store<T>,
        value: Option<Val>,
    ) -> Result<&'a mut TableEntity, Error> {
        store.check_owns(self.store)?;
        if let Some(value) = value {
            value.check_store(self.store)?;
            let element = store.inner.tables[self.index as usize].ty.element;
            if !value.fits(element.into(), &store.inner) {
                return Err(Error::Usage("table element does not match its type".into()));
            }
        }
        Ok(&mut store.inner.tables[self.index as usize])
    }

    /// The table's type, with its current size as the minimum.
    ///
    /// # Panics
    /// If `store` does not own the table (as for every method here that
    /// returns no `Result`).
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let table = self.entity(store.as_context());
        let mut ty = table.ty;
        ty.limits.min = table.elements.len() as u64;
        ty
    }

    /// Size in elements.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(store.as_context()).elements.len() as u64
    }

    /// Element `index`, if in bounds.
    pub fn get(&self, mut store: impl AsContextMut, index: u64) -> Option<Val> {
        let store = store.as_context_mut();
        let table = self.entity(&*store);
        let bits = *table.elements.get(usize::try_from(index).ok()?)?;
        let ty = table.ty.element.into();
        Some(Val::from_bits(ty, u128::from(bits), &mut store.inner))
    }

    /// Sets element `index`.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<(), Error> {
        let table = self.entity_mut(store.as_context_mut(), Some(value))?;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|index| table.elements.get_mut(index))
            .ok_or_else(|| Error::Usage("out of bounds table access".into()))?;
        *slot = value.to_bits() as u64;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`, returning the old size; an
    /// error past the table's maximum or when the store's limiter refuses.
    ///
    /// ```
    /// use tabula::{Engine, RefType, Store, Table, TableType, Val};
    ///
    /// let mut store = Store::new(&Engine::default(), ());
    /// let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 1, Some(3)), Val::FuncRef(None))?;
    /// assert_eq!(table.grow(&mut store, 2, Val::FuncRef(None))?, 1);
    /// assert_eq!(table.size(&store), 3);
    /// assert!(table.grow(&mut store, 1, Val::FuncRef(None)).is_err()); // past the maximum
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64, Error> {
        let store = store.as_context_mut();
        self.entity_mut(store, Some(init))?;
        store.grow_table(self.index, delta, init.to_bits() as u64)
    }

    /// Sets `len` elements from `dst` to `value`, as `table.fill` does.
    ///
    /// ```
    /// use tabula::{Engine, Func, RefType, Store, Table, TableType, Val};
    ///
    /// let mut store = Store::new(&Engine::default(), ());
    /// let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 4, None), Val::FuncRef(None))?;
    /// let f = Func::wrap(&mut store, || 1i32);
    /// table.fill(&mut store, 1, Val::FuncRef(Some(f)), 2)?;
    /// assert_eq!(table.get(&mut store, 2), Some(Val::FuncRef(Some(f))));
    /// assert_eq!(table.get(&mut store, 3), Some(Val::FuncRef(None)));
    /// assert!(table.fill(&mut store, 3, Val::FuncRef(None), 2).is_err()); // past the end
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn fill(
        &self,
        mut store: impl AsContextMut,
        dst: u64,
        value: Val,
        len: u64,
    ) -> Result<(), Error> {
        let table = self.entity_mut(store.as_context_mut(), Some(value))?;
        let range = span(dst, len, table.elements.len())
            .ok_or_else(|| Error::Usage("out of bounds table access".into()))?;
        table.elements[range].fill(value.to_bits() as u64);
        Ok(())
    }

    /// Copies `len` elements of `src_table` from `src_index` to `dst_table`
    /// at `dst_index`, as `table.copy` does (the ranges may overlap).
    ///
    /// ```
    /// use tabula::{Engine, Func, RefType, Store, Table, TableType, Val};
    ///
    /// let mut store = Store::new(&Engine::default(), ());
    /// let ty = TableType::new(RefType::FUNCREF, 3, None);
    /// let a = Table::new(&mut store, ty, Val::FuncRef(None))?;
    /// let b = Table::new(&mut store, ty, Val::FuncRef(None))?;
    /// let f = Func::wrap(&mut store, || 1i32);
    /// a.set(&mut store, 0, Val::FuncRef(Some(f)))?;
    /// Table::copy(&mut store, &b, 2, &a, 0, 1)?;
    /// assert_eq!(b.get(&mut store, 2), Some(Val::FuncRef(Some(f))));
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn copy(
        mut store: impl AsContextMut,
        dst_table: &Table,
        dst_index: u64,
        src_table: &Table,
        src_index: u64,
        len: u64,
    ) -> Result<(), Error> {
        let store = store.as_context_mut();
        let src = src_table.entity_mut(store, None)?;
        let element = src.ty.element;
        let src_range = span(src_index, len, src.elements.len())
            .ok_or_else(|| Error::Usage("out of bounds table access".into()))?;
        let dst = dst_table.entity_mut(store, None)?;
        if dst.ty.element != element {
            return Err(Error::Usage("tables of different element types".into()));
        }
        let dst_range = span(dst_index, len, dst.elements.len())
            .ok_or_else(|| Error::Usage("out of bounds table access".into()))?;
        if src_table.index == dst_table.index {
            dst.elements.copy_within(src_range, dst_range.start);
        } else {
            let items: Vec<u64> =
                store.inner.tables[src_table.index as usize].elements[src_range].to_vec();
            store.inner.tables[dst_table.index as usize].elements[dst_range]
                .copy_from_slice(&items);
        }
        Ok(())
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
        let addr = instance.export(name)?;
        Some(Extern::from_addr(addr, self.store.inner.id))
    }

    /// The calling instance's memory 0, exported or not (WASI uses it when the
    /// module exports no `memory`).
    pub fn default_memory(&self) -> Option<Memory> {
        let instance = &self.store.inner.instances[self.instance? as usize];
        let index = *instance.memories.first()?;
        Some(Memory {
            store: self.store.inner.id,
            index,
        })
    }

    /// The engine of the store.
    pub fn engine(&self) -> &super::Engine {
        self.store.engine()
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
