//! The engine and its configuration.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use crate::features::Features;

/// Settings shared by every module and store of an [`Engine`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) features: Features,
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) consume_fuel: bool,
    pub(crate) interruptible: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) max_backtrace_frames: usize,
    pub(crate) trace: bool,
    pub(crate) gc_min_threshold: usize,
    pub(crate) max_gc_heap: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            features: Features::default(),
            max_call_depth: 100_000,
            max_stack_slots: 4 * 1024 * 1024,
            consume_fuel: false,
            interruptible: false,
            epoch_interruption: false,
            max_backtrace_frames: 20,
            trace: false,
            gc_min_threshold: crate::exec::gc::MIN_THRESHOLD,
            max_gc_heap: usize::MAX,
        }
    }
}

impl Config {
    /// The default configuration: WebAssembly 3.0 (as far as Tabula
    /// implements it, see [`Features::wasm3`]), 100 000 frames, 32 MiB of stack.
    pub fn new() -> Self {
        Config::default()
    }

    /// Which proposals modules may use.
    pub fn features(&mut self, features: Features) -> &mut Self {
        self.features = features;
        self
    }

    /// Strict WebAssembly 2.0: modules using any later proposal are rejected.
    pub fn wasm_2_0(&mut self) -> &mut Self {
        self.features(Features::wasm2())
    }

    /// Most nested wasm calls before a call traps with "call stack exhausted".
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Meters fuel: each wasm instruction costs one unit, calls trap with
    /// "all fuel consumed" when a store runs out (see [`Store::set_fuel`](crate::Store::set_fuel)).
    /// Off by default; when off, compiled code carries no metering at all.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Self {
        self.consume_fuel = enable;
        self
    }

    /// Lets an [`InterruptHandle`](crate::InterruptHandle) stop running code at
    /// its next call or loop iteration. Off by default, at no cost.
    pub fn interruptible(&mut self, enable: bool) -> &mut Self {
        self.interruptible = enable;
        self
    }

    /// Lets [`Engine::increment_epoch`] stop running code that passed its
    /// store's [deadline](crate::Store::set_epoch_deadline): the call traps
    /// with [`TrapCode::Interrupted`](crate::TrapCode::Interrupted) at its
    /// next call or loop iteration. As in wasmtime, a store's deadline starts
    /// at 0 ticks from its creation, so set one before calling. Off by
    /// default; when off, compiled code carries no check at all.
    ///
    /// ```
    /// use tabula::{Config, Engine, Linker, Module, Store, TrapCode};
    ///
    /// let mut config = Config::new();
    /// config.epoch_interruption(true);
    /// let engine = Engine::new(&config);
    /// let module = Module::new(&engine, r#"(module (func (export "spin") (loop $l (br $l))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// store.set_epoch_deadline(1);
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
    /// let ticker = engine.clone();
    /// std::thread::spawn(move || loop {
    ///     std::thread::sleep(std::time::Duration::from_millis(10));
    ///     ticker.increment_epoch();
    /// });
    /// let error = spin.call(&mut store, ()).unwrap_err();
    /// assert_eq!(error.as_trap().unwrap().code, TrapCode::Interrupted);
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn epoch_interruption(&mut self, enable: bool) -> &mut Self {
        self.epoch_interruption = enable;
        self
    }

    /// Bytes a store may allocate in structs and arrays before its first
    /// collection, and at least between two (default 4 MiB). A collection
    /// otherwise runs once the heap has doubled since the last one. 0
    /// collects at every allocation: slow, but it finds any reference the
    /// collector would miss, which is what the tests use it for.
    pub fn gc_min_threshold(&mut self, bytes: usize) -> &mut Self {
        self.gc_min_threshold = bytes;
        self
    }

    /// Most bytes a store's structs and arrays may take, counting a small
    /// overhead per object (default: no limit). An allocation that would
    /// pass it, even after a collection, traps with
    /// [`TrapCode::GcHeapExhausted`](crate::TrapCode::GcHeapExhausted).
    ///
    /// ```
    /// use tabula::{Config, Engine, Linker, Module, Store, TrapCode};
    ///
    /// let mut config = Config::new();
    /// config.max_gc_heap(1 << 20);
    /// let engine = Engine::new(&config);
    /// let module = Module::new(&engine, r#"(module
    ///     (type $a (array i8))
    ///     (func (export "big") (result (ref $a))
    ///         (array.new_default $a (i32.const 2000000))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let big = instance.get_func(&store, "big").unwrap();
    /// let error = big.call(&mut store, &[], &mut [tabula::Val::AnyRef(None)]).unwrap_err();
    /// assert_eq!(error.as_trap().unwrap().code, TrapCode::GcHeapExhausted);
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn max_gc_heap(&mut self, bytes: usize) -> &mut Self {
        self.max_gc_heap = bytes;
        self
    }

    /// Most frames a trap's backtrace keeps (default 20; 0 keeps none): the
    /// innermost ones, the others only counted
    /// ([`Trap::omitted_frames`](crate::Trap::omitted_frames)), so a trap
    /// costs memory in proportion to this cap, not to the call depth.
    pub fn max_backtrace_frames(&mut self, frames: usize) -> &mut Self {
        self.max_backtrace_frames = frames;
        self
    }

    /// Compiles code that reports every wasm instruction to the tracer given
    /// to [`Func::call_traced`](crate::Func::call_traced) (off by default:
    /// untraced code carries no tracing at all).
    pub fn trace(&mut self, enable: bool) -> &mut Self {
        self.trace = enable;
        self
    }

    /// Size of each store's value stack in 64-bit slots.
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.max_stack_slots = slots.max(16);
        self
    }
}

/// Compiles modules and creates stores; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    config: Arc<Config>,
    /// The epoch, shared by every clone (see [`Config::epoch_interruption`]).
    epoch: Arc<AtomicU64>,
}

impl Engine {
    /// An engine with `config`.
    pub fn new(config: &Config) -> Self {
        Engine {
            config: Arc::new(config.clone()),
            epoch: Arc::default(),
        }
    }

    /// The engine's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Advances the epoch by one tick; code of this engine's stores whose
    /// deadline is reached stops (see [`Config::epoch_interruption`]). Cheap,
    /// and safe to call from any thread, e.g. a timer. See
    /// [`Config::epoch_interruption`] for an example.
    pub fn increment_epoch(&self) {
        self.epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// The epoch counter, for stores to compare their deadlines with.
    pub(crate) fn epoch(&self) -> &Arc<AtomicU64> {
        &self.epoch
    }
}
