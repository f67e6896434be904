//! `Linker<T>`: names for host functions and instances, resolved at instantiation.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::engine::Engine;
use super::error::Error;
use super::externals::{Caller, Extern};
use super::instance::Instance;
use super::module::Module;
use super::store::{AsContext, AsContextMut, HostFunc};
use super::typed::IntoFunc;
use super::values::{Func, Val};
use crate::exec::trap::Trap;
use crate::types::{ExternType, FuncType};

enum Definition<T> {
    /// Something that already lives in a store.
    Extern(Extern),
    /// A host function, added to each store it is instantiated in.
    Host(FuncType, HostFunc<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(item) => Definition::Extern(*item),
            Definition::Host(ty, func) => Definition::Host(ty.clone(), Arc::clone(func)),
        }
    }
}

/// Resolves imports by (module, name).
pub struct Linker<T> {
    engine: Engine,
    definitions: BTreeMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            definitions: self.definitions.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Self {
        Linker {
            engine: engine.clone(),
            definitions: BTreeMap::new(),
            allow_shadowing: false,
        }
    }

    /// Whether a later definition of a (module, name) pair replaces an
    /// earlier one instead of failing (off by default). Spec scripts
    /// `register` different instances under one name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    /// The engine the linker was made for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn insert(
        &mut self,
        module: &str,
        name: &str,
        definition: Definition<T>,
    ) -> Result<&mut Self, Error> {
        let key = (String::from(module), String::from(name));
        if !self.allow_shadowing && self.definitions.contains_key(&key) {
            return Err(Error::Link(alloc::format!(
                "{module}::{name} is defined twice"
            )));
        }
        self.definitions.insert(key, definition);
        Ok(self)
    }

    /// Defines a host function of type `ty` under `module`/`name`.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Host(ty, Arc::new(func)))
    }

    /// Defines a host function from a Rust closure under `module`/`name`; its
    /// wasm type comes from the closure's signature, which may start with a
    /// [`Caller`].
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self, Error> {
        let (ty, host) = func.into_func();
        self.insert(module, name, Definition::Host(ty, host))
    }

    /// Defines `item`, which `store` owns, under `module`/`name`; an
    /// [`Error::StoreMismatch`] if another store owns it.
    pub fn define(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self, Error> {
        let item = item.into();
        store.as_context().check_owns(item.store_id())?;
        self.insert(module, name, Definition::Extern(item))
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self, Error> {
        let store = store.as_context();
        store.check_owns(instance.store)?;
        for (name, item) in instance.exports(store) {
            self.define(store, module, &name, item)?;
        }
        Ok(self)
    }

    /// Defines the exports of `module` under the name `module_name`, following
    /// the WASI conventions as wasmtime's `Linker::module` does:
    ///
    /// - a *command* (a module exporting `_start`) is instantiated anew for
    ///   each call of one of its exported functions, which are defined here;
    /// - a *reactor* (any other module) is instantiated once, now, its
    ///   `_initialize` export (if any) is called, and all its exports are
    ///   defined.
    ///
    /// ```
    /// use tabula::{Engine, Linker, Module, Store};
    ///
    /// let engine = Engine::default();
    /// let mut store = Store::new(&engine, ());
    /// let mut linker = Linker::new(&engine);
    /// let counter = Module::new(&engine, r#"(module (global $n (mut i32) (i32.const 0))
    ///     (func (export "_initialize") (global.set $n (i32.const 100)))
    ///     (func (export "next") (result i32)
    ///       (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))"#)?;
    /// linker.module(&mut store, "counter", &counter)?;
    /// let user = Module::new(&engine, r#"(module (import "counter" "next" (func $next (result i32)))
    ///     (func (export "twice") (result i32) (drop (call $next)) (call $next)))"#)?;
    /// let instance = linker.instantiate(&mut store, &user)?;
    /// let twice = instance.get_typed_func::<(), i32>(&store, "twice")?;
    /// assert_eq!(twice.call(&mut store, ())?, 102); // one reactor instance, initialised once
    /// assert_eq!(twice.call(&mut store, ())?, 104);
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn module(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
        module: &Module,
    ) -> Result<&mut Self, Error>
    where
        T: 'static,
    {
        let store = store.as_context_mut();
        let exports = module.exports();
        let is_command = exports
            .iter()
            .any(|export| export.name == "_start" && matches!(export.ty, ExternType::Func(_)));
        if !is_command {
            let instance = self.instantiate(&mut *store, module)?;
            if let Some(init) = instance.get_func(&*store, "_initialize") {
                init.typed::<(), ()>(&*store)?.call(&mut *store, ())?;
            }
            return self.instance(store, module_name, instance);
        }
        for export in exports {
            let ExternType::Func(ty) = export.ty else {
                continue;
            };
            // Each call sees the definitions made so far, as in wasmtime.
            let linker = self.clone();
            let module = module.clone();
            let name = export.name.clone();
            self.func_new(
                module_name,
                &export.name,
                ty,
                move |mut caller, params, results| {
                    let instance = linker
                        .instantiate(&mut caller, &module)
                        .map_err(Error::into_trap)?;
                    let func = instance
                        .get_func(&caller, &name)
                        .ok_or_else(|| Trap::host("the command's export disappeared"))?;
                    func.call(&mut caller, params, results)
                        .map_err(Error::into_trap)
                },
            )?;
        }
        Ok(self)
    }

    /// The definition of `module`/`name` as it would be used in `store`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let definition = self
            .definitions
            .get(&(String::from(module), String::from(name)))?;
        Some(match definition {
            Definition::Extern(item) => *item,
            Definition::Host(ty, func) => {
                Extern::Func(store.as_context_mut().add_host_func(ty, Arc::clone(func)))
            }
        })
    }

    /// Instantiates `module`, resolving its imports here, and runs its start
    /// function. A definition that another store owns is an
    /// [`Error::StoreMismatch`].
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance, Error> {
        let store = store.as_context_mut();
        let mut imports = Vec::new();
        for import in module.imports() {
            let item = self
                .get(&mut *store, &import.module, &import.name)
                .ok_or_else(|| {
                    Error::Link(alloc::format!(
                        "{}::{} is not defined",
                        import.module,
                        import.name
                    ))
                })?;
            imports.push(item);
        }
        Instance::new(store, module, &imports)
    }

    /// Resolves `module`'s imports once, for many instantiations (wasmtime's
    /// name): [`InstancePre::instantiate`] then skips the name lookups and
    /// the host functions' type checks. Definitions made later are not seen.
    ///
    /// ```
    /// # fn main() -> Result<(), tabula::Error> {
    /// use tabula::{Engine, Linker, Module, Store};
    /// let engine = Engine::default();
    /// let module = Module::new(
    ///     &engine,
    ///     r#"(module (import "host" "twice" (func $twice (param i32) (result i32)))
    ///                (func (export "run") (param i32) (result i32)
    ///                  (call $twice (local.get 0))))"#,
    /// )?;
    /// let mut linker = Linker::<()>::new(&engine);
    /// linker.func_wrap("host", "twice", |x: i32| x * 2)?;
    /// let pre = linker.instantiate_pre(&module)?;
    /// for request in 0..3 {
    ///     // A fresh store per request: only the instance's own state is made.
    ///     let mut store = Store::new(&engine, ());
    ///     let instance = pre.instantiate(&mut store)?;
    ///     let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
    ///     assert_eq!(run.call(&mut store, request)?, request * 2);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn instantiate_pre(&self, module: &Module) -> Result<InstancePre<T>, Error> {
        let mut imports = Vec::new();
        for import in module.imports() {
            let definition = self
                .definitions
                .get(&(import.module.clone(), import.name.clone()))
                .ok_or_else(|| {
                    Error::Link(alloc::format!(
                        "{}::{} is not defined",
                        import.module,
                        import.name
                    ))
                })?;
            if let (Definition::Host(ty, _), ExternType::Func(expected)) = (definition, &import.ty)
            {
                if ty != expected {
                    return Err(Error::Link(alloc::format!(
                        "{}::{}: function type mismatch",
                        import.module,
                        import.name
                    )));
                }
            }
            imports.push(definition.clone());
        }
        Ok(InstancePre {
            module: module.clone(),
            imports,
        })
    }
}

