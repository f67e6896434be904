//! `Store<T>`: owns every instance, memory, table and global of one world,
//! plus the host's data `T`.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::Ordering;

use super::engine::Engine;
use super::error::Error;
use super::externals::Caller;
use super::values::{Func, Val};
use crate::exec::store::{FuncEntity, LimiterHook, Resource, StoreInner};
use crate::exec::trap::Trap;

/// A host function as the store keeps it.
pub(crate) type HostFunc<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync>;

/// Decides how far a store's memories and tables may grow and how many
/// instances, memories and tables it may hold, as wasmtime's
/// `ResourceLimiter` does. Install one with [`Store::limiter`]; without one a
/// store obeys its [`StoreLimits`].
///
/// Sizes are in bytes for memories and elements for tables; `maximum` is the
/// limit the resource's type declares. Returning `Ok(false)` makes the growth
/// fail (`memory.grow` gives -1, the API returns an error); returning `Err`
/// traps the running call with that error, which
/// [`Error::downcast_ref`](crate::Error::downcast_ref) finds again.
/// A memory or table that an instantiation creates is asked for as growth
/// from 0 to its initial size.
///
/// ```
/// use tabula::{Engine, Linker, Module, ResourceLimiter, Store};
///
/// /// Lets memories grow to 2 pages, and counts the requests.
/// #[derive(Default)]
/// struct Tight { requests: u32 }
/// impl ResourceLimiter for Tight {
///     fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>)
///         -> tabula::Result<bool> {
///         self.requests += 1;
///         Ok(desired <= 2 * 65536)
///     }
///     fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>)
///         -> tabula::Result<bool> {
///         Ok(true)
///     }
/// }
///
/// struct Host { limiter: Tight }
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (memory 1)
///     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#)?;
/// let mut store = Store::new(&engine, Host { limiter: Tight::default() });
/// store.limiter(|host| &mut host.limiter);
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// let grow = instance.get_typed_func::<i32, i32>(&store, "grow")?;
/// assert_eq!(grow.call(&mut store, 1)?, 1);
/// assert_eq!(grow.call(&mut store, 1)?, -1);
/// assert_eq!(store.data().limiter.requests, 3); // instantiation, then two grows
/// # Ok::<(), tabula::Error>(())
/// ```
pub trait ResourceLimiter {
    /// Whether a memory may grow from `current` to `desired` bytes.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, Error>;

    /// Whether a table may grow from `current` to `desired` elements.
    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, Error>;

    /// Most instances the store may hold (default 10 000).
    fn instances(&self) -> usize {
        DEFAULT_INSTANCE_LIMIT
    }

    /// Most tables the store may hold (default 10 000).
    fn tables(&self) -> usize {
        DEFAULT_TABLE_LIMIT
    }

    /// Most memories the store may hold (default 10 000).
    fn memories(&self) -> usize {
        DEFAULT_MEMORY_LIMIT
    }
}

/// The default of [`ResourceLimiter::instances`].
pub const DEFAULT_INSTANCE_LIMIT: usize = 10_000;
/// The default of [`ResourceLimiter::tables`].
pub const DEFAULT_TABLE_LIMIT: usize = 10_000;
/// The default of [`ResourceLimiter::memories`].
pub const DEFAULT_MEMORY_LIMIT: usize = 10_000;

/// Fixed resource limits: the [`ResourceLimiter`] a store uses unless given
/// another (see [`Store::set_limits`]), or one to keep in the host's data
/// for [`Store::limiter`]. Build one with [`StoreLimitsBuilder`] or set the
/// fields.
#[derive(Clone, Copy, Debug)]
pub struct StoreLimits {
    /// Largest size a memory may grow to, in bytes.
    pub max_memory_bytes: usize,
    /// Largest size a table may grow to, in elements.
    pub max_table_elements: usize,
    /// Most instances the store may hold.
    pub max_instances: usize,
    /// Most tables the store may hold.
    pub max_tables: usize,
    /// Most memories the store may hold.
    pub max_memories: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            max_memory_bytes: 1 << 32,
            max_table_elements: 10_000_000,
            max_instances: DEFAULT_INSTANCE_LIMIT,
            max_tables: DEFAULT_TABLE_LIMIT,
            max_memories: DEFAULT_MEMORY_LIMIT,
        }
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(
        &mut self,
        _: usize,
        desired: usize,
        _: Option<usize>,
    ) -> Result<bool, Error> {
        Ok(desired <= self.max_memory_bytes)
    }

    fn table_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool, Error> {
        Ok(desired <= self.max_table_elements)
    }

    fn instances(&self) -> usize {
        self.max_instances
    }

    fn tables(&self) -> usize {
        self.max_tables
    }

    fn memories(&self) -> usize {
        self.max_memories
    }
}

