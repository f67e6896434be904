//! Valid but pathological modules, and malformed ones with counts and sizes
//! near 2^32: each finishes in bounded time and memory, with the right
//! result or a clear error (issue 9, item 7).
//!
//! The memory cases measure peak RSS (`VmHWM`), which is per process: they
//! re-run this test binary as a child with `PATHOLOGICAL_CASE` set, and the
//! child reports its peak and timing on stdout.

use std::time::{Duration, Instant};
use tabula_tests::{peak_rss_kb, run_child};

use tabula::{Config, Engine, Error, Instance, Module, Store, TrapCode, Val};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, ElementSection, Elements, ExportKind, ExportSection,
    Function, FunctionSection, MemorySection, MemoryType, RefType, TableSection, TableType,
    TypeSection, ValType,
};

const CHILD_ENV: &str = "PATHOLOGICAL_CASE";

fn instantiate(wasm: &[u8]) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).expect("the module loads");
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).expect("the module instantiates");
    (store, instance)
}

/// Calls export `name` with `params`, expecting one result.
fn call(store: &mut Store<()>, instance: &Instance, name: &str, params: &[Val]) -> Val {
    let func = instance.get_func(&*store, name).expect("exported");
    let mut results = [Val::I32(0)];
    func.call(store, params, &mut results).expect("runs");
    results[0]
}

/// A module of one `[i32] -> [i32]` function per body, exporting the last as `f`.
fn module(types: TypeSection, bodies: &[Function], extra: impl FnOnce(&mut Sections)) -> Vec<u8> {
    let mut sections = Sections::default();
    extra(&mut sections);
    let mut functions = FunctionSection::new();
    let mut codes = CodeSection::new();
    for body in bodies {
        functions.function(0);
        codes.function(body);
    }
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, bodies.len() as u32 - 1);
    let mut module = wasm_encoder::Module::new();
    module.section(&types).section(&functions);
    if let Some(tables) = &sections.tables {
        module.section(tables);
    }
    if let Some(memories) = &sections.memories {
        module.section(memories);
    }
    module.section(&exports);
    if let Some(elements) = &sections.elements {
        module.section(elements);
    }
    module.section(&codes);
    module.finish()
}

#[derive(Default)]
struct Sections {
    tables: Option<TableSection>,
    memories: Option<MemorySection>,
    elements: Option<ElementSection>,
}

fn i32_to_i32() -> TypeSection {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types
}

fn memory(minimum: u64, maximum: Option<u64>) -> MemorySection {
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum,
        maximum,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    memories
}