/// A module with its imports resolved by a [`Linker`], ready to be
/// instantiated in any number of stores; from [`Linker::instantiate_pre`].
pub struct InstancePre<T> {
    module: Module,
    imports: Vec<Definition<T>>,
}

impl<T> Clone for InstancePre<T> {
    fn clone(&self) -> Self {
        InstancePre {
            module: self.module.clone(),
            imports: self.imports.clone(),
        }
    }
}

impl<T> InstancePre<T> {
    /// The module this instantiates.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// Instantiates the module in `store` and runs its start function. Host
    /// functions are added to `store`; an instance or item defined in the
    /// linker must belong to `store` ([`Error::StoreMismatch`] otherwise).
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>) -> Result<Instance, Error> {
        let store = store.as_context_mut();
        let imports: Vec<Extern> = self
            .imports
            .iter()
            .map(|definition| match definition {
                Definition::Extern(item) => *item,
                Definition::Host(ty, func) => {
                    Extern::Func(store.add_host_func(ty, Arc::clone(func)))
                }
            })
            .collect();
        Instance::new(store, &self.module, &imports)
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}

impl From<super::externals::Memory> for Extern {
    fn from(m: super::externals::Memory) -> Extern {
        Extern::Memory(m)
    }
}

impl From<super::externals::Global> for Extern {
    fn from(g: super::externals::Global) -> Extern {
        Extern::Global(g)
    }
}

impl From<super::externals::Table> for Extern {
    fn from(t: super::externals::Table) -> Extern {
        Extern::Table(t)
    }
}

impl From<super::externals::Tag> for Extern {
    fn from(t: super::externals::Tag) -> Extern {
        Extern::Tag(t)
    }
}
