//! Differential execution: a `wasm-smith` module run in Tabula and in wasmi.
//!
//! Both engines meter fuel, but their units differ, so a run that exhausts
//! fuel (or the call stack, whose limits differ too) in either engine is
//! inconclusive and ends the comparison. Everything else must agree: results,
//! trap versus no trap, the kind of trap, and after every call the bytes of
//! every exported memory and the value of every exported global.

use arbitrary::Unstructured;

use crate::Quiet;

/// Fuel for instantiation and for each call, in each engine's own units.
const FUEL: u64 = 20_000;
/// The GC heap Tabula's store may use.
const GC_HEAP: usize = 64 << 20;
/// At most this many exported functions are called per module.
const MAX_CALLS: usize = 4;

/// How a comparison ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The bytes did not make a module.
    NoModule,
    /// Both engines rejected the module.
    BothRejected,
    /// Out of fuel or stack in one engine: nothing to compare.
    Inconclusive,
    /// wasmi panicked (its bug; Tabula had nothing to be compared with).
    PeerPanicked,
    /// wasmi disagreed with Tabula, and wasmtime, run as a referee on the
    /// same module and calls, observed exactly what Tabula did (see
    /// `fuzz/FINDINGS.md` for the wasmi bugs this has settled).
    Outvoted,
    /// Everything compared agreed; `calls` is how many calls were compared.
    Agreed { calls: usize },
}

/// Traps common to both engines. Tabula distinguishes an index past the
/// table's end (`UndefinedElement`) from other table accesses; wasmi calls
/// both `TableOutOfBounds`, as the spec does not tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    Unreachable,
    DivideByZero,
    IntegerOverflow,
    BadConversion,
    MemoryOutOfBounds,
    TableOutOfBounds,
    NullReference,
    SignatureMismatch,
    StackExhausted,
    OutOfFuel,
    /// GC: an array index or range past the end.
    ArrayOutOfBounds,
    /// GC: `ref.cast` of a value of another type.
    CastFailure,
    /// GC: an object too large to allocate.
    AllocationTooLarge,
    /// Anything else, e.g. a non-trap instantiation error.
    Other,
}

/// A result value, with references reduced to null-ness (the two engines'
/// handles cannot be compared) and scalar NaNs to NaN-ness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    /// wasm-smith canonicalises NaNs (see [`config`]), so lanes compare bitwise.
    V128(u128),
    Ref {
        null: bool,
    },
}

impl Value {
    /// Whether two values agree: NaNs agree with NaNs whatever their payload,
    /// since the spec lets an operation on a non-canonical NaN return any
    /// arithmetic NaN.
    fn agrees(self, other: Value) -> bool {
        match (self, other) {
            (Value::F32(a), Value::F32(b)) => {
                a == b || (f32::from_bits(a).is_nan() && f32::from_bits(b).is_nan())
            }
            (Value::F64(a), Value::F64(b)) => {
                a == b || (f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan())
            }
            (a, b) => a == b,
        }
    }
}

/// What one call (or instantiation) produced, plus the observable state after it.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    result: Result<Vec<Value>, Trap>,
    memories: Vec<(String, Vec<u8>)>,
    globals: Vec<(String, Value)>,
    table_sizes: Vec<(String, u64)>,
}