#[test]
fn hundred_thousand_functions() {
    let bodies: Vec<Function> = (0..100_000)
        .map(|i| {
            let mut f = Function::new([]);
            f.instructions().i32_const(i).local_get(0).i32_add().end();
            f
        })
        .collect();
    let wasm = module(i32_to_i32(), &bodies, |_| {});
    let start = Instant::now();
    let (mut store, instance) = instantiate(&wasm);
    assert_eq!(
        call(&mut store, &instance, "f", &[Val::I32(1)]),
        Val::I32(100_000)
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn fifty_thousand_locals() {
    let mut f = Function::new([(50_000, ValType::I64)]);
    // The last local is written, its neighbour must still be zero.
    f.instructions()
        .local_get(0)
        .i64_extend_i32_u()
        .local_set(50_000)
        .local_get(50_000)
        .local_get(49_999)
        .i64_add()
        .i32_wrap_i64()
        .end();
    let wasm = module(i32_to_i32(), &[f], |_| {});
    let (mut store, instance) = instantiate(&wasm);
    assert_eq!(
        call(&mut store, &instance, "f", &[Val::I32(42)]),
        Val::I32(42)
    );
    // A second call sees fresh zeroed locals.
    assert_eq!(
        call(&mut store, &instance, "f", &[Val::I32(7)]),
        Val::I32(7)
    );
}

#[test]
fn br_table_with_200_000_entries() {
    // block $outer (block $inner (br_table [inner outer inner ...] default=outer)) 10 return) 20
    let targets: Vec<u32> = (0..200_000).map(|i| i % 2).collect();
    let mut f = Function::new([]);
    f.instructions()
        .block(BlockType::Empty)
        .block(BlockType::Empty)
        .local_get(0)
        .br_table(targets, 1)
        .end()
        .i32_const(10)
        .return_()
        .end()
        .i32_const(20)
        .end();
    let wasm = module(i32_to_i32(), &[f], |_| {});
    let (mut store, instance) = instantiate(&wasm);
    for (index, expected) in [
        (0, 10),
        (1, 20),
        (199_998, 10),
        (199_999, 20),
        (200_000, 20),
        (-1, 20),
    ] {
        assert_eq!(
            call(&mut store, &instance, "f", &[Val::I32(index)]),
            Val::I32(expected),
            "index {index}"
        );
    }
}

#[test]
fn ten_thousand_nested_blocks() {
    const DEPTH: u32 = 10_000;
    let mut f = Function::new([]);
    let mut code = f.instructions();
    for _ in 0..DEPTH {
        code.block(BlockType::Result(ValType::I32));
    }
    // The innermost block branches straight out of all of them.
    code.local_get(0).br(DEPTH - 1);
    for _ in 0..DEPTH {
        code.end();
    }
    code.i32_const(1).i32_add().end();
    let wasm = module(i32_to_i32(), &[f], |_| {});
    let (mut store, instance) = instantiate(&wasm);
    assert_eq!(
        call(&mut store, &instance, "f", &[Val::I32(5)]),
        Val::I32(6)
    );
}

#[test]
fn infinite_recursion_through_call_indirect() {
    let mut f = Function::new([]);
    f.instructions()
        .local_get(0)
        .i32_const(0)
        .call_indirect(0, 0)
        .end();
    let wasm = module(i32_to_i32(), &[f], |s| {
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 1,
            maximum: Some(1),
            shared: false,
        });
        let mut elements = ElementSection::new();
        elements.active(
            Some(0),
            &ConstExpr::i32_const(0),
            Elements::Functions([0u32][..].into()),
        );
        s.tables = Some(tables);
        s.elements = Some(elements);
    });
    let (mut store, instance) = instantiate(&wasm);
    let func = instance.get_func(&store, "f").unwrap();
    let start = Instant::now();
    let error = func
        .call(&mut store, &[Val::I32(0)], &mut [Val::I32(0)])
        .unwrap_err();
    let trap = error.as_trap().expect("a trap");
    assert_eq!(trap.code, TrapCode::CallStackExhausted);
    assert!(
        error.to_string().starts_with("call stack exhausted"),
        "{error}"
    );
    // The default cap (20 frames); the rest are only counted.
    assert_eq!(trap.backtrace.len(), 20);
    assert!(trap.omitted_frames > 1_000, "{}", trap.omitted_frames);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

/// What a child process reports.
struct Child {
    peak_rss_kb: u64,
    elapsed: Duration,
}

/// Runs `case` in a fresh process (this binary, only the `child` test) and
/// returns its peak RSS and the time the case took.
fn in_child(case: &str) -> Child {
    let stdout = run_child(CHILD_ENV, case);
    let field = |key: &str| -> u64 {
        stdout
            .lines()
            .find_map(|l| l.split_once(key).map(|(_, value)| value))
            .unwrap_or_else(|| panic!("no {key} in\n{stdout}"))
            .trim()
            .parse()
            .unwrap()
    };
    let child = Child {
        peak_rss_kb: field("peak_rss_kb="),
        elapsed: Duration::from_micros(field("elapsed_us=")),
    };
    // Shown with --nocapture: the figures for the closing note.
    println!(
        "{case}: peak RSS {} MiB, {:?}",
        child.peak_rss_kb / 1024,
        child.elapsed
    );
    child
}

/// The child side: does nothing unless re-run by [`in_child`].
#[test]
fn child() {
    let Ok(case) = std::env::var(CHILD_ENV) else {
        return;
    };
    let start = Instant::now();
    match case.as_str() {
        "declare_65536_pages" => declare_65536_pages(),
        "grow_storm" => grow_storm(),
        "data_100_mb" => data_100_mb(),
        "malformed_counts" => malformed_counts(),
        other => panic!("unknown case {other}"),
    }
    println!("elapsed_us={}", start.elapsed().as_micros());
    println!("peak_rss_kb={}", peak_rss_kb());
}

/// `(memory 65536)`, touching the first and the last page.
fn declare_65536_pages() {
    let mut f = Function::new([]);
    f.instructions()
        .i32_const(0)
        .local_get(0)
        .i32_store(mem_arg(2))
        .i32_const(-4)
        .i32_load(mem_arg(2))
        .i32_const(0)
        .i32_load(mem_arg(2))
        .i32_add()
        .end();
    let wasm = module(i32_to_i32(), &[f], |s| {
        s.memories = Some(memory(65_536, None))
    });
    let (mut store, instance) = instantiate(&wasm);
    assert_eq!(
        call(&mut store, &instance, "f", &[Val::I32(9)]),
        Val::I32(9)
    );
}

#[test]
fn memory_of_65536_pages_costs_what_is_touched() {
    let child = in_child("declare_65536_pages");
    assert!(child.peak_rss_kb < 64 * 1024, "{} kB", child.peak_rss_kb);
    // 0.1 s is the goal; the bound leaves room for slow CI machines.
    assert!(
        child.elapsed < Duration::from_secs(1),
        "{:?}",
        child.elapsed
    );
}

/// `memory.grow 1` until it fails: 65 536 pages, none of them touched.
fn grow_storm() {
    let mut f = Function::new([]);
    f.instructions()
        .loop_(BlockType::Empty)
        .i32_const(1)
        .memory_grow(0)
        .i32_const(-1)
        .i32_ne()
        .br_if(0)
        .end()
        .memory_size(0)
        .end();
    let wasm = module(i32_to_i32(), &[f], |s| s.memories = Some(memory(0, None)));
    let (mut store, instance) = instantiate(&wasm);
    assert_eq!(
        call(&mut store, &instance, "f", &[Val::I32(0)]),
        Val::I32(65_536)
    );
}

#[test]
fn memory_grow_storm_to_4_gib() {
    let child = in_child("grow_storm");
    assert!(child.peak_rss_kb < 64 * 1024, "{} kB", child.peak_rss_kb);
    assert!(
        child.elapsed < Duration::from_secs(10),
        "{:?}",
        child.elapsed
    );
}

/// 100 active data segments of 1 MiB each, checked at both ends.
fn data_100_mb() {
    const SEGMENTS: u32 = 100;
    const SIZE: u32 = 1 << 20;
    let mut f = Function::new([]);
    f.instructions().local_get(0).i32_load8_u(mem_arg(0)).end();
    let mut wasm = module(i32_to_i32(), &[f], |s| {
        s.memories = Some(memory(u64::from((SEGMENTS * SIZE) >> 16), None))
    });
    // Hand-encoded: a data section (id 11) after the code section.
    let mut section = Vec::new();
    leb(&mut section, SEGMENTS);
    for i in 0..SEGMENTS {
        section.push(0); // active, memory 0
        section.push(0x41); // i32.const
        sleb(&mut section, (i * SIZE) as i32);
        section.push(0x0b);
        leb(&mut section, SIZE);
        section.extend(std::iter::repeat_n(i as u8 + 1, SIZE as usize));
    }
    wasm.push(11);
    leb(&mut wasm, section.len() as u32);
    wasm.extend_from_slice(&section);
    drop(section);
    let (mut store, instance) = instantiate(&wasm);
    drop(wasm);
    for (address, byte) in [(0, 1), (SIZE - 1, 1), (SIZE, 2), (SEGMENTS * SIZE - 1, 100)] {
        assert_eq!(
            call(&mut store, &instance, "f", &[Val::I32(address as i32)]),
            Val::I32(byte)
        );
    }
}

#[test]
fn data_segments_of_100_mb() {
    let child = in_child("data_100_mb");
    assert!(child.peak_rss_kb < 1024 * 1024, "{} kB", child.peak_rss_kb);
    assert!(
        child.elapsed < Duration::from_secs(30),
        "{:?}",
        child.elapsed
    );
}

fn mem_arg(align: u32) -> wasm_encoder::MemArg {
    wasm_encoder::MemArg {
        offset: 0,
        align,
        target: wasm_encoder::MemArgTarget::Memory(0),
        ordering: None,
    }
}

fn leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb(out: &mut Vec<u8>, mut value: i32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

/// A module: the header, then each `(id, contents)` section.
fn raw_module(sections: &[(u8, &[u8])]) -> Vec<u8> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    for (id, contents) in sections {
        wasm.push(*id);
        leb(&mut wasm, contents.len() as u32);
        wasm.extend_from_slice(contents);
    }
    wasm
}

/// Modules whose counts or sizes claim up to 2^32 - 1 items or bytes.
fn malformed_modules() -> Vec<(&'static str, Vec<u8>)> {
    const HUGE: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0x0f];
    const NEAR: &[u8] = &[0xfe, 0xff, 0xff, 0xff, 0x0f];
    let with = |prefix: &[u8], suffix: &[u8]| [prefix, suffix].concat();
    // type 0: [] -> []
    let one_type: &[u8] = &[1, 0x60, 0, 0];
    let mut cases = vec![
        ("type count", raw_module(&[(1, HUGE)])),
        ("function count", raw_module(&[(1, one_type), (3, HUGE)])),
        ("import count", raw_module(&[(2, HUGE)])),
        ("export count", raw_module(&[(7, HUGE)])),
        ("global count", raw_module(&[(6, HUGE)])),
        ("data count", raw_module(&[(11, HUGE)])),
        ("element count", raw_module(&[(9, HUGE)])),
        ("table count", raw_module(&[(4, HUGE)])),
        ("memory count", raw_module(&[(5, HUGE)])),
        (
            "code count",
            raw_module(&[(1, one_type), (3, &[1, 0]), (10, HUGE)]),
        ),
        ("param count", raw_module(&[(1, &with(&[1, 0x60], HUGE))])),
        (
            "result count",
            raw_module(&[(1, &with(&[1, 0x60, 0], HUGE))]),
        ),
        (
            "local declaration count",
            raw_module(&[(1, one_type), (3, &[1, 0]), (10, &with(&[1, 6], HUGE))]),
        ),
        (
            "locals in one declaration",
            raw_module(&[
                (1, one_type),
                (3, &[1, 0]),
                (10, &[&[1u8, 8, 1][..], HUGE, &[0x7f, 0x0b]].concat()),
            ]),
        ),
        (
            "locals over two declarations",
            raw_module(&[
                (1, one_type),
                (3, &[1, 0]),
                (
                    10,
                    &[&[1u8, 13, 2][..], NEAR, &[0x7f], NEAR, &[0x7e, 0x0b]].concat(),
                ),
            ]),
        ),
        (
            "br_table target count",
            raw_module(&[
                (1, one_type),
                (3, &[1, 0]),
                (
                    10,
                    &[&[1u8, 10, 0, 0x41, 0, 0x0e][..], HUGE, &[0x0b]].concat(),
                ),
            ]),
        ),
        (
            "data segment length",
            raw_module(&[
                (5, &[1, 0, 1]),
                (11, &[&[1u8, 0, 0x41, 0, 0x0b][..], HUGE].concat()),
            ]),
        ),
        (
            "name length",
            raw_module(&[(0, &[&[0xffu8, 0xff, 0xff, 0xff, 0x0f][..]].concat())]),
        ),
    ];
    // Section sizes near 2^32 with little behind them.
    for id in [0u8, 1, 3, 10, 11] {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.push(id);
        wasm.extend_from_slice(NEAR);
        wasm.extend_from_slice(&[1, 0x60, 0, 0]);
        cases.push(("section size", wasm));
    }
    cases
}

fn malformed_counts() {
    let engine = Engine::default();
    for (name, wasm) in malformed_modules() {
        let start = Instant::now();
        let result = Module::new(&engine, &wasm);
        assert!(
            matches!(result, Err(Error::Decode(_) | Error::Validation(_))),
            "{name}: {:?}",
            result.err()
        );
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{name}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn malformed_counts_and_sizes_near_4_gib() {
    let child = in_child("malformed_counts");
    assert!(child.peak_rss_kb < 64 * 1024, "{} kB", child.peak_rss_kb);
}

/// Fuel ends a guest that loops; the limit is per store, not per engine.
#[test]
fn fuel_bounds_a_loop_in_a_pathological_module() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let mut f = Function::new([]);
    f.instructions()
        .loop_(BlockType::Empty)
        .br(0)
        .end()
        .local_get(0)
        .end();
    let wasm = module(i32_to_i32(), &[f], |_| {});
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000_000).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let func = instance.get_func(&store, "f").unwrap();
    let error = func
        .call(&mut store, &[Val::I32(0)], &mut [Val::I32(0)])
        .unwrap_err();
    assert_eq!(error.as_trap().unwrap().code, TrapCode::OutOfFuel);
}