/// Builds [`StoreLimits`], as wasmtime's builder of that name does.
///
/// ```
/// use tabula::{Engine, Module, Linker, Store, StoreLimits, StoreLimitsBuilder};
///
/// struct Host { limits: StoreLimits }
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, Host {
///     limits: StoreLimitsBuilder::new().memory_size(1 << 20).instances(1).build(),
/// });
/// store.limiter(|host| &mut host.limits);
/// let huge = Module::new(&engine, "(module (memory 17))")?; // 17 pages > 1 MiB
/// assert!(Linker::new(&engine).instantiate(&mut store, &huge).is_err());
/// # Ok::<(), tabula::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// The default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Largest size any memory may reach, in bytes.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.max_memory_bytes = bytes;
        self
    }

    /// Largest size any table may reach, in elements.
    pub fn table_elements(mut self, elements: usize) -> Self {
        self.0.max_table_elements = elements;
        self
    }

    /// Most instances.
    pub fn instances(mut self, instances: usize) -> Self {
        self.0.max_instances = instances;
        self
    }

    /// Most tables.
    pub fn tables(mut self, tables: usize) -> Self {
        self.0.max_tables = tables;
        self
    }

    /// Most memories.
    pub fn memories(mut self, memories: usize) -> Self {
        self.0.max_memories = memories;
        self
    }

    /// The limits.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

/// Finds the limiter in the host's data (see [`Store::limiter`]).
type GetLimiter<T> = Box<dyn FnMut(&mut T) -> &mut (dyn ResourceLimiter) + Send + Sync>;

/// All the runtime state of one "world" of instances, and the host's data.
///
/// Each store has a unique id, and every handle into it carries that id:
/// see [the crate docs](crate#store-isolation).
pub struct Store<T> {
    pub(crate) engine: Engine,
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<HostFunc<T>>,
    pub(crate) limits: StoreLimits,
    limiter: Option<GetLimiter<T>>,
    /// The host data of each [`ExternRef`](crate::ExternRef), by index.
    pub(crate) externs: Vec<Box<dyn Any + Send + Sync>>,
    data: T,
}

impl<T> Store<T> {
    /// An empty store holding `data`, with a new unique id.
    pub fn new(engine: &Engine, data: T) -> Self {
        let mut inner = StoreInner::new();
        inner.epoch = Arc::clone(engine.epoch());
        let config = engine.config();
        inner
            .gc
            .set_limits(config.gc_min_threshold, config.max_gc_heap);
        if engine.config().epoch_interruption {
            // As in wasmtime: 0 ticks from now until a deadline is set.
            inner.epoch_deadline = inner.epoch.load(Ordering::Relaxed);
        }
        Store {
            engine: engine.clone(),
            inner,
            hosts: Vec::new(),
            limits: StoreLimits::default(),
            limiter: None,
            externs: Vec::new(),
            data,
        }
    }

    /// What the store's garbage collector has done so far (GC).
    pub fn gc_stats(&self) -> crate::GcStats {
        self.inner.gc.stats
    }

    /// Collects the store's garbage now: structs and arrays that no global,
    /// table, element segment, live exception, frame of a running call or
    /// host handle reaches are freed. Collections also run on their own as
    /// wasm allocates (see [`Config::gc_min_threshold`](crate::Config::gc_min_threshold)).
    pub fn gc(&mut self) {
        // SAFETY: no wasm code runs on this store while it is borrowed
        // here; calls waiting for a host function (when the host calls this
        // from one) are on the suspended list the collector scans.
        unsafe { crate::exec::objects::collect_in(&mut self.inner, None) }
    }

