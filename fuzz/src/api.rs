//! Random sequences of embedding-API calls, including handles used with a
//! store that does not own them.
//!
//! Every handle remembers the store it came from. A call through a handle
//! with its own store may fail with any error but `StoreMismatch`; a call
//! with another store must fail with `Error::StoreMismatch` or panic with the
//! documented message. Any other panic is a bug.

use std::panic;
use std::sync::OnceLock;

use crate::Quiet;
use arbitrary::{Arbitrary, Unstructured};
use tabula::{
    Config, Engine, Error, Extern, Func, Global, GlobalType, Instance, Memory, MemoryType, Module,
    Mutability, RefType, Store, Table, TableType, Val, ValType,
};

/// The panic message of a handle used with the wrong store (see the crate
/// docs of `tabula`, "Store isolation").
pub const WRONG_STORE: &str = "object used with the wrong store";

/// Small modules with every kind of export, instantiated on demand.
const MODULES: [&str; 3] = [
    r#"(module
        (memory (export "mem") 1 4)
        (global (export "g") (mut i32) (i32.const 7))
        (table (export "tab") 2 10 funcref)
        (func $id (export "id") (param i32) (result i32) local.get 0)
        (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "spin") (loop br 0))
        (func (export "call_ind") (param i32) (result i32)
            (call_indirect (param i32) (result i32) (i32.const 5) (local.get 0)))
        (elem (i32.const 0) $id))"#,
    r#"(module
        (import "host" "f" (func $f (param i32) (result i32)))
        (import "host" "mem" (memory 1))
        (import "host" "g" (global (mut i32)))
        (func (export "via_host") (param i32) (result i32) (call $f (local.get 0)))
        (func (export "store") (param i32) (i32.store (local.get 0) (global.get 0)))
        (func (export "recurse") (param i32) (result i32)
            (call 3 (i32.add (local.get 0) (i32.const 1)))))"#,
    r#"(module
        (global (export "gf") (mut funcref) (ref.null func))
        (global (export "ge") (mut externref) (ref.null extern))
        (table (export "te") 1 externref)
        (func (export "set_ge") (param externref) (global.set 1 (local.get 0)))
        (func (export "get_ge") (result externref) (global.get 1)))"#,
];

/// One embedding-API call. Indices pick among the handles made so far
/// (modulo their count); `store` picks a store independently, so handles
/// are often used with a store that does not own them.
#[derive(Arbitrary, Debug)]
enum Op {
    NewStore,
    DropStore(u8),
    Instantiate {
        store: u8,
        module: u8,
    },
    Call {
        func: u8,
        store: u8,
        arg: i32,
    },
    GetExport {
        instance: u8,
        store: u8,
        name: u8,
    },
    MemRead {
        mem: u8,
        store: u8,
        offset: u32,
        len: u16,
    },
    MemWrite {
        mem: u8,
        store: u8,
        offset: u32,
        byte: u8,
        len: u16,
    },
    MemGrow {
        mem: u8,
        store: u8,
        delta: u8,
    },
    MemInfo {
        mem: u8,
        store: u8,
    },
    NewMemory {
        store: u8,
        min: u8,
        max: Option<u8>,
    },
    GlobalGet {
        global: u8,
        store: u8,
    },
    GlobalSet {
        global: u8,
        store: u8,
        value: i32,
        as_ref: Option<u8>,
    },
    NewGlobal {
        store: u8,
        value: i32,
        mutable: bool,
    },
    TableGet {
        table: u8,
        store: u8,
        index: u8,
    },
    TableSet {
        table: u8,
        store: u8,
        index: u8,
        func: Option<u8>,
    },
    TableGrow {
        table: u8,
        store: u8,
        delta: u8,
        func: Option<u8>,
    },
    NewTable {
        store: u8,
        min: u8,
    },
    NewHostFunc {
        store: u8,
    },
    SetFuel {
        store: u8,
        fuel: u16,
    },
}

/// A handle and the index (into `World::stores`) of the store that made it.
struct Owned<H> {
    handle: H,
    owner: usize,
}

