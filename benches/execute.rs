//! Speed of Tabula against wasmi 2, measured side by side in one process.
//!
//! `cargo bench -p tabula-benches [-- FILTER...]` runs every case whose name
//! contains one of the filters (all cases without one) under both engines,
//! interleaved (Tabula, wasmi, Tabula, wasmi, ...), and prints the best of
//! `TABULA_BENCH_RUNS` runs (default 3) for each, the ratio Tabula time /
//! wasmi time (below 1 means Tabula is faster) and geometric means of that
//! ratio over the C programs and over all cases. Every run's outcome is
//! compared between the engines; a difference panics.
//!
//! The cases (see `benches/README.md` for what each measures):
//! - `wat/...`: four small hand-written kernels; only the call of their
//!   `run` export is timed. Tabula also runs them with fuel metering on, for
//!   the fuel on/off column.
//! - `c/...`: the C programs in `benches/c/`, WASI commands timed from
//!   `Module::new` to the end of `_start`, stdout captured.
//! - `python/...`: CPython 3.11 (`tests/python/run.sh` downloads it into
//!   `target/cpython/`), timed like the C programs; skipped if absent.
//! - `startup/...`: `Module::new` plus instantiation of the largest module at
//!   hand, nothing run.
//!
//! Both engines run with their default configuration (wasmi's includes lazy
//! compilation, which shows in the start-up case).

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The C programs of `benches/c/`, built by `benches/c/build.sh`.
const C_PROGRAMS: &[(&str, &[u8])] = &[
    ("fib", include_bytes!("c/fib.wasm")),
    ("sieve", include_bytes!("c/sieve.wasm")),
    ("matmul", include_bytes!("c/matmul.wasm")),
    ("sha256", include_bytes!("c/sha256.wasm")),
    ("nbody", include_bytes!("c/nbody.wasm")),
    ("quicksort", include_bytes!("c/quicksort.wasm")),
    ("vm", include_bytes!("c/vm.wasm")),
    ("crc32", include_bytes!("c/crc32.wasm")),
    ("hashmap", include_bytes!("c/hashmap.wasm")),
];

/// The hand-written kernels: name, text, argument of `run`.
const KERNELS: &[(&str, &str, i32)] = &[
    ("fib(27)", include_str!("wat/fib.wat"), 27),
    ("loop 20M", include_str!("wat/loop.wat"), 20_000_000),
    ("sieve 1M", include_str!("wat/sieve.wat"), 1_000_000),
    ("matmul 100", include_str!("wat/matmul.wat"), 100),
];

/// Where `tests/python/run.sh` caches CPython; `TABULA_BENCH_PYTHON`
/// overrides it.
const PYTHON_WASM: &str = "target/cpython/python-3.11.3.wasm";

/// The pure-Python case: a loop updating a dict, in a function so that its
/// variables are fast locals, as in most real code.
const PYTHON_LOOP: &str = "\
def run(n):
    d = {}
    for i in range(n):
        k = i % 1000
        d[k] = d.get(k, 0) + i
    return len(d), sum(d.values())
print(*run(50000))
";

/// Which summary line a case counts towards (all count towards the last).
#[derive(Clone, Copy, PartialEq)]
enum Group {
    Kernel,
    C,
    Python,
    Startup,
}

/// What a case runs.
enum Work {
    /// A kernel's `run(arg) -> i64`; compiling and instantiating are not timed.
    Kernel { wat: &'static str, arg: i32 },
    /// A WASI command, timed from `Module::new` to the end of `_start`.
    Command { wasm: Arc<[u8]>, args: Vec<String> },
    /// `Module::new` and instantiation with WASI linked; nothing runs.
    Startup { wasm: Arc<[u8]> },
}

/// One row of the table.
struct Case {
    name: String,
    group: Group,
    work: Work,
}

/// What one run produced; the engines must agree on it.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// A kernel's result.
    Value(i64),
    /// A command's exit status and captured stdout.
    Exited { code: i32, stdout: String },
    /// Start-up only: the instance exists.
    Instantiated,
}

/// One engine's way of running a case once, set up ahead of the timing.
type Runner<'a> = Box<dyn FnMut() -> Outcome + 'a>;