    /// Panics with "object used with the wrong store" unless `owner` is
    /// this store's id: the documented outcome of misusing a handle in a
    /// method that cannot return an error.
    #[track_caller]
    pub(crate) fn assert_owns(&self, owner: u64) {
        assert!(owner == self.inner.id, "object used with the wrong store");
    }

    /// [`Error::StoreMismatch`] unless `owner` is this store's id.
    pub(crate) fn check_owns(&self, owner: u64) -> Result<(), Error> {
        if owner == self.inner.id {
            Ok(())
        } else {
            Err(Error::StoreMismatch)
        }
    }

    /// The engine the store was made with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many exception objects the store holds, free entries included:
    /// an exception caught by `catch` or `catch_all` that was never seen as
    /// an `exnref` frees its entry for the next `throw`, while one exposed
    /// as an `exnref` (or to the host) lives as long as the store.
    pub fn exception_slots(&self) -> usize {
        self.inner.exns.len()
    }

    /// The host's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Consumes the store, returning the host's data.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Adds a host function to the store.
    pub(crate) fn add_host_func(&mut self, ty: &crate::types::FuncType, func: HostFunc<T>) -> Func {
        let type_id = self.inner.types.intern(ty);
        let host = self.hosts.len() as u32;
        self.hosts.push(func);
        self.inner.funcs.push(FuncEntity::Host { type_id, host });
        Func {
            store: self.inner.id,
            index: self.inner.funcs.len() as u32 - 1,
        }
    }

    /// How many handlers calls into this store have run (a measuring aid,
    /// with the `dispatch-counts` feature).
    #[cfg(feature = "dispatch-counts")]
    pub fn dispatch_count(&self) -> u64 {
        self.inner.dispatches
    }