impl Observed {
    fn agrees(&self, other: &Observed) -> bool {
        let results = match (&self.result, &other.result) {
            (Ok(a), Ok(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.agrees(*y)),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        results
            && self.memories == other.memories
            && self.table_sizes == other.table_sizes
            && self.globals.len() == other.globals.len()
            && self
                .globals
                .iter()
                .zip(&other.globals)
                .all(|((n, a), (m, b))| n == m && a.agrees(*b))
    }

    /// The result and globals, and where memories first differ from zero
    /// (a whole memory is too long to print).
    fn summary(&self) -> String {
        let memories: Vec<(&str, usize, Option<usize>)> = (self.memories.iter())
            .map(|(name, bytes)| {
                (
                    name.as_str(),
                    bytes.len(),
                    bytes.iter().position(|b| *b != 0),
                )
            })
            .collect();
        format!(
            "{:?} globals {:?} tables {:?} memories (name, length, first non-zero byte) {memories:?}",
            self.result, self.globals, self.table_sizes
        )
    }

    /// Out of fuel, stack or GC heap: each engine has its own limits.
    fn inconclusive(&self) -> bool {
        matches!(
            self.result,
            Err(Trap::OutOfFuel | Trap::StackExhausted | Trap::AllocationTooLarge)
        )
    }
}

/// The `wasm-smith` configuration: WebAssembly 2.0 plus the 3.0 proposals
/// all three engines implement deterministically (tail calls, extended
/// constant expressions, multi-memory, memory64 with its 64-bit tables,
/// wide arithmetic), no
/// imports, and small bounded memories and tables. Relaxed SIMD is left out:
/// each engine may pick a different allowed result.
pub fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: true,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: true,
        relaxed_simd_enabled: false,
        wide_arithmetic_enabled: true,
        extended_const_enabled: true,
        custom_page_sizes_enabled: false,
        compact_imports_enabled: false,
        custom_descriptors_enabled: false,
        max_memories: 2,
        max_tables: 4,
        max_imports: 0,
        min_funcs: 1,
        min_exports: 1,
        export_everything: true,
        // A declared maximum bounds every `memory.grow` and `table.grow`.
        memory_max_size_required: true,
        max_memory32_bytes: 2 << 20,
        max_memory64_bytes: 2 << 20,
        table_max_size_required: true,
        max_table_elements: 1_000,
        // Bitwise-comparable memory and SIMD lanes: a NaN written to memory
        // or reinterpreted would otherwise differ legitimately.
        canonicalize_nans: true,
        ..wasm_smith::Config::default()
    }
}

/// Builds a module from `data`; `None` if the bytes run out first.
pub fn generate(data: &[u8]) -> Option<Vec<u8>> {
    let mut u = Unstructured::new(data);
    Some(wasm_smith::Module::new(config(), &mut u).ok()?.to_bytes())
}

/// The `gc` target's configuration: [`config`] plus GC (struct and array
/// types, casts, `i31`, rec groups and subtypes) and the typed function
/// references it implies. wasmi implements neither, so these modules are
/// compared with wasmtime directly.
pub fn gc_config() -> wasm_smith::Config {
    wasm_smith::Config {
        gc_enabled: true,
        ..config()
    }
}

/// Builds a GC module from `data`.
pub fn generate_gc(data: &[u8]) -> Option<Vec<u8>> {
    let mut u = Unstructured::new(data);
    Some(
        wasm_smith::Module::new(gc_config(), &mut u)
            .ok()?
            .to_bytes(),
    )
}

/// The `gc` target: a GC module run in Tabula, then the same steps
/// replayed in wasmtime; every step must agree. Panics on a disagreement.
pub fn run_gc(data: &[u8]) -> Outcome {
    let Some(bytes) = generate_gc(data) else {
        return Outcome::NoModule;
    };
    compare_gc(&bytes)
}

/// Compares Tabula with wasmtime on GC module `bytes`.
pub fn compare_gc(bytes: &[u8]) -> Outcome {
    let mut ours = match ours::Session::new(bytes) {
        Ok(session) => session,
        Err(error) => {
            let theirs = referee::replay(bytes, &[], true);
            assert!(
                theirs.is_err(),
                "Tabula rejected a module wasmtime accepts: {error}"
            );
            return Outcome::BothRejected;
        }
    };
    let mut history = vec![ours.instantiate()];
    let mut calls = Vec::new();
    if history[0].result.is_ok() && !history[0].inconclusive() {
        for name in ours.callable_funcs().into_iter().take(MAX_CALLS) {
            let step = ours.call(&name);
            let stop = step.inconclusive();
            history.push(step);
            calls.push(name);
            if stop {
                break;
            }
        }
    }
    let steps = referee::replay(bytes, &calls, true)
        .unwrap_or_else(|error| panic!("wasmtime rejected a module Tabula accepts: {error:#}"));
    for (i, (ours, theirs)) in history.iter().zip(&steps).enumerate() {
        if ours.inconclusive() || theirs.inconclusive() {
            return Outcome::Inconclusive;
        }
        if !ours.agrees(theirs) {
            let what = match i {
                0 => "instantiation".to_string(),
                i => format!("call to {:?}", calls[i - 1]),
            };
            panic!(
                "{what} differs\ntabula:   {}\nwasmtime: {}",
                ours.summary(),
                theirs.summary()
            );
        }
    }
    assert_eq!(
        history.len(),
        steps.len(),
        "wasmtime stopped early: {steps:?}"
    );
    Outcome::Agreed { calls: calls.len() }
}

