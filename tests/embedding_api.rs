//! The embedding API a wasmtime user ports to: bounded traps, kept host
//! errors, resource limiters, epochs, host data in externrefs, wide host
//! functions, `Linker::module`, and the memory and table accessors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tabula::{
    Caller, Config, Engine, Error, ExternRef, Func, Linker, Memory, MemoryType, Module, RefType,
    ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Table, TableType, Trap, TrapCode, Val,
};

const RECURSE: &str = r#"(module
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (call $deep (local.get 0)) (i32.const 1))))"#;

fn recurse(config: &Config) -> Trap {
    let engine = Engine::new(config);
    let module = Module::new(&engine, RECURSE).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let deep = instance.get_typed_func::<i32, i32>(&store, "deep").unwrap();
    let error = deep.call(&mut store, 0).unwrap_err();
    error.as_trap().unwrap().clone()
}

#[test]
fn infinite_recursion_keeps_20_frames_by_default() {
    let trap = recurse(&Config::new());
    assert_eq!(trap.code, TrapCode::CallStackExhausted);
    assert_eq!(trap.backtrace.len(), 20);
    assert!(trap
        .backtrace
        .iter()
        .all(|f| f.func_name.as_deref() == Some("deep")));
    // 100 000 frames deep: all but the kept ones are counted.
    assert!(trap.omitted_frames >= 99_900, "{}", trap.omitted_frames);
    assert_eq!(trap.backtrace.len() + trap.omitted_frames, 100_000);
    let text = trap.to_string();
    assert!(text.len() < 400, "{} bytes:\n{text}", text.len());
    assert!(text.contains("… 19 more frames of the same"), "{text}");
    assert!(
        text.contains(&format!("… {} more frames (not kept)", trap.omitted_frames)),
        "{text}"
    );
    assert_eq!(text.lines().count(), 5, "{text}");
}

#[test]
fn backtrace_cap_is_configurable() {
    let mut config = Config::new();
    config.max_backtrace_frames(3).max_call_depth(1_000);
    let trap = recurse(&config);
    assert_eq!(trap.backtrace.len(), 3);
    assert_eq!(trap.omitted_frames, 997);

    config.max_backtrace_frames(0);
    let trap = recurse(&config);
    assert!(trap.backtrace.is_empty());
    assert_eq!(trap.omitted_frames, 1_000);
    assert!(!trap.to_string().contains("wasm backtrace"));
}

#[test]
fn shallow_traps_keep_every_frame() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func $a (export "a") (call $b)) (func $b (call $c)) (func $c unreachable))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let a = instance.get_typed_func::<(), ()>(&store, "a").unwrap();
    let error = a.call(&mut store, ()).unwrap_err();
    let trap = error.as_trap().unwrap();
    let names: Vec<_> = trap
        .backtrace
        .iter()
        .map(|f| f.func_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["c", "b", "a"]);
    assert_eq!(trap.omitted_frames, 0);
    assert!(!trap.to_string().contains("frames"));
}

#[test]
fn errors_cross_threads_and_join_std_error_chains() {
    fn send_sync_error<E: std::error::Error + Send + Sync + 'static>() {}
    send_sync_error::<Error>();
    send_sync_error::<Trap>();
    let error = Error::new(QuotaExceeded { tenant: 3 });
    assert_eq!(error.to_string(), "tenant 3 is over quota");
    assert_eq!(error.downcast_ref::<QuotaExceeded>().unwrap().tenant, 3);
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
    assert!(boxed.to_string().contains("over quota"));
}

#[derive(Debug, PartialEq)]
struct QuotaExceeded {
    tenant: u32,
}

impl std::fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tenant {} is over quota", self.tenant)
    }
}

impl std::error::Error for QuotaExceeded {}

#[test]
fn host_errors_survive_the_trap_whole() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "charge" (func $charge (param i32)))
             (func (export "run") (param i32) (call $charge (local.get 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "charge",
            |tenant: u32| -> Result<(), QuotaExceeded> { Err(QuotaExceeded { tenant }) },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<u32, ()>(&store, "run").unwrap();
    let error = run.call(&mut store, 42).unwrap_err();
    assert_eq!(
        error.downcast_ref::<QuotaExceeded>(),
        Some(&QuotaExceeded { tenant: 42 })
    );
    assert!(error.is::<Trap>());
    assert!(!error.is::<std::fmt::Error>());
    let trap = error.as_trap().unwrap();
    assert_eq!(trap.code, TrapCode::HostError);
    assert_eq!(trap.message.as_deref(), Some("tenant 42 is over quota"));
    assert_eq!(
        trap.backtrace.len(),
        1,
        "the wasm caller of the host function"
    );
    // The standard error chain reaches it as well.
    let source = std::error::Error::source(trap).unwrap();
    assert_eq!(source.to_string(), "tenant 42 is over quota");
}

#[test]
fn host_error_through_nested_calls_and_func_new() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let failing = Func::new(
        &mut store,
        tabula::FuncType::new([], []),
        |_caller, _params, _results| Err(Trap::from_host_error(QuotaExceeded { tenant: 1 })),
    );
    let error = failing.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(error.downcast_ref::<QuotaExceeded>().unwrap().tenant, 1);
    // A host function that calls one that fails, propagating with `?`.
    let outer = Func::wrap(
        &mut store,
        move |mut caller: Caller<'_, ()>| -> Result<(), Error> {
            failing.call(&mut caller, &[], &mut [])
        },
    );
    let error = outer.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(error.downcast_ref::<QuotaExceeded>().unwrap().tenant, 1);
}