    /// Sets the fuel left for running code; requires [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.require_fuel()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left; requires [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn get_fuel(&self) -> Result<u64, Error> {
        self.require_fuel()?;
        Ok(self.inner.fuel)
    }

    fn require_fuel(&self) -> Result<(), Error> {
        if self.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(Error::Usage(
                "fuel is not enabled: see Config::consume_fuel".into(),
            ))
        }
    }

    /// A handle another thread can use to stop this store's running call;
    /// an error unless the engine was made with
    /// [`Config::interruptible`](crate::Config::interruptible) (without it,
    /// compiled code never looks at the handle).
    pub fn interrupt_handle(&self) -> Result<InterruptHandle, Error> {
        if !self.engine.config().interruptible {
            return Err(Error::Usage(
                "interruption is not enabled: see Config::interruptible".into(),
            ));
        }
        Ok(InterruptHandle {
            flag: Arc::clone(&self.inner.interrupt),
        })
    }

    /// Sets the deadline of running code to `ticks_beyond_current` epoch
    /// ticks from now (see [`Engine::increment_epoch`]); code that reaches
    /// it traps with [`TrapCode::Interrupted`](crate::TrapCode::Interrupted).
    /// Without [`Config::epoch_interruption`](crate::Config::epoch_interruption)
    /// it has no effect. See
    /// [`Config::epoch_interruption`](crate::Config::epoch_interruption) for
    /// an example.
    pub fn set_epoch_deadline(&mut self, ticks_beyond_current: u64) {
        // The interrupt check also reads the deadline when only
        // `Config::interruptible` compiled it in: keep it at "never" then.
        if self.engine.config().epoch_interruption {
            let now = self.inner.epoch.load(Ordering::Relaxed);
            self.inner.epoch_deadline = now.saturating_add(ticks_beyond_current);
        }
    }

    /// Makes reaching the epoch deadline trap, as wasmtime's method of this
    /// name does; trapping is the only behaviour Tabula has, so this only
    /// spells out the choice in code ported from wasmtime.
    pub fn epoch_deadline_trap(&mut self) {}

    /// Sets the limits on memory and table growth and on instances, used
    /// when no [`Store::limiter`] is installed.
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.limits = limits;
    }

    /// Installs the resource limiter that `limiter` finds in the host's
    /// data (e.g. `|host| &mut host.limits`), as wasmtime's `Store::limiter`
    /// does; it replaces the [`StoreLimits`] of [`Store::set_limits`]. See
    /// [`ResourceLimiter`] for an example.
    pub fn limiter(
        &mut self,
        limiter: impl FnMut(&mut T) -> &mut (dyn ResourceLimiter) + Send + Sync + 'static,
    ) {
        self.limiter = Some(Box::new(limiter));
    }

    /// The limiter in force.
    pub(crate) fn resource_limiter(&mut self) -> &mut dyn ResourceLimiter {
        match &mut self.limiter {
            Some(get) => get(&mut self.data),
            None => &mut self.limits,
        }
    }

    /// Makes the limiter reachable from code running in this store, which
    /// cannot move until that code returns.
    pub(crate) fn install_limiter(&mut self) {
        let store: *mut Store<T> = self;
        self.inner.limiter = Some(LimiterHook {
            store: store.cast(),
            ask: ask_limiter::<T>,
        });
    }

    /// Grows memory `addr`, asking the limiter: the old size in pages, or
    /// an error when the limiter refuses or fails.
    pub(crate) fn grow_memory(&mut self, addr: u32, delta: u64) -> Result<u64, Error> {
        self.install_limiter();
        let grown = self.inner.grow_memory(addr, delta);
        self.finish_growth(grown, "memory")
    }

    /// Grows table `addr` with `init` elements, as [`Store::grow_memory`].
    pub(crate) fn grow_table(&mut self, addr: u32, delta: u64, init: u64) -> Result<u64, Error> {
        self.install_limiter();
        let grown = self.inner.grow_table(addr, delta, init);
        self.finish_growth(grown, "table")
    }

    fn finish_growth<N>(&mut self, grown: Result<Option<N>, ()>, what: &str) -> Result<N, Error> {
        match grown {
            Ok(Some(old)) => Ok(old),
            Ok(None) => Err(Error::Usage(alloc::format!("{what} cannot grow that far"))),
            Err(()) => Err(self.take_limiter_trap().into()),
        }
    }

    /// The trap a limiter raised during the last growth.
    pub(crate) fn take_limiter_trap(&mut self) -> Trap {
        self.inner
            .limiter_trap
            .take()
            .unwrap_or_else(|| Trap::new(crate::TrapCode::HostError))
    }
}

/// Asks the limiter of the `Store<T>` at `store`.
///
/// # Safety
/// `store` must point to a live `Store<T>` whose `inner` part alone may be
/// borrowed elsewhere: only the host's data and the limiter are touched.
unsafe fn ask_limiter<T>(
    store: *mut (),
    resource: Resource,
    current: usize,
    desired: usize,
    maximum: Option<usize>,
) -> Result<bool, Trap> {
    let store = store.cast::<Store<T>>();
    // SAFETY: the caller's contract; these fields are disjoint from `inner`.
    let (limiter, data, limits) = unsafe {
        (
            &mut (*store).limiter,
            &mut (*store).data,
            &mut (*store).limits,
        )
    };
    let limiter: &mut dyn ResourceLimiter = match limiter {
        Some(get) => get(data),
        None => limits,
    };
    let answer = match resource {
        Resource::Memory => limiter.memory_growing(current, desired, maximum),
        Resource::Table => limiter.table_growing(current, desired, maximum),
    };
    answer.map_err(|error| match error {
        Error::Trap(trap) => trap,
        other => Trap::from_host_error(other),
    })
}

/// Stops a store's running wasm call from any thread: the call traps with
/// "interrupted" at its next function entry or loop iteration.
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    flag: Arc<core::sync::atomic::AtomicBool>,
}

impl InterruptHandle {
    /// Asks the running (or next) call to stop.
    pub fn interrupt(&self) {
        self.flag.store(true, core::sync::atomic::Ordering::Relaxed);
    }
}

/// Read access to a store, from a `Store`, a `Caller` or a reference to either.
pub trait AsContext {
    /// The host data type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Write access to a store.
pub trait AsContextMut: AsContext {
    /// The store, mutably.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}