/// Runs one comparison. Panics, with both sides' observations, on a
/// disagreement.
pub fn run(data: &[u8]) -> Outcome {
    let Some(bytes) = generate(data) else {
        return Outcome::NoModule;
    };
    compare(&bytes)
}

/// Compares the two engines on module `bytes`.
pub fn compare(bytes: &[u8]) -> Outcome {
    compare_with(bytes, true)
}

/// Like [`compare`]; `use_referee` false panics on every disagreement,
/// to show both engines' results even where wasmtime would side with Tabula.
pub fn compare_with(bytes: &[u8], use_referee: bool) -> Outcome {
    let mut ours = match ours::Session::new(bytes) {
        Ok(session) => session,
        Err(error) => {
            // wasm-smith makes valid modules; rejecting one is a bug unless
            // wasmi rejects it as well (an implementation limit).
            let theirs = crate::catch_quietly(Quiet::Any, || theirs::Session::new(bytes));
            assert!(
                !matches!(theirs, Ok(Ok(_))),
                "Tabula rejected a module wasmi accepts: {error}"
            );
            return Outcome::BothRejected;
        }
    };
    let Ok(theirs) = crate::catch_quietly(Quiet::Any, || theirs::Session::new(bytes)) else {
        return Outcome::PeerPanicked;
    };
    let mut theirs = theirs.unwrap_or_else(|error| {
        panic!("wasmi rejected a module Tabula accepts: {error}");
    });

    // Tabula's observations so far: what the referee must reproduce.
    let mut history = Vec::new();
    let a = ours.instantiate();
    let Ok(b) = crate::catch_quietly(Quiet::Any, || theirs.instantiate()) else {
        return Outcome::PeerPanicked;
    };
    let (mut a, mut b) = (a, b);
    if a.inconclusive() || b.inconclusive() {
        return Outcome::Inconclusive;
    }
    // wasmi reports a segment out of bounds at instantiation as an error
    // without a trap code: there, only failure itself can be compared.
    if let (Err(x), Err(y)) = (&mut a.result, &mut b.result) {
        if *x == Trap::Other || *y == Trap::Other {
            (*x, *y) = (Trap::Other, Trap::Other);
        }
    }
    if !a.agrees(&b) {
        history.push(a);
        return adjudicate(bytes, &[], &history, &b, use_referee, "instantiation");
    }
    if a.result.is_err() {
        return Outcome::Agreed { calls: 0 };
    }
    history.push(a);

    let funcs = ours.exported_funcs();
    for (i, name) in funcs.iter().take(MAX_CALLS).enumerate() {
        let a = ours.call(name);
        let Ok(b) = crate::catch_quietly(Quiet::Any, || theirs.call(name)) else {
            return Outcome::PeerPanicked;
        };
        if a.inconclusive() || b.inconclusive() {
            return Outcome::Inconclusive;
        }
        if !a.agrees(&b) {
            history.push(a);
            let what = format!("call to {name:?}");
            return adjudicate(bytes, &funcs[..=i], &history, &b, use_referee, &what);
        }
        history.push(a);
    }
    Outcome::Agreed {
        calls: funcs.len().min(MAX_CALLS),
    }
}