/// Records every question and answers from a budget.
#[derive(Default)]
struct Recorder {
    memory: Vec<(usize, usize, Option<usize>)>,
    table: Vec<(usize, usize, Option<usize>)>,
    memory_budget: usize,
    fail_tables: bool,
}

impl ResourceLimiter for Recorder {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> tabula::Result<bool> {
        self.memory.push((current, desired, maximum));
        Ok(desired <= self.memory_budget)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> tabula::Result<bool> {
        self.table.push((current, desired, maximum));
        if self.fail_tables {
            return Err(Trap::from_host_error(QuotaExceeded { tenant: 9 }).into());
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        2
    }
}

const GROWER: &str = r#"(module
  (memory 1 10)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_table") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0))))"#;

#[test]
fn resource_limiter_sees_every_growth() {
    let engine = Engine::default();
    let module = Module::new(&engine, GROWER).unwrap();
    let mut store = Store::new(
        &engine,
        Recorder {
            memory_budget: 3 * 65536,
            ..Recorder::default()
        },
    );
    store.limiter(|recorder| recorder);
    let linker = Linker::new(&engine);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "over the budget");
    let memory = instance.get_memory(&store, "memory");
    assert!(memory.is_none(), "not exported");
    let max = Some(10 * 65536);
    assert_eq!(
        store.data().memory,
        [
            (0, 65536, max),
            (65536, 3 * 65536, max),
            (3 * 65536, 4 * 65536, max)
        ]
    );
    // The limiter's instance count holds too.
    linker.instantiate(&mut store, &module).unwrap();
    assert!(linker.instantiate(&mut store, &module).is_err());

    // A limiter error traps, and the embedder gets its error back.
    store.data_mut().fail_tables = true;
    let grow_table = instance
        .get_typed_func::<i32, i32>(&store, "grow_table")
        .unwrap();
    let error = grow_table.call(&mut store, 1).unwrap_err();
    assert_eq!(error.downcast_ref::<QuotaExceeded>().unwrap().tenant, 9);
    assert_eq!(store.data().table.last(), Some(&(1, 2, None)));
}

#[test]
fn limiter_applies_to_host_growth_and_creation() {
    struct Host {
        limits: StoreLimits,
    }
    let engine = Engine::default();
    let mut store = Store::new(
        &engine,
        Host {
            limits: StoreLimitsBuilder::new()
                .memory_size(2 * 65536)
                .table_elements(5)
                .memories(1)
                .tables(1)
                .build(),
        },
    );
    store.limiter(|host| &mut host.limits);
    let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
    assert!(memory.grow(&mut store, 1).is_err());
    assert!(
        Memory::new(&mut store, MemoryType::new(0, None)).is_err(),
        "one memory at most"
    );
    let table = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 4, None),
        Val::FuncRef(None),
    )
    .unwrap();
    assert_eq!(table.grow(&mut store, 1, Val::FuncRef(None)).unwrap(), 4);
    assert!(table.grow(&mut store, 1, Val::FuncRef(None)).is_err());
    assert!(Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 0, None),
        Val::FuncRef(None)
    )
    .is_err());
}

#[test]
fn epoch_deadline_interrupts_a_loop() {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func (export "spin") (loop $l (br $l))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();

    // As in wasmtime, the deadline starts as "now": the first check traps.
    let error = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::Interrupted);

    store.set_epoch_deadline(2);
    let ticker = engine.clone();
    let timer = std::thread::spawn(move || {
        for _ in 0..2 {
            std::thread::sleep(Duration::from_millis(20));
            ticker.increment_epoch();
        }
    });
    let error = spin.call(&mut store, ()).unwrap_err();
    timer.join().unwrap();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::Interrupted);

    // A later deadline lets short code finish.
    let count = Module::new(
        &engine,
        r#"(module (func (export "count") (param i32) (result i32)
             (loop $l (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
               (br_if $l (local.get 0)))
             (local.get 0)))"#,
    )
    .unwrap();
    store.set_epoch_deadline(1);
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &count)
        .unwrap();
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 1000).unwrap(), 0);
}

