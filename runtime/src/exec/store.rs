//! What a store owns at run time: functions, tables, memories, globals,
//! segments and instances, all addressed by index.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::gc::GcHeap;
use super::interp::Frame;
use super::memory::LinearMemory;
use super::stack::StackStorage;
use super::trap::Trap;
use crate::binary::ExportKind;
use crate::ir::CompiledModule;
use crate::types::{FuncType, GlobalType, TableType, TypeRegistry};

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
    /// Grows by `delta` elements set to `init`; returns the old size or
    /// `None` past the maximum, the index type's range or `limit`.
    pub(crate) fn grow(&mut self, delta: u64, init: u64, limit: usize) -> Option<u64> {
        let old = self.elements.len() as u64;
        let new = old.checked_add(delta)?;
        let max = self.ty.limits.max.unwrap_or(u64::MAX);
        if new > max.min(self.ty.max_size_bound()) {
            return None;
        }
        let new = usize::try_from(new).ok().filter(|new| *new <= limit)?;
        self.elements
            .try_reserve_exact(new - self.elements.len())
            .ok()?;
        self.elements.resize(new, init);
        Some(old)
    }
}

/// A global: its type and value bits (a `v128` uses all 128).
pub(crate) struct GlobalEntity {
    pub(crate) ty: GlobalType,
    pub(crate) value: u128,
}

/// An exception tag: its identity is its store address.
pub(crate) struct TagEntity {
    /// Store type id of its function type (parameters: the payload).
    pub(crate) type_id: u32,
}

/// An exception: its tag's store address and its payload as frame slots.
pub(crate) struct ExnEntity {
    pub(crate) tag: u32,
    pub(crate) payload: Vec<u64>,
    /// Whether it was ever seen as an exnref (by wasm or the host). An
    /// exception caught by `catch` or `catch_all` without being exposed can
    /// be nothing else's, so its entry is reused at once; an exposed one
    /// lives as long as the store (there is no collector).
    pub(crate) exposed: bool,
}

/// An instance's index spaces, mapped to store addresses.
pub(crate) struct InstanceEntity {
    pub(crate) module: Arc<CompiledModule>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) memories: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) tags: Vec<u32>,
    /// Element segments (emptied by `elem.drop`).
    pub(crate) elems: Vec<Vec<u64>>,
    /// Which data segments were dropped (by `data.drop`, or active ones
    /// once applied); the bytes are the module's, never copied.
    pub(crate) data_dropped: Vec<bool>,
    /// Store type id of each module type index.
    pub(crate) type_ids: Vec<u32>,
}

impl InstanceEntity {
    /// The store address of the export called `name`.
    pub(crate) fn export(&self, name: &str) -> Option<ExternAddr> {
        let index = *self.module.exports.get(name)?;
        Some(self.export_at(index as usize))
    }

    /// Every export, by name.
    pub(crate) fn exports(&self) -> impl Iterator<Item = (&str, ExternAddr)> + '_ {
        self.module
            .exports
            .iter()
            .map(|(name, index)| (name.as_str(), self.export_at(*index as usize)))
    }

    /// The store address of the module's export number `index`.
    fn export_at(&self, index: usize) -> ExternAddr {
        let export = &self.module.module.exports[index];
        let i = export.index as usize;
        match export.kind {
            ExportKind::Func => ExternAddr::Func(self.funcs[i]),
            ExportKind::Table => ExternAddr::Table(self.tables[i]),
            ExportKind::Memory => ExternAddr::Memory(self.memories[i]),
            ExportKind::Global => ExternAddr::Global(self.globals[i]),
            ExportKind::Tag => ExternAddr::Tag(self.tags[i]),
        }
    }

    /// The bytes of data segment `index` (empty once dropped).
    pub(crate) fn data(&self, index: usize) -> &[u8] {
        if self.data_dropped[index] {
            return &[];
        }
        let module = &self.module.module;
        &module.bytes[module.data[index].range.clone()]
    }
}

/// A store address of something an instance exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExternAddr {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

/// An empty frame stack kept for its capacity.
#[derive(Default)]
pub(crate) struct SpareFrames(pub(crate) Vec<Frame>);

impl SpareFrames {
    /// Keeps `frames`'s buffer (emptied) for the next call.
    pub(crate) fn keep(&mut self, mut frames: Vec<Frame>) {
        frames.clear();
        self.0 = frames;
    }
}