/// Text of a captured stream, for the outcome and for error messages.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Tabula's runner for `work`, with fuel metering on or off.
fn tabula_runner<'a>(name: &'a str, work: &'a Work, fuel: bool) -> Runner<'a> {
    use tabula::wasi::{self, Input, Output, WasiCtx, WasiCtxBuilder};
    let mut config = tabula::Config::new();
    config.consume_fuel(fuel);
    let engine = tabula::Engine::new(&config);
    // Module::new through instantiation, the start-up both command and
    // start-up cases time.
    let instantiate = move |wasm: &[u8], args: &[String]| {
        let module = tabula::Module::new(&engine, wasm)
            .unwrap_or_else(|e| panic!("tabula: {name}: compile: {e}"));
        let (stdout, out) = Output::capture();
        let (stderr, err) = Output::capture();
        let ctx = WasiCtxBuilder::new()
            .args(args.iter().cloned())
            .stdin(Input::Null)
            .stdout(stdout)
            .stderr(stderr)
            .build();
        let mut store = tabula::Store::new(&engine, ctx);
        let mut linker = tabula::Linker::<WasiCtx>::new(&engine);
        wasi::add_to_linker(&mut linker, |ctx| ctx).expect("tabula defines WASI");
        let instance = linker
            .instantiate(&mut store, &module)
            .unwrap_or_else(|e| panic!("tabula: {name}: instantiate: {e}"));
        (store, instance, out, err)
    };
    match work {
        Work::Kernel { wat, arg } => {
            let engine = tabula::Engine::new(&config);
            let module = tabula::Module::new(&engine, wat).expect("tabula compiles");
            let mut store = tabula::Store::new(&engine, ());
            if fuel {
                store.set_fuel(u64::MAX).expect("fuel is on");
            }
            let instance = tabula::Linker::new(&engine)
                .instantiate(&mut store, &module)
                .expect("tabula instantiates");
            let run = instance
                .get_typed_func::<i32, i64>(&store, "run")
                .expect("run export");
            Box::new(move || Outcome::Value(run.call(&mut store, *arg).expect("tabula runs")))
        }
        Work::Command { wasm, args } => Box::new(move || {
            let (mut store, instance, out, err) = instantiate(wasm, args);
            let start = instance
                .get_typed_func::<(), ()>(&store, "_start")
                .expect("_start export");
            let code = match start.call(&mut store, ()) {
                Ok(()) => 0,
                Err(tabula::Error::Exit(code)) => code,
                Err(e) => panic!(
                    "tabula: {name}: {e}\nstderr:\n{}",
                    text(&err.lock().expect("stderr"))
                ),
            };
            let stdout = text(&out.lock().expect("stdout"));
            Outcome::Exited { code, stdout }
        }),
        Work::Startup { wasm } => Box::new(move || {
            instantiate(wasm, &[]);
            Outcome::Instantiated
        }),
    }
}