#[test]
fn epochs_off_cost_no_check() {
    // Without the config, the epoch is never looked at: a store whose
    // deadline has passed runs normally.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) (i32.const 3)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(0);
    engine.increment_epoch();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 3);

    // Interruption alone compiles the check in; epochs still never stop it.
    let mut config = Config::new();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) (local i32)
             (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))
               (br_if $l (i32.lt_u (local.get 0) (i32.const 100))))
             (local.get 0)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(0);
    engine.increment_epoch();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 100);
}

#[test]
fn interrupt_handle_needs_the_config() {
    let store = Store::new(&Engine::default(), ());
    let error = store.interrupt_handle().unwrap_err();
    assert!(
        error.to_string().contains("Config::interruptible"),
        "{error}"
    );
    let mut config = Config::new();
    config.interruptible(true);
    assert!(Store::new(&Engine::new(&config), ())
        .interrupt_handle()
        .is_ok());
}

#[test]
fn externref_carries_host_data_through_wasm() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (table $t 4 externref)
             (func (export "put") (param i32 externref) (table.set $t (local.get 0) (local.get 1)))
             (func (export "get") (param i32) (result externref) (table.get $t (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let put = instance
        .get_typed_func::<(i32, Option<ExternRef>), ()>(&store, "put")
        .unwrap();
    let get = instance
        .get_typed_func::<i32, Option<ExternRef>>(&store, "get")
        .unwrap();
    let shared = Arc::new(Mutex::new(vec![1, 2]));
    let a = ExternRef::new(&mut store, String::from("alpha")).unwrap();
    let b = ExternRef::new(&mut store, Arc::clone(&shared)).unwrap();
    put.call(&mut store, (0, Some(a))).unwrap();
    put.call(&mut store, (3, Some(b))).unwrap();
    let back = get.call(&mut store, 0).unwrap().unwrap();
    assert_eq!(back, a);
    assert_eq!(
        back.data(&store).unwrap().downcast_ref::<String>().unwrap(),
        "alpha"
    );
    let back = get.call(&mut store, 3).unwrap().unwrap();
    let list = back
        .data(&store)
        .unwrap()
        .downcast_ref::<Arc<Mutex<Vec<i32>>>>()
        .unwrap();
    list.lock().unwrap().push(3);
    assert_eq!(*shared.lock().unwrap(), [1, 2, 3]);
    assert_eq!(get.call(&mut store, 1).unwrap(), None);
    // Wrong downcasts are None, not a panic.
    assert!(back.data(&store).unwrap().downcast_ref::<u8>().is_none());
}

#[test]
fn func_wrap_takes_16_parameters() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "host" "sum16" (func $sum (param i32 i64 f32 f64 i32 i32 i32 i32
                                                     i32 i32 i32 i32 i32 i32 i32 i32) (result f64)))
             (func (export "run") (result f64)
               (call $sum (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4)
                 (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9)
                 (i32.const 10) (i32.const 11) (i32.const 12) (i32.const 13)
                 (i32.const 14) (i32.const 15) (i32.const 16))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "sum16",
            |_caller: Caller<'_, ()>,
             a: i32,
             b: i64,
             c: f32,
             d: f64,
             e: i32,
             f: i32,
             g: i32,
             h: i32,
             i: i32,
             j: i32,
             k: i32,
             l: i32,
             m: i32,
             n: i32,
             o: i32,
             p: i32| {
                let ints = [a, e, f, g, h, i, j, k, l, m, n, o, p];
                f64::from(ints.iter().sum::<i32>()) + b as f64 + f64::from(c) + d
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), f64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 136.0);
}

