//! The engine and its configuration.

use alloc::sync::Arc;

use crate::features::Features;

/// Settings shared by every module and store of an [`Engine`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) features: Features,
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) consume_fuel: bool,
    pub(crate) interruptible: bool,
    pub(crate) trace: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            features: Features::default(),
            max_call_depth: 100_000,
            max_stack_slots: 4 * 1024 * 1024,
            consume_fuel: false,
            interruptible: false,
            trace: false,
        }
    }
}

impl Config {
    /// The default configuration: WebAssembly 2.0, 100 000 frames, 32 MiB of stack.
    pub fn new() -> Self {
        Config::default()
    }

    /// Which proposals modules may use.
    pub fn features(&mut self, features: Features) -> &mut Self {
        self.features = features;
        self
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
}

impl Engine {
    /// An engine with `config`.
    pub fn new(config: &Config) -> Self {
        Engine {
            config: Arc::new(config.clone()),
        }
    }

    /// The engine's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}