// SAFETY: the vector is always empty between calls (`keep` clears it), so no
// frame pointer crosses threads; only its capacity is kept.
unsafe impl Send for SpareFrames {}
// SAFETY: as for `Send`: there is nothing to share.
unsafe impl Sync for SpareFrames {}

/// Where each new store's id comes from: ids are never reused, so a handle
/// can never be mistaken for one of a later store's objects.
static NEXT_STORE_ID: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// Everything a store owns apart from the host's data and functions.
pub(crate) struct StoreInner {
    /// This store's unique id, carried by every handle into it.
    pub(crate) id: u64,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) memories: Vec<LinearMemory>,
    pub(crate) globals: Vec<GlobalEntity>,
    pub(crate) tags: Vec<TagEntity>,
    /// Exceptions thrown so far; see [`ExnEntity::exposed`].
    pub(crate) exns: Vec<ExnEntity>,
    /// Entries of `exns` free for reuse.
    pub(crate) free_exns: Vec<u32>,
    pub(crate) instances: Vec<InstanceEntity>,
    pub(crate) types: TypeRegistry,
    /// Structs and arrays (GC).
    pub(crate) gc: GcHeap,
    /// Calls waiting for a host function to return, outermost first: the
    /// collector scans their frames too.
    pub(crate) suspended: Vec<Suspended>,
    /// The value stack, allocated on the first call.
    pub(crate) stack: Option<StackStorage>,
    /// First free stack slot: where a nested call (host -> wasm) starts.
    pub(crate) stack_top: usize,
    /// The frame stack's buffer between calls, so each call from the host
    /// does not allocate one.
    pub(crate) spare_frames: SpareFrames,
    /// Wasm frames live in calls that are still running (nested calls included).
    pub(crate) depth: usize,
    /// Fuel left, when the engine meters fuel.
    pub(crate) fuel: u64,
    /// Handlers run by calls into this store (measuring builds only).
    #[cfg(feature = "dispatch-counts")]
    pub(crate) dispatches: u64,
    /// Set by an [`InterruptHandle`](crate::InterruptHandle) to stop the running call.
    pub(crate) interrupt: alloc::sync::Arc<core::sync::atomic::AtomicBool>,
    /// The engine's epoch counter.
    pub(crate) epoch: alloc::sync::Arc<core::sync::atomic::AtomicU64>,
    /// The epoch at which running code stops (`u64::MAX`: never).
    pub(crate) epoch_deadline: u64,
    /// The embedder's resource limiter, reachable while code runs.
    pub(crate) limiter: Option<LimiterHook>,
    /// The trap a limiter raised, for the call to report.
    pub(crate) limiter_trap: Option<Trap>,
}

/// A call that left its code to run a host function (see
/// [`super::interp::Exit::HostCall`]), for the collector.
pub(crate) struct Suspended {
    /// Its context (frames and running instance).
    pub(crate) cx: *const super::interp::Ctx,
    /// The return address of the call to the host function.
    pub(crate) resume: super::dispatch::Ip,
    /// The frame making that call.
    pub(crate) fp: *mut u64,
    /// Whether the call was a tail call (its frame is gone).
    pub(crate) tail: bool,
    /// The value stack's base when it left: frame pointers are rebased
    /// from it if a nested call moved the stack.
    pub(crate) stack_base: *mut u64,
}

// SAFETY: an entry exists only while a call on this store runs (it is pushed
// before a host function runs and popped after it returns), and the store is
// borrowed mutably by that call on its thread the whole time.
unsafe impl Send for Suspended {}
// SAFETY: as for `Send`.
unsafe impl Sync for Suspended {}

/// What a resource limiter is asked to let grow.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Resource {
    Memory,
    Table,
}

/// Asks the limiter of the store at `store` whether a resource may grow from
/// `current` to `desired` (bytes or elements) under `maximum`: `Ok(false)`
/// makes the growth fail, `Err` traps.
pub(crate) type AskLimiter =
    unsafe fn(*mut (), Resource, usize, usize, Option<usize>) -> Result<bool, Trap>;

/// The store's resource limiter, type-erased so handlers, which cannot name
/// the host data type, can reach it. Installed before each growth or call;
/// the store cannot move while either runs.
#[derive(Clone, Copy)]
pub(crate) struct LimiterHook {
    pub(crate) store: *mut (),
    pub(crate) ask: AskLimiter,
}

// SAFETY: the pointer is only followed during a call that borrows the store
// mutably, on the thread making it.
unsafe impl Send for LimiterHook {}
// SAFETY: as above.
unsafe impl Sync for LimiterHook {}

