//! A store per request: the whole cycle a plugin or serverless host pays for
//! each request (`Store::new`, instantiate, one call, drop), in Tabula and in
//! wasmi 2, side by side in one process.
//!
//! Two cases: a small module (a page of memory with a data segment, a
//! 4-entry table with an element segment, a global; the call is `f(i)`), and
//! a WASI command (`benches/c/fib.wasm 10`: wasi-libc's start-up and exit).
//! Tabula runs each both with `Linker::instantiate` and through an
//! `InstancePre` made once. Rounds are interleaved and each variant's best
//! round is kept; then each variant runs 100 000 more cycles and the
//! process's resident memory is read before and after, which must not grow.
//!
//! `cargo bench -p tabula-benches --bench instantiate [small|WASI]`;
//! `TABULA_BENCH_RUNS` sets the rounds (default 5).

use std::time::{Duration, Instant};

/// The small module of the first case.
const SMALL: &str = r#"(module
  (memory (export "memory") 1)
  (data (i32.const 16) "a data segment of some bytes")
  (table 4 funcref)
  (elem (i32.const 0) $g $h $g $h)
  (global $g0 (mut i32) (i32.const 7))
  (type $t (func (param i32) (result i32)))
  (func $g (type $t) (i32.mul (local.get 0) (i32.const 3)))
  (func $h (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $f (export "f") (type $t)
    (global.set $g0 (i32.add (global.get $g0) (local.get 0)))
    (i32.add
      (call_indirect (type $t) (local.get 0) (i32.and (local.get 0) (i32.const 3)))
      (i32.load8_u (i32.const 16)))))"#;

/// The WASI command of the second case, and its arguments.
const COMMAND: &[u8] = include_bytes!("c/fib.wasm");
const COMMAND_ARGS: &[&str] = &["fib.wasm", "10"];

/// Cycles per timed round.
const CYCLES: u32 = 20_000;
/// Cycles between the two readings of resident memory.
const RSS_CYCLES: u32 = 100_000;

/// Runs `cycles` cycles, each given its index; returns a checksum of the
/// results so that both engines can be compared and nothing is optimised out.
type Cycle<'a> = Box<dyn FnMut(u32) -> i64 + 'a>;

fn small_tabula(pre: bool) -> Cycle<'static> {
    let engine = tabula::Engine::default();
    let module = tabula::Module::new(&engine, SMALL).expect("tabula compiles");
    let linker = tabula::Linker::<()>::new(&engine);
    let instance_pre = linker
        .instantiate_pre(&module)
        .expect("tabula pre-instantiates");
    Box::new(move |i| {
        let mut store = tabula::Store::new(&engine, ());
        let instance = if pre {
            instance_pre.instantiate(&mut store)
        } else {
            linker.instantiate(&mut store, &module)
        }
        .expect("tabula instantiates");
        let f = instance
            .get_typed_func::<i32, i32>(&store, "f")
            .expect("f export");
        i64::from(f.call(&mut store, i as i32).expect("tabula runs"))
    })
}

fn small_wasmi() -> Cycle<'static> {
    let engine = wasmi::Engine::default();
    let bytes = wat::parse_str(SMALL).expect("valid text");
    let module = wasmi::Module::new(&engine, &bytes[..]).expect("wasmi compiles");
    let linker = wasmi::Linker::<()>::new(&engine);
    Box::new(move |i| {
        let mut store = wasmi::Store::new(&engine, ());
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("wasmi instantiates");
        let f = instance
            .get_typed_func::<i32, i32>(&store, "f")
            .expect("f export");
        i64::from(f.call(&mut store, i as i32).expect("wasmi runs"))
    })
}

fn command_tabula(pre: bool) -> Cycle<'static> {
    use tabula::wasi::{self, Input, Output, WasiCtx, WasiCtxBuilder};
    let engine = tabula::Engine::default();
    let module = tabula::Module::new(&engine, COMMAND).expect("tabula compiles");
    let mut linker = tabula::Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx).expect("tabula defines WASI");
    let instance_pre = linker
        .instantiate_pre(&module)
        .expect("tabula pre-instantiates");
    Box::new(move |_| {
        let (stdout, out) = Output::capture();
        let ctx = WasiCtxBuilder::new()
            .args(COMMAND_ARGS.iter().copied())
            .stdin(Input::Null)
            .stdout(stdout)
            .build();
        let mut store = tabula::Store::new(&engine, ctx);
        let instance = if pre {
            instance_pre.instantiate(&mut store)
        } else {
            linker.instantiate(&mut store, &module)
        }
        .expect("tabula instantiates");
        let start = instance
            .get_typed_func::<(), ()>(&store, "_start")
            .expect("_start export");
        let code = match start.call(&mut store, ()) {
            Ok(()) => 0,
            Err(tabula::Error::Exit(code)) => code,
            Err(e) => panic!("tabula: {e}"),
        };
        let printed = out.lock().expect("stdout").len();
        i64::from(code) * 1000 + printed as i64
    })
}