#[derive(Default)]
struct World {
    /// `None` once dropped: its handles then belong to no live store.
    stores: Vec<Option<Store<()>>>,
    instances: Vec<Owned<Instance>>,
    funcs: Vec<Owned<Func>>,
    memories: Vec<Owned<Memory>>,
    globals: Vec<Owned<Global>>,
    tables: Vec<Owned<Table>>,
}

fn pick<H>(items: &[Owned<H>], i: u8) -> Option<&Owned<H>> {
    (!items.is_empty()).then(|| &items[usize::from(i) % items.len()])
}

fn engine() -> &'static (Engine, Vec<Module>) {
    static ENGINE: OnceLock<(Engine, Vec<Module>)> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config);
        let modules = MODULES
            .iter()
            .map(|text| Module::new(&engine, text).expect("fixed modules compile"))
            .collect();
        (engine, modules)
    })
}

pub(crate) fn is_wrong_store(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.downcast_ref::<&str>() == Some(&WRONG_STORE)
        || payload
            .downcast_ref::<String>()
            .is_some_and(|s| s == WRONG_STORE)
}

/// Runs `f` with a handle from store `owner` and store `used`; checks that
/// the outcome is the one isolation requires.
fn check<R>(owner: usize, used: usize, f: impl FnOnce() -> Result<R, Error>) -> Option<R> {
    let mismatched = owner != used;
    let quiet = if mismatched {
        Quiet::WrongStore
    } else {
        Quiet::None
    };
    let outcome = crate::catch_quietly(quiet, f);
    match outcome {
        Ok(Ok(value)) => {
            assert!(!mismatched, "a handle was accepted by another store");
            Some(value)
        }
        Ok(Err(Error::StoreMismatch)) => {
            assert!(mismatched, "StoreMismatch for a handle's own store");
            None
        }
        Ok(Err(_)) => None,
        Err(payload) => {
            if !(mismatched && is_wrong_store(&*payload)) {
                panic::resume_unwind(payload);
            }
            None
        }
    }
}

impl World {
    /// A live store by index (modulo the count), with its index.
    fn store(&mut self, i: u8) -> Option<(usize, &mut Store<()>)> {
        if self.stores.is_empty() {
            return None;
        }
        let index = usize::from(i) % self.stores.len();
        self.stores[index].as_mut().map(|s| (index, s))
    }