impl StoreInner {
    pub(crate) fn new() -> Self {
        StoreInner {
            id: NEXT_STORE_ID.fetch_add(1, core::sync::atomic::Ordering::Relaxed),
            funcs: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            exns: Vec::new(),
            free_exns: Vec::new(),
            instances: Vec::new(),
            types: TypeRegistry::default(),
            gc: GcHeap::default(),
            suspended: Vec::new(),
            stack: None,
            stack_top: 0,
            spare_frames: SpareFrames::default(),
            depth: 0,
            fuel: 0,
            #[cfg(feature = "dispatch-counts")]
            dispatches: 0,
            interrupt: Default::default(),
            epoch: Default::default(),
            epoch_deadline: u64::MAX,
            limiter: None,
            limiter_trap: None,
        }
    }

    /// Whether running code must stop: an interrupt was asked for (the
    /// request is cleared) or the epoch deadline passed.
    pub(crate) fn interrupt_requested(&self) -> bool {
        use core::sync::atomic::Ordering::Relaxed;
        self.interrupt.swap(false, Relaxed) || self.epoch.load(Relaxed) >= self.epoch_deadline
    }

    /// Asks the limiter about growing `resource` from `current` to `desired`.
    fn ask(
        &mut self,
        resource: Resource,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, ()> {
        let Some(hook) = self.limiter else {
            return Ok(true);
        };
        // SAFETY: the hook was installed by the call or growth running now,
        // which holds the store; the limiter touches only the host's data.
        match unsafe { (hook.ask)(hook.store, resource, current, desired, maximum) } {
            Ok(allowed) => Ok(allowed),
            Err(trap) => {
                self.limiter_trap = Some(trap);
                Err(())
            }
        }
    }

    /// Grows memory `addr` by `delta` pages if its type and the limiter
    /// allow: the old size in pages, `None` if not allowed, `Err` if the
    /// limiter trapped (its trap is in `limiter_trap`).
    pub(crate) fn grow_memory(&mut self, addr: u32, delta: u64) -> Result<Option<u64>, ()> {
        let memory = &self.memories[addr as usize];
        let current = memory.data.len();
        let ty = &memory.ty;
        let maximum = ty
            .limits
            .max
            .map(|max| super::memory::pages_to_bytes(ty, max).unwrap_or(usize::MAX));
        let desired =
            super::memory::pages_to_bytes(ty, delta).and_then(|bytes| bytes.checked_add(current));
        let Some(desired) = desired else {
            return Ok(None);
        };
        if !self.ask(Resource::Memory, current, desired, maximum)? {
            return Ok(None);
        }
        Ok(self.memories[addr as usize].grow(delta, usize::MAX))
    }

    /// Grows table `addr` by `delta` elements set to `init`, as
    /// [`StoreInner::grow_memory`] does memories.
    pub(crate) fn grow_table(
        &mut self,
        addr: u32,
        delta: u64,
        init: u64,
    ) -> Result<Option<u64>, ()> {
        let table = &self.tables[addr as usize];
        let current = table.elements.len();
        let maximum = table
            .ty
            .limits
            .max
            .map(|max| usize::try_from(max).unwrap_or(usize::MAX));
        let desired = usize::try_from(delta)
            .ok()
            .and_then(|delta| current.checked_add(delta));
        let Some(desired) = desired else {
            return Ok(None);
        };
        if !self.ask(Resource::Table, current, desired, maximum)? {
            return Ok(None);
        }
        Ok(self.tables[addr as usize].grow(delta, init, usize::MAX))
    }

    /// A new exception of tag `tag` with the payload `payload`, in a free
    /// entry when there is one (its payload buffer is reused too).
    pub(crate) fn new_exn(&mut self, tag: u32, payload: &[u64]) -> u32 {
        if let Some(index) = self.free_exns.pop() {
            let exn = &mut self.exns[index as usize];
            exn.tag = tag;
            exn.payload.clear();
            exn.payload.extend_from_slice(payload);
            exn.exposed = false;
            return index;
        }
        self.exns.push(ExnEntity {
            tag,
            payload: payload.to_vec(),
            exposed: false,
        });
        (self.exns.len() - 1) as u32
    }

    /// Frees exception `index` unless it was exposed as an exnref.
    pub(crate) fn release_exn(&mut self, index: u32) {
        if !self.exns[index as usize].exposed {
            self.free_exns.push(index);
        }
    }

    /// The type of function `addr`.
    pub(crate) fn func_type(&self, addr: u32) -> &FuncType {
        self.types.get(self.funcs[addr as usize].type_id())
    }
}