/// Settles a disagreement: replays instantiation and `calls` in wasmtime,
/// and attributes the disagreement to wasmi if wasmtime observes exactly
/// what Tabula did at every step. Otherwise (wasmtime sides with wasmi,
/// disagrees with both, or runs out of fuel or stack) panics with the
/// observations, as a bug to adjudicate by hand.
fn adjudicate(
    bytes: &[u8],
    calls: &[String],
    ours: &[Observed],
    theirs: &Observed,
    use_referee: bool,
    what: &str,
) -> Outcome {
    let last = ours.last().expect("at least the disagreeing step");
    let mut verdict = String::from("not consulted");
    if use_referee {
        match referee::replay(bytes, calls, false) {
            Ok(steps) if steps.len() == ours.len() => {
                if steps.iter().zip(ours).all(|(r, o)| r.agrees(o)) {
                    return Outcome::Outvoted;
                }
                verdict = format!("{:?}", steps.last().expect("same length"));
            }
            Ok(steps) => verdict = format!("stopped early: {:?}", steps.last()),
            Err(error) => verdict = format!("could not run: {error:#}"),
        }
    }
    panic!("{what} differs\ntabula:   {last:?}\nwasmi:    {theirs:?}\nwasmtime: {verdict}");
}

/// The engine under test.
mod ours {
    use super::{Observed, Trap, Value, FUEL, GC_HEAP};
    use tabula::{Config, Engine, Error, Extern, Instance, Module, Store, TrapCode, Val};

    pub struct Session {
        module: Module,
        store: Store<()>,
        instance: Option<Instance>,
    }

    fn trap(error: &Error) -> Trap {
        let Some(trap) = error.as_trap() else {
            return Trap::Other;
        };
        match trap.code {
            TrapCode::Unreachable => Trap::Unreachable,
            TrapCode::IntegerDivideByZero => Trap::DivideByZero,
            TrapCode::IntegerOverflow => Trap::IntegerOverflow,
            TrapCode::InvalidConversionToInteger => Trap::BadConversion,
            TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            TrapCode::TableOutOfBounds | TrapCode::UndefinedElement => Trap::TableOutOfBounds,
            TrapCode::UninitializedElement => Trap::NullReference,
            TrapCode::IndirectCallTypeMismatch => Trap::SignatureMismatch,
            TrapCode::CallStackExhausted => Trap::StackExhausted,
            TrapCode::OutOfFuel => Trap::OutOfFuel,
            TrapCode::NullReference
            | TrapCode::NullFunctionReference
            | TrapCode::NullStructReference
            | TrapCode::NullArrayReference
            | TrapCode::NullI31Reference => Trap::NullReference,
            TrapCode::ArrayOutOfBounds => Trap::ArrayOutOfBounds,
            TrapCode::CastFailure => Trap::CastFailure,
            TrapCode::AllocationTooLarge | TrapCode::GcHeapExhausted => Trap::AllocationTooLarge,
            _ => Trap::Other,
        }
    }

    fn value(val: &Val) -> Value {
        match *val {
            Val::I32(x) => Value::I32(x),
            Val::I64(x) => Value::I64(x),
            Val::F32(x) => Value::F32(x),
            Val::F64(x) => Value::F64(x),
            Val::V128(x) => Value::V128(x),
            Val::FuncRef(r) => Value::Ref { null: r.is_none() },
            Val::ExternRef(r) => Value::Ref { null: r.is_none() },
            Val::ExnRef(r) => Value::Ref { null: r.is_none() },
            Val::AnyRef(r) => Value::Ref { null: r.is_none() },
        }
    }

    impl Session {
        pub fn new(bytes: &[u8]) -> Result<Session, Error> {
            let mut config = Config::new();
            // GC modules may allocate gigabytes in a constant expression;
            // the limits differ between engines, so running into one is
            // inconclusive.
            config.consume_fuel(true).max_gc_heap(GC_HEAP);
            let engine = Engine::new(&config);
            let module = Module::new(&engine, bytes)?;
            let store = Store::new(&engine, ());
            Ok(Session {
                module,
                store,
                instance: None,
            })
        }

        pub fn exported_funcs(&self) -> Vec<String> {
            let Some(instance) = self.instance else {
                return Vec::new();
            };
            let mut names: Vec<String> = self
                .module
                .exports()
                .iter()
                .map(|e| e.name().to_string())
                .collect();
            names.retain(|n| instance.get_func(&self.store, n).is_some());
            names
        }

        /// The exported functions whose parameters all have a default
        /// value (a non-nullable reference has none to call them with).
        pub fn callable_funcs(&self) -> Vec<String> {
            let Some(instance) = self.instance else {
                return Vec::new();
            };
            let mut names = self.exported_funcs();
            names.retain(|name| {
                let func = instance.get_func(&self.store, name).expect("exported");
                func.ty(&self.store)
                    .params()
                    .iter()
                    .all(|t| t.is_defaultable())
            });
            names
        }