/// wasmi's runner for `work`, WASI from the `wasmi_wasi` crate.
fn wasmi_runner<'a>(name: &'a str, work: &'a Work) -> Runner<'a> {
    use wasmi_wasi::wasi_common::pipe::{ReadPipe, WritePipe};
    use wasmi_wasi::{WasiCtx, WasiCtxBuilder};
    let engine = wasmi::Engine::default();
    type Captured = Arc<RwLock<Vec<u8>>>;
    let instantiate = move |wasm: &[u8], args: &[String]| {
        let module = wasmi::Module::new(&engine, wasm)
            .unwrap_or_else(|e| panic!("wasmi: {name}: compile: {e}"));
        let out: Captured = Arc::default();
        let err: Captured = Arc::default();
        let ctx = WasiCtxBuilder::new()
            .args(args)
            .expect("wasmi takes the arguments")
            .stdin(Box::new(ReadPipe::new(std::io::empty())))
            .stdout(Box::new(WritePipe::from_shared(Arc::clone(&out))))
            .stderr(Box::new(WritePipe::from_shared(Arc::clone(&err))))
            .build();
        let mut store = wasmi::Store::new(&engine, ctx);
        let mut linker = wasmi::Linker::<WasiCtx>::new(&engine);
        wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).expect("wasmi defines WASI");
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .unwrap_or_else(|e| panic!("wasmi: {name}: instantiate: {e}"));
        (store, instance, out, err)
    };
    match work {
        Work::Kernel { wat, arg } => {
            let bytes = wat::parse_str(wat).expect("assembles");
            let engine = wasmi::Engine::default();
            let module = wasmi::Module::new(&engine, &bytes[..]).expect("wasmi compiles");
            let mut store = wasmi::Store::new(&engine, ());
            let instance = wasmi::Linker::<()>::new(&engine)
                .instantiate_and_start(&mut store, &module)
                .expect("wasmi instantiates");
            let run = instance
                .get_typed_func::<i32, i64>(&store, "run")
                .expect("run export");
            Box::new(move || Outcome::Value(run.call(&mut store, *arg).expect("wasmi runs")))
        }
        Work::Command { wasm, args } => Box::new(move || {
            let (mut store, instance, out, err) = instantiate(wasm, args);
            let start = instance
                .get_typed_func::<(), ()>(&store, "_start")
                .expect("_start export");
            let code = match start.call(&mut store, ()) {
                Ok(()) => 0,
                Err(e) => e.i32_exit_status().unwrap_or_else(|| {
                    panic!(
                        "wasmi: {name}: {e}\nstderr:\n{}",
                        text(&err.read().expect("stderr"))
                    )
                }),
            };
            let stdout = text(&out.read().expect("stdout"));
            Outcome::Exited { code, stdout }
        }),
        Work::Startup { wasm } => Box::new(move || {
            instantiate(wasm, &[]);
            Outcome::Instantiated
        }),
    }
}

/// Runs `runner` once, returning its time and outcome.
fn timed(runner: &mut Runner<'_>) -> (Duration, Outcome) {
    let start = Instant::now();
    let outcome = runner();
    (start.elapsed(), outcome)
}

/// Best times of one case: Tabula, wasmi, and Tabula with fuel (kernels only).
struct Times {
    tabula: Duration,
    wasmi: Duration,
    fuel: Option<Duration>,
}

/// Runs `case` `runs` times per engine, interleaved, checking every outcome.
fn measure(case: &Case, runs: usize) -> Times {
    let name = case.name.as_str();
    let mut tabula = tabula_runner(name, &case.work, false);
    let mut wasmi = wasmi_runner(name, &case.work);
    let mut fuel = match case.work {
        Work::Kernel { .. } => Some(tabula_runner(name, &case.work, true)),
        _ => None,
    };
    let mut best = Times {
        tabula: Duration::MAX,
        wasmi: Duration::MAX,
        fuel: fuel.as_ref().map(|_| Duration::MAX),
    };
    for _ in 0..runs {
        let (tabula_time, tabula_outcome) = timed(&mut tabula);
        let (wasmi_time, wasmi_outcome) = timed(&mut wasmi);
        assert_eq!(
            tabula_outcome, wasmi_outcome,
            "{name}: Tabula (left) and wasmi (right) disagree"
        );
        best.tabula = best.tabula.min(tabula_time);
        best.wasmi = best.wasmi.min(wasmi_time);
        if let (Some(runner), Some(best_fuel)) = (fuel.as_mut(), best.fuel.as_mut()) {
            let (fuel_time, fuel_outcome) = timed(runner);
            assert_eq!(
                tabula_outcome, fuel_outcome,
                "{name}: fuel metering changed Tabula's result"
            );
            *best_fuel = (*best_fuel).min(fuel_time);
        }
    }
    best
}