fn command_wasmi() -> Cycle<'static> {
    use wasmi_wasi::wasi_common::pipe::{ReadPipe, WritePipe};
    use wasmi_wasi::{WasiCtx, WasiCtxBuilder};
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, COMMAND).expect("wasmi compiles");
    let mut linker = wasmi::Linker::<WasiCtx>::new(&engine);
    wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).expect("wasmi defines WASI");
    Box::new(move |_| {
        let stdout = WritePipe::new_in_memory();
        let args: Vec<String> = COMMAND_ARGS.iter().map(|s| s.to_string()).collect();
        let ctx = WasiCtxBuilder::new()
            .args(&args)
            .expect("wasmi takes the arguments")
            .stdin(Box::new(ReadPipe::from(Vec::new())))
            .stdout(Box::new(stdout.clone()))
            .build();
        let mut store = wasmi::Store::new(&engine, ctx);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("wasmi instantiates");
        let start = instance
            .get_typed_func::<(), ()>(&store, "_start")
            .expect("_start export");
        let code = match start.call(&mut store, ()) {
            Ok(()) => 0,
            Err(e) => match e.i32_exit_status() {
                Some(code) => code,
                None => panic!("wasmi: {e}"),
            },
        };
        drop(store);
        let printed = stdout
            .try_into_inner()
            .expect("the only handle")
            .into_inner()
            .len();
        i64::from(code) * 1000 + printed as i64
    })
}

/// Time per cycle over `cycles` cycles, and the checksum.
fn round(cycle: &mut Cycle<'_>, cycles: u32) -> (Duration, i64) {
    let start = Instant::now();
    let mut sum = 0i64;
    for i in 0..cycles {
        sum = sum.wrapping_add(cycle(i));
    }
    (start.elapsed() / cycles, sum)
}

/// The process's resident memory in KiB (Linux), if it can be read.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let runs: usize = std::env::var("TABULA_BENCH_RUNS")
        .ok()
        .map(|v| v.parse().expect("TABULA_BENCH_RUNS is a number"))
        .unwrap_or(5)
        .max(1);
    // Cargo passes `--bench`; every other argument is a filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    type Make = fn() -> Cycle<'static>;
    let cases: [(&str, [(&str, Make); 3]); 2] = [
        (
            "small module",
            [
                ("tabula", || small_tabula(false)),
                ("tabula pre", || small_tabula(true)),
                ("wasmi", small_wasmi),
            ],
        ),
        (
            "WASI command",
            [
                ("tabula", || command_tabula(false)),
                ("tabula pre", || command_tabula(true)),
                ("wasmi", command_wasmi),
            ],
        ),
    ];
    println!(
        "store + instantiate + call + drop, best of {runs} interleaved rounds of {CYCLES} cycles"
    );
    println!(
        "{:<14} {:<11} {:>10} {:>13} {:>22}",
        "case", "engine", "µs/cycle", "/ wasmi", "RSS growth, 100k cycles"
    );
    for (case, variants) in cases {
        if !filters.is_empty() && !filters.iter().any(|f| case.contains(f.as_str())) {
            continue;
        }
        // `TABULA_BENCH_ONLY=tabula` (or `wasmi`) runs one engine alone,
        // for profilers; the ratio column is then meaningless.
        let only = std::env::var("TABULA_BENCH_ONLY").ok();
        let variants: Vec<(&str, Make)> = variants
            .into_iter()
            .filter(|(engine, _)| only.as_ref().is_none_or(|o| engine.starts_with(o.as_str())))
            .collect();
        let mut cycles: Vec<Cycle<'static>> = variants.iter().map(|(_, make)| make()).collect();
        let mut best = vec![Duration::MAX; cycles.len()];
        for _ in 0..runs {
            let mut sums = Vec::new();
            for (cycle, best) in cycles.iter_mut().zip(&mut best) {
                let (time, sum) = round(cycle, CYCLES);
                *best = (*best).min(time);
                sums.push(sum);
            }
            assert!(
                sums.windows(2).all(|w| w[0] == w[1]),
                "{case}: the engines disagree: {sums:?}"
            );
        }
        let wasmi = best[variants.len() - 1].as_secs_f64();
        for (((engine, _), cycle), time) in variants.iter().zip(&mut cycles).zip(&best) {
            let before = rss_kib();
            round(cycle, RSS_CYCLES);
            let growth = match (before, rss_kib()) {
                (Some(before), Some(after)) => {
                    format!("{} KiB", after as i64 - before as i64)
                }
                _ => "?".to_string(),
            };
            println!(
                "{case:<14} {engine:<11} {:>10.2} {:>12.2}x {growth:>22}",
                time.as_secs_f64() * 1e6,
                time.as_secs_f64() / wasmi,
            );
        }
    }
}