        pub fn instantiate(&mut self) -> Observed {
            self.store.set_fuel(FUEL).expect("fuel is on");
            let result = Instance::new(&mut self.store, &self.module, &[]);
            let result = match result {
                Ok(instance) => {
                    self.instance = Some(instance);
                    Ok(Vec::new())
                }
                Err(error) => Err(trap(&error)),
            };
            self.observe(result)
        }

        pub fn call(&mut self, name: &str) -> Observed {
            let instance = self.instance.expect("instantiated");
            let func = instance.get_func(&self.store, name).expect("exported");
            let ty = func.ty(&self.store);
            let zero = |t: &tabula::ValType| Val::default_in(&self.store, *t);
            let params: Vec<Val> = ty.params().iter().map(zero).collect();
            let mut results: Vec<Val> = ty.results().iter().map(zero).collect();
            self.store.set_fuel(FUEL).expect("fuel is on");
            let result = func
                .call(&mut self.store, &params, &mut results)
                .map(|()| results.iter().map(value).collect())
                .map_err(|e| trap(&e));
            self.observe(result)
        }

        fn observe(&mut self, result: Result<Vec<Value>, Trap>) -> Observed {
            let mut observed = Observed {
                result,
                memories: Vec::new(),
                globals: Vec::new(),
                table_sizes: Vec::new(),
            };
            let Some(instance) = self.instance else {
                return observed;
            };
            for (name, export) in instance.exports(&self.store).into_iter() {
                match export {
                    Extern::Memory(m) => {
                        observed.memories.push((name, m.data(&self.store).to_vec()))
                    }
                    Extern::Global(g) => observed
                        .globals
                        .push((name, value(&g.get(&mut self.store)))),
                    Extern::Table(t) => observed.table_sizes.push((name, t.size(&self.store))),
                    Extern::Func(_) | Extern::Tag(_) => {}
                }
            }
            observed.memories.sort();
            observed.globals.sort_by(|a, b| a.0.cmp(&b.0));
            observed.table_sizes.sort();
            observed
        }
    }
}

/// The peer engine.
mod theirs {
    use super::{Observed, Trap, Value, FUEL};
    use wasmi::{
        Config, Engine, Error, Extern, Instance, Linker, Module, Store, TrapCode, Val, ValType,
    };

    pub struct Session {
        module: Module,
        store: Store<()>,
        instance: Option<Instance>,
    }

    fn trap(error: &Error) -> Trap {
        let Some(code) = error.as_trap_code() else {
            return Trap::Other;
        };
        match code {
            TrapCode::UnreachableCodeReached => Trap::Unreachable,
            TrapCode::IntegerDivisionByZero => Trap::DivideByZero,
            TrapCode::IntegerOverflow => Trap::IntegerOverflow,
            TrapCode::BadConversionToInteger => Trap::BadConversion,
            TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            TrapCode::TableOutOfBounds => Trap::TableOutOfBounds,
            TrapCode::IndirectCallToNull => Trap::NullReference,
            TrapCode::BadSignature => Trap::SignatureMismatch,
            TrapCode::StackOverflow => Trap::StackExhausted,
            TrapCode::OutOfFuel => Trap::OutOfFuel,
            _ => Trap::Other,
        }
    }

    fn value(val: &Val) -> Value {
        match val {
            Val::I32(x) => Value::I32(*x),
            Val::I64(x) => Value::I64(*x),
            Val::F32(x) => Value::F32(x.to_bits()),
            Val::F64(x) => Value::F64(x.to_bits()),
            Val::V128(x) => Value::V128(x.as_u128()),
            Val::FuncRef(r) => Value::Ref { null: r.is_null() },
            Val::ExternRef(r) => Value::Ref { null: r.is_null() },
        }
    }

    fn zero(ty: &ValType) -> Val {
        Val::default_for_ty(*ty)
    }