/// CPython's module, or why it is missing.
fn python() -> Result<Vec<u8>, String> {
    let path = std::env::var_os("TABULA_BENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(PYTHON_WASM)
        });
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every case, in table order.
fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for &(name, wat, arg) in KERNELS {
        cases.push(Case {
            name: format!("wat/{name}"),
            group: Group::Kernel,
            work: Work::Kernel { wat, arg },
        });
    }
    for &(name, wasm) in C_PROGRAMS {
        cases.push(Case {
            name: format!("c/{name}"),
            group: Group::C,
            work: Work::Command {
                wasm: wasm.into(),
                args: vec![format!("{name}.wasm")],
            },
        });
    }
    let largest = match python() {
        Ok(wasm) => {
            let wasm: Arc<[u8]> = wasm.into();
            let python_case = |name: &str, args: &[&str]| Case {
                name: format!("python/{name}"),
                group: Group::Python,
                work: Work::Command {
                    wasm: Arc::clone(&wasm),
                    args: ["python.wasm"]
                        .iter()
                        .chain(args)
                        .map(|s| s.to_string())
                        .collect(),
                },
            };
            cases.push(python_case("-c pass", &["-c", "pass"]));
            cases.push(python_case("dict loop 50k", &["-c", PYTHON_LOOP]));
            ("python.wasm".to_string(), wasm)
        }
        Err(why) => {
            println!(
                "skipping python/*: no CPython ({why}); \
                 `tests/python/run.sh` downloads it into {PYTHON_WASM}"
            );
            let &(name, wasm) = C_PROGRAMS
                .iter()
                .max_by_key(|(_, wasm)| wasm.len())
                .expect("there are C programs");
            (format!("{name}.wasm"), wasm.into())
        }
    };
    cases.push(Case {
        name: format!("startup/{} ({} KiB)", largest.0, largest.1.len() / 1024),
        group: Group::Startup,
        work: Work::Startup { wasm: largest.1 },
    });
    cases
}

/// Geometric mean of `ratios`, or `None` if there are none.
fn geomean(ratios: &[f64]) -> Option<f64> {
    if ratios.is_empty() {
        return None;
    }
    Some((ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp())
}

fn main() {
    let runs: usize = std::env::var("TABULA_BENCH_RUNS")
        .ok()
        .map(|v| v.parse().expect("TABULA_BENCH_RUNS is a number"))
        .unwrap_or(3)
        .max(1);
    // Cargo passes `--bench`; every other argument is a filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.name.contains(f.as_str())))
        .collect();

    // One engine alone, for profilers and instruction counters
    // (`valgrind --tool=callgrind`), which would otherwise see both.
    if let Ok(engine) = std::env::var("TABULA_BENCH_ONLY") {
        for case in &cases {
            let mut runner = match engine.as_str() {
                "tabula" => tabula_runner(&case.name, &case.work, false),
                "wasmi" => wasmi_runner(&case.name, &case.work),
                other => panic!("TABULA_BENCH_ONLY is tabula or wasmi, not {other}"),
            };
            for _ in 0..runs {
                let (time, _) = timed(&mut runner);
                println!("{engine} {}: {:.1}ms", case.name, time.as_secs_f64() * 1e3);
            }
        }
        return;
    }
    println!("best of {runs} interleaved runs; tabula/wasmi below 1 means Tabula is faster");
    println!(
        "{:<30} {:>11} {:>11} {:>13} {:>12}",
        "case", "tabula", "wasmi", "tabula/wasmi", "fuel on/off"
    );
    let mut ratios: Vec<(Group, f64)> = Vec::new();
    let mut fuel_ratios = Vec::new();
    for case in &cases {
        let times = measure(case, runs);
        let ratio = times.tabula.as_secs_f64() / times.wasmi.as_secs_f64();
        ratios.push((case.group, ratio));
        let fuel = times.fuel.map(|fuel| {
            let cost = fuel.as_secs_f64() / times.tabula.as_secs_f64();
            fuel_ratios.push(cost);
            format!("{cost:.2}x")
        });
        println!(
            "{:<30} {:>9.1}ms {:>9.1}ms {:>12.2}x {:>12}",
            case.name,
            times.tabula.as_secs_f64() * 1e3,
            times.wasmi.as_secs_f64() * 1e3,
            ratio,
            fuel.unwrap_or_default()
        );
    }
    let of = |group: Option<Group>| -> Vec<f64> {
        ratios
            .iter()
            .filter(|(g, _)| group.is_none_or(|group| *g == group))
            .map(|&(_, r)| r)
            .collect()
    };
    for (label, values) in [("C programs", of(Some(Group::C))), ("all cases", of(None))] {
        if let Some(mean) = geomean(&values) {
            println!(
                "geomean tabula/wasmi, {label} ({}): {mean:.2}x",
                values.len()
            );
        }
    }
    if let Some(mean) = geomean(&fuel_ratios) {
        println!(
            "geomean fuel on/off, tabula, wat kernels ({}): {mean:.2}x",
            fuel_ratios.len()
        );
    }
}
