//! `Store<T>`: owns every instance, memory, table and global of one world,
//! plus the host's data `T`.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::engine::Engine;
use super::error::Error;
use super::externals::Caller;
use super::values::{Func, Val};
use crate::exec::store::{FuncEntity, StoreInner};
use crate::exec::trap::Trap;

/// A host function as the store keeps it.
pub(crate) type HostFunc<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync>;

/// Resource limits a store enforces on the code it runs.
#[derive(Clone, Copy, Debug)]
pub struct StoreLimits {
    /// Largest size a memory may grow to, in bytes.
    pub max_memory_bytes: usize,
    /// Largest size a table may grow to, in elements.
    pub max_table_elements: usize,
    /// Most instances the store may hold.
    pub max_instances: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            max_memory_bytes: 1 << 32,
            max_table_elements: 10_000_000,
            max_instances: 10_000,
        }
    }
}

/// All the runtime state of one "world" of instances, and the host's data.
pub struct Store<T> {
    pub(crate) engine: Engine,
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<HostFunc<T>>,
    pub(crate) limits: StoreLimits,
    data: T,
}

impl<T> Store<T> {
    /// An empty store holding `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        Store {
            engine: engine.clone(),
            inner: StoreInner::new(),
            hosts: Vec::new(),
            limits: StoreLimits::default(),
            data,
        }
    }

    /// The engine the store was made with.
    pub fn engine(&self) -> &Engine {
        &self.engine
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
        Func(self.inner.funcs.len() as u32 - 1)
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
    /// requires [`Config::interruptible`](crate::Config::interruptible).
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: Arc::clone(&self.inner.interrupt),
        }
    }

    /// Sets the limits on memory and table growth.
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.limits = limits;
    }
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