    impl Session {
        pub fn new(bytes: &[u8]) -> Result<Session, Error> {
            let mut config = Config::default();
            config
                .consume_fuel(true)
                .wasm_simd(true)
                .wasm_tail_call(true)
                .wasm_extended_const(true)
                .wasm_multi_memory(true)
                .wasm_memory64(true)
                .wasm_wide_arithmetic(true);
            let engine = Engine::new(&config);
            let module = Module::new(&engine, bytes)?;
            let store = Store::new(&engine, ());
            Ok(Session {
                module,
                store,
                instance: None,
            })
        }

        pub fn instantiate(&mut self) -> Observed {
            self.store.set_fuel(FUEL).expect("fuel is on");
            let linker = Linker::<()>::new(self.store.engine());
            let result = match linker.instantiate_and_start(&mut self.store, &self.module) {
                Ok(instance) => {
                    self.instance = Some(instance);
                    Ok(Vec::new())
                }
                Err(error) => Err(trap(&error)),
            };
            self.observe(result)
        }

        pub fn call(&mut self, name: &str) -> Observed {
            let instance = self.instance.expect("instantiated");
            let func = instance.get_func(&self.store, name).expect("exported");
            let ty = func.ty(&self.store);
            let params: Vec<Val> = ty.params().iter().map(zero).collect();
            let mut results: Vec<Val> = ty.results().iter().map(zero).collect();
            self.store.set_fuel(FUEL).expect("fuel is on");
            let result = func
                .call(&mut self.store, &params, &mut results)
                .map(|()| results.iter().map(value).collect())
                .map_err(|e| trap(&e));
            self.observe(result)
        }

        fn observe(&mut self, result: Result<Vec<Value>, Trap>) -> Observed {
            let mut observed = Observed {
                result,
                memories: Vec::new(),
                globals: Vec::new(),
                table_sizes: Vec::new(),
            };
            let Some(instance) = self.instance else {
                return observed;
            };
            let exports: Vec<(String, Extern)> = instance
                .exports(&self.store)
                .map(|e| (e.name().to_string(), e.into_extern()))
                .collect();
            for (name, export) in exports {
                match export {
                    Extern::Memory(m) => {
                        observed.memories.push((name, m.data(&self.store).to_vec()))
                    }
                    Extern::Global(g) => observed
                        .globals
                        .push((name, value(&g.get(&mut self.store)))),
                    Extern::Table(t) => observed.table_sizes.push((name, t.size(&self.store))),
                    Extern::Func(_) => {}
                }
            }
            observed.memories.sort();
            observed.globals.sort_by(|a, b| a.0.cmp(&b.0));
            observed.table_sizes.sort();
            observed
        }
    }
}

/// The referee: wasmtime (Cranelift), consulted only on a disagreement.
/// It runs with far more fuel than the other two, since fuel units differ
/// and both of them finished the steps it replays.
mod referee {
    use super::{Observed, Trap, Value, FUEL};
    use wasmtime::{Config, Engine, Extern, Instance, Module, Store, Val};

    fn trap(error: &wasmtime::Error) -> Trap {
        let Some(code) = error.downcast_ref::<wasmtime::Trap>() else {
            // wasmtime's GC heap has its own limit, reported as an error.
            if format!("{error:#}").contains("GC heap out of memory") {
                return Trap::AllocationTooLarge;
            }
            return Trap::Other;
        };
        match code {
            wasmtime::Trap::UnreachableCodeReached => Trap::Unreachable,
            wasmtime::Trap::IntegerDivisionByZero => Trap::DivideByZero,
            wasmtime::Trap::IntegerOverflow => Trap::IntegerOverflow,
            wasmtime::Trap::BadConversionToInteger => Trap::BadConversion,
            wasmtime::Trap::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            wasmtime::Trap::TableOutOfBounds => Trap::TableOutOfBounds,
            wasmtime::Trap::IndirectCallToNull => Trap::NullReference,
            wasmtime::Trap::BadSignature => Trap::SignatureMismatch,
            wasmtime::Trap::StackOverflow => Trap::StackExhausted,
            wasmtime::Trap::OutOfFuel => Trap::OutOfFuel,
            wasmtime::Trap::NullReference => Trap::NullReference,
            wasmtime::Trap::ArrayOutOfBounds => Trap::ArrayOutOfBounds,
            wasmtime::Trap::CastFailure => Trap::CastFailure,
            wasmtime::Trap::AllocationTooLarge => Trap::AllocationTooLarge,
            _ => Trap::Other,
        }
    }