#[test]
fn linker_module_instantiates_commands_per_call() {
    let engine = Engine::default();
    // A command: its global starts at 0 in every fresh instance.
    let command = Module::new(
        &engine,
        r#"(module (global $n (mut i32) (i32.const 0))
             (func (export "_start"))
             (func (export "bump") (result i32)
               (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.module(&mut store, "cmd", &command).unwrap();
    let user = Module::new(
        &engine,
        r#"(module (import "cmd" "bump" (func $bump (result i32)))
             (func (export "run") (result i32) (drop (call $bump)) (call $bump)))"#,
    )
    .unwrap();
    let instance = linker.instantiate(&mut store, &user).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(
        run.call(&mut store, ()).unwrap(),
        1,
        "a new instance per call"
    );
}

#[test]
fn linker_module_initializes_a_reactor_once() {
    let engine = Engine::default();
    let reactor = Module::new(
        &engine,
        r#"(module (memory (export "memory") 1)
             (func (export "_initialize") (i32.store (i32.const 0) (i32.const 41)))
             (func (export "next") (result i32)
               (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
               (i32.load (i32.const 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.module(&mut store, "r", &reactor).unwrap();
    let next = linker
        .get(&mut store, "r", "next")
        .and_then(|e| e.into_func())
        .unwrap()
        .typed::<(), i32>(&store)
        .unwrap();
    assert_eq!(next.call(&mut store, ()).unwrap(), 42);
    assert_eq!(next.call(&mut store, ()).unwrap(), 43);
    assert!(linker.get(&mut store, "r", "memory").is_some());
    // A failing _initialize is reported.
    let broken = Module::new(
        &engine,
        r#"(module (func (export "_initialize") unreachable))"#,
    )
    .unwrap();
    let Err(error) = linker.module(&mut store, "b", &broken) else {
        panic!("_initialize trapped")
    };
    assert_eq!(error.as_trap().unwrap().code, TrapCode::Unreachable);
}

#[test]
fn module_from_file_reads_text_and_binary() {
    let engine = Engine::default();
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("add.wat");
    std::fs::write(
        &text,
        r#"(module (func (export "add") (param i32 i32) (result i32)
             (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let binary = dir.path().join("add.wasm");
    std::fs::write(&binary, wat::parse_file(&text).unwrap()).unwrap();
    for path in [&text, &binary] {
        let module = Module::from_file(&engine, path).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let add = instance
            .get_typed_func::<(i32, i32), i32>(&store, "add")
            .unwrap();
        assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
    }
    let missing = dir.path().join("missing.wasm");
    let error = Module::from_file(&engine, &missing).unwrap_err();
    assert!(error.to_string().contains("missing.wasm"), "{error}");
}

#[test]
fn memory_accessors_in_u64_and_raw() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(3))).unwrap();
    assert_eq!(memory.size(&store), 1u64);
    assert_eq!(memory.data_size(&store), 65536);
    assert_eq!(memory.ty(&store), MemoryType::new(1, Some(3)));
    memory.write(&mut store, 10, &[7, 8]).unwrap();
    let ptr = memory.data_ptr(&store);
    // SAFETY: nothing grows the memory or borrows its data meanwhile.
    assert_eq!(unsafe { *ptr.add(11) }, 8);
    assert_eq!(memory.grow(&mut store, 2).unwrap(), 1u64);
    assert_eq!(memory.ty(&store), MemoryType::new(3, Some(3)));
    assert_eq!(memory.data_size(&store), 3 * 65536);
    assert!(memory.grow(&mut store, 1).is_err());
    assert!(memory.grow(&mut store, u64::MAX).is_err());
    assert_eq!(memory.data(&store)[11], 8, "growth keeps the contents");
}

#[test]
fn table_fill_copy_grow() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || 1i32);
    let g = Func::wrap(&mut store, || 2i32);
    let table = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 4, Some(8)),
        Val::FuncRef(None),
    )
    .unwrap();
    table.fill(&mut store, 0, Val::FuncRef(Some(f)), 2).unwrap();
    table.set(&mut store, 3, Val::FuncRef(Some(g))).unwrap();
    // Overlapping copy within one table: [f f _ g] -> [f f f _]... as memmove.
    Table::copy(&mut store, &table, 1, &table, 0, 3).unwrap();
    let slots: Vec<Val> = (0..4).map(|i| table.get(&mut store, i).unwrap()).collect();
    assert_eq!(
        slots,
        [
            Val::FuncRef(Some(f)),
            Val::FuncRef(Some(f)),
            Val::FuncRef(Some(f)),
            Val::FuncRef(None)
        ]
    );
    assert_eq!(
        table.grow(&mut store, 2, Val::FuncRef(Some(g))).unwrap(),
        4u64
    );
    assert_eq!(table.size(&store), 6u64);
    assert_eq!(table.get(&mut store, 5), Some(Val::FuncRef(Some(g))));
    assert!(table.grow(&mut store, 3, Val::FuncRef(None)).is_err());
    // Out of range and wrong types are errors, never panics.
    assert!(table.fill(&mut store, 5, Val::FuncRef(None), 2).is_err());
    assert!(table
        .fill(&mut store, u64::MAX, Val::FuncRef(None), 2)
        .is_err());
    assert!(table.fill(&mut store, 0, Val::I32(1), 1).is_err());
    assert!(Table::copy(&mut store, &table, 5, &table, 0, 2).is_err());
    let externs = Table::new(
        &mut store,
        TableType::new(RefType::EXTERNREF, 6, None),
        Val::ExternRef(None),
    )
    .unwrap();
    assert!(Table::copy(&mut store, &externs, 0, &table, 0, 1).is_err());
    assert_eq!(table.get(&mut store, u64::MAX), None);
}