    fn apply(&mut self, op: Op) {
        let (engine, modules) = engine();
        match op {
            Op::NewStore => {
                if self.stores.len() < 8 {
                    let mut store = Store::new(engine, ());
                    store.set_fuel(10_000).expect("fuel is on");
                    self.stores.push(Some(store));
                }
            }
            Op::DropStore(i) => {
                if !self.stores.is_empty() {
                    let len = self.stores.len();
                    self.stores[usize::from(i) % len] = None;
                }
            }
            Op::Instantiate { store, module } => {
                let module = &modules[usize::from(module) % modules.len()];
                let mem = self.memories.first().map(|m| (m.handle, m.owner));
                let global = self.globals.first().map(|g| (g.handle, g.owner));
                let func = self.funcs.first().map(|f| (f.handle, f.owner));
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                // Imports for the second module, possibly from other stores.
                let mut imports = Vec::new();
                let mut owners = Vec::new();
                if !module.imports().is_empty() {
                    let (Some(f), Some(m), Some(g)) = (func, mem, global) else {
                        return;
                    };
                    imports = vec![Extern::Func(f.0), Extern::Memory(m.0), Extern::Global(g.0)];
                    owners = vec![f.1, m.1, g.1];
                }
                // Any import from another store must make it a mismatch.
                let owner = owners
                    .iter()
                    .copied()
                    .find(|&o| o != index)
                    .unwrap_or(index);
                if let Some(instance) =
                    check(owner, index, || Instance::new(&mut *s, module, &imports))
                {
                    self.add_instance(instance, index);
                }
            }
            Op::Call { func, store, arg } => {
                let Some(f) = pick(&self.funcs, func).map(|f| (f.handle, f.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let _ = s.set_fuel(10_000);
                check(f.1, index, || {
                    let ty = f.0.ty(&*s);
                    let params: Vec<Val> = ty
                        .params()
                        .iter()
                        .map(|t| match t {
                            ValType::I32 => Val::I32(arg),
                            t => Val::default_for(*t),
                        })
                        .collect();
                    let mut results: Vec<Val> =
                        ty.results().iter().map(|t| Val::default_for(*t)).collect();
                    f.0.call(&mut *s, &params, &mut results)
                });
            }
            Op::GetExport {
                instance,
                store,
                name,
            } => {
                let Some(i) = pick(&self.instances, instance).map(|i| (i.handle, i.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let names = ["mem", "g", "tab", "id", "via_host", "gf", "te", "nope"];
                let name = names[usize::from(name) % names.len()];
                if let Some(Some(export)) = check(i.1, index, || Ok(i.0.get_export(&*s, name))) {
                    self.add_extern(export, index);
                }
            }
            Op::MemRead {
                mem,
                store,
                offset,
                len,
            } => {
                let Some(m) = pick(&self.memories, mem).map(|m| (m.handle, m.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let mut buffer = vec![0; usize::from(len)];
                check(m.1, index, || m.0.read(&*s, offset as usize, &mut buffer));
            }
            Op::MemWrite {
                mem,
                store,
                offset,
                byte,
                len,
            } => {
                let Some(m) = pick(&self.memories, mem).map(|m| (m.handle, m.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let bytes = vec![byte; usize::from(len)];
                if check(m.1, index, || m.0.write(&mut *s, offset as usize, &bytes)).is_some() {
                    let mut back = vec![0; bytes.len()];
                    m.0.read(&*s, offset as usize, &mut back)
                        .expect("a write that succeeded reads back");
                    assert_eq!(back, bytes, "memory write did not read back");
                }
            }
            Op::MemGrow { mem, store, delta } => {
                let Some(m) = pick(&self.memories, mem).map(|m| (m.handle, m.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                if let Some(before) = check(m.1, index, || Ok(m.0.size(&*s))) {
                    if let Ok(old) = m.0.grow(&mut *s, u64::from(delta)) {
                        assert_eq!(old, before, "grow returns the old size");
                        assert_eq!(m.0.size(&*s), before + u64::from(delta));
                        assert_eq!(
                            m.0.data(&*s).len() as u64,
                            (before + u64::from(delta)) << 16
                        );
                    } else {
                        assert_eq!(m.0.size(&*s), before, "a failed grow changes nothing");
                    }
                } else {
                    check(m.1, index, || m.0.grow(&mut *s, u64::from(delta)));
                }
            }
            Op::MemInfo { mem, store } => {
                let Some(m) = pick(&self.memories, mem).map(|m| (m.handle, m.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                check(m.1, index, || {
                    let (size, ty, len) = (m.0.size(&*s), m.0.ty(&*s), m.0.data_size(&*s));
                    assert_eq!(size << 16, len as u64);
                    Ok(ty)
                });
            }
            Op::NewMemory { store, min, max } => {
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let ty = MemoryType::new(u32::from(min % 20), max.map(|m| u32::from(m % 40)));
                if let Ok(m) = Memory::new(&mut *s, ty) {
                    self.memories.push(Owned {
                        handle: m,
                        owner: index,
                    });
                }
            }
            Op::GlobalGet { global, store } => {
                let Some(g) = pick(&self.globals, global).map(|g| (g.handle, g.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                check(g.1, index, || Ok((g.0.get(&mut *s), g.0.ty(&*s))));
            }
            Op::GlobalSet {
                global,
                store,
                value,
                as_ref,
            } => {
                let Some(g) = pick(&self.globals, global).map(|g| (g.handle, g.owner)) else {
                    return;
                };
                // A funcref value brings its own owner: a mismatch if either
                // the global or the value is foreign.
                let func = as_ref.and_then(|f| pick(&self.funcs, f).map(|f| (f.handle, f.owner)));
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let (val, owner) = match func {
                    Some((f, o)) => (Val::FuncRef(Some(f)), if o != index { o } else { g.1 }),
                    None => (Val::I32(value), g.1),
                };
                if check(owner, index, || g.0.set(&mut *s, val)).is_some() {
                    assert_eq!(g.0.get(&mut *s), val, "global set did not read back");
                }
            }
            Op::NewGlobal {
                store,
                value,
                mutable,
            } => {
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let mutability = if mutable {
                    Mutability::Var
                } else {
                    Mutability::Const
                };
                let ty = GlobalType::new(ValType::I32, mutability);
                let g = Global::new(&mut *s, ty, Val::I32(value)).expect("an i32 global");
                self.globals.push(Owned {
                    handle: g,
                    owner: index,
                });
            }
            Op::TableGet {
                table,
                store,
                index: i,
            } => {
                let Some(t) = pick(&self.tables, table).map(|t| (t.handle, t.owner)) else {
                    return;
                };
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                check(t.1, index, || {
                    let size = t.0.size(&*s);
                    let got = t.0.get(&mut *s, u64::from(i));
                    assert_eq!(got.is_some(), u64::from(i) < size);
                    Ok(got)
                });
            }
            Op::TableSet {
                table,
                store,
                index: i,
                func,
            } => {
                let Some(t) = pick(&self.tables, table).map(|t| (t.handle, t.owner)) else {
                    return;
                };
                let func = func.and_then(|f| pick(&self.funcs, f).map(|f| (f.handle, f.owner)));
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let (val, owner) = match func {
                    Some((f, o)) => (Val::FuncRef(Some(f)), if o != index { o } else { t.1 }),
                    None => (Val::FuncRef(None), t.1),
                };
                check(owner, index, || t.0.set(&mut *s, u64::from(i), val));
            }
            Op::TableGrow {
                table,
                store,
                delta,
                func,
            } => {
                let Some(t) = pick(&self.tables, table).map(|t| (t.handle, t.owner)) else {
                    return;
                };
                let func = func.and_then(|f| pick(&self.funcs, f).map(|f| (f.handle, f.owner)));
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let (val, owner) = match func {
                    Some((f, o)) => (Val::FuncRef(Some(f)), if o != index { o } else { t.1 }),
                    None => (Val::FuncRef(None), t.1),
                };
                check(owner, index, || t.0.grow(&mut *s, u64::from(delta), val));
            }
            Op::NewTable { store, min } => {
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let ty = TableType::new(RefType::FUNCREF, u32::from(min % 16), Some(64));
                if let Ok(t) = Table::new(&mut *s, ty, Val::FuncRef(None)) {
                    self.tables.push(Owned {
                        handle: t,
                        owner: index,
                    });
                }
            }
            Op::NewHostFunc { store } => {
                let Some((index, s)) = self.store(store) else {
                    return;
                };
                let f = Func::wrap(&mut *s, |x: i32| x.wrapping_mul(3));
                self.funcs.push(Owned {
                    handle: f,
                    owner: index,
                });
            }
            Op::SetFuel { store, fuel } => {
                if let Some((_, s)) = self.store(store) {
                    s.set_fuel(u64::from(fuel)).expect("fuel is on");
                }
            }
        }
    }

    fn add_instance(&mut self, instance: Instance, owner: usize) {
        let store = self.stores[owner].as_ref().expect("live store");
        for (_, export) in instance.exports(store) {
            self.add_extern(export, owner);
        }
        self.instances.push(Owned {
            handle: instance,
            owner,
        });
    }

    fn add_extern(&mut self, export: Extern, owner: usize) {
        match export {
            Extern::Func(handle) => self.funcs.push(Owned { handle, owner }),
            Extern::Memory(handle) => self.memories.push(Owned { handle, owner }),
            Extern::Global(handle) => self.globals.push(Owned { handle, owner }),
            Extern::Table(handle) => self.tables.push(Owned { handle, owner }),
            // The API sequences make no tags; an export of one is ignored.
            Extern::Tag(_) => {}
        }
    }
}

/// Runs the API sequence that `data` describes.
pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut world = World::default();
    // Two stores to start with, so mismatches come early.
    world.apply(Op::NewStore);
    world.apply(Op::NewStore);
    for _ in 0..64 {
        let Ok(op) = Op::arbitrary(&mut u) else {
            break;
        };
        world.apply(op);
    }
}