    fn value(val: &Val) -> Value {
        match val {
            Val::I32(x) => Value::I32(*x),
            Val::I64(x) => Value::I64(*x),
            Val::F32(x) => Value::F32(*x),
            Val::F64(x) => Value::F64(*x),
            Val::V128(x) => Value::V128(x.as_u128()),
            Val::FuncRef(r) => Value::Ref { null: r.is_none() },
            Val::ExternRef(r) => Value::Ref { null: r.is_none() },
            Val::AnyRef(r) => Value::Ref { null: r.is_none() },
            Val::ExnRef(r) => Value::Ref { null: r.is_none() },
            other => panic!("a module returned {other:?}"),
        }
    }

    fn observe(
        store: &mut Store<()>,
        instance: Option<Instance>,
        result: Result<Vec<Value>, Trap>,
    ) -> Observed {
        let mut observed = Observed {
            result,
            memories: Vec::new(),
            globals: Vec::new(),
            table_sizes: Vec::new(),
        };
        let Some(instance) = instance else {
            return observed;
        };
        let exports: Vec<(String, Extern)> = instance
            .exports(&mut *store)
            .map(|e| (e.name().to_string(), e.into_extern()))
            .collect();
        for (name, export) in exports {
            match export {
                Extern::Memory(m) => observed.memories.push((name, m.data(&*store).to_vec())),
                Extern::Global(g) => {
                    let v = g.get(&mut *store);
                    observed.globals.push((name, value(&v)));
                }
                Extern::Table(t) => observed.table_sizes.push((name, t.size(&*store))),
                _ => {}
            }
        }
        observed.memories.sort();
        observed.globals.sort_by(|a, b| a.0.cmp(&b.0));
        observed.table_sizes.sort();
        observed
    }

    /// Instantiates `bytes` and calls `calls` in order, with zero
    /// arguments, observing after each step as the other engines do. Stops
    /// after a failed instantiation or an inconclusive step. `gc` turns on
    /// GC and typed function references.
    pub fn replay(bytes: &[u8], calls: &[String], gc: bool) -> wasmtime::Result<Vec<Observed>> {
        let fuel = FUEL * 1_000;
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .wasm_tail_call(true)
            .wasm_extended_const(true)
            .wasm_multi_memory(true)
            .wasm_memory64(true)
            .wasm_wide_arithmetic(true)
            .wasm_gc(gc)
            .wasm_function_references(gc);
        let engine = Engine::new(&config)?;
        let module = Module::new(&engine, bytes)?;
        let mut store = Store::new(&engine, ());
        store.set_fuel(fuel)?;
        let (instance, result) = match Instance::new(&mut store, &module, &[]) {
            Ok(instance) => (Some(instance), Ok(Vec::new())),
            Err(error) => (None, Err(trap(&error))),
        };
        let mut steps = vec![observe(&mut store, instance, result)];
        let Some(instance) = instance else {
            return Ok(steps);
        };
        for name in calls {
            let func = instance
                .get_func(&mut store, name)
                .ok_or_else(|| wasmtime::Error::msg(format!("no export {name:?}")))?;
            let ty = func.ty(&store);
            let params: Vec<Val> = ty
                .params()
                .map(|t| Val::default_for_ty(&t).expect("a defaultable parameter type"))
                .collect();
            // A result buffer only needs the right kind; non-nullable
            // results take their null.
            let mut results: Vec<Val> = ty
                .results()
                .map(|t| match t.as_ref() {
                    Some(r) => Val::null_ref(r.heap_type()),
                    None => Val::default_for_ty(&t).expect("a number or vector"),
                })
                .collect();
            store.set_fuel(fuel)?;
            let result = func
                .call(&mut store, &params, &mut results)
                .map(|()| results.iter().map(value).collect())
                .map_err(|e| trap(&e));
            let step = observe(&mut store, Some(instance), result);
            let stop = step.inconclusive();
            steps.push(step);
            if stop {
                break;
            }
        }
        Ok(steps)
    }
}
