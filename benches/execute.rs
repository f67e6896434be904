//! Execution speed of Tabula against wasmi, measured side by side in one run.
//!
//! `cargo bench -p tabula-benches` prints, per workload, the best of several
//! runs for each engine and the ratio wasmi time / Tabula time (above 1 means
//! Tabula is faster), then the geometric mean. It also measures Tabula with
//! fuel metering on against off. Both engines get the same module and input,
//! and their results are checked to agree.

use std::time::{Duration, Instant};

struct Workload {
    name: &'static str,
    wat: &'static str,
    arg: i32,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib(27)",
        wat: include_str!("wat/fib.wat"),
        arg: 27,
    },
    Workload {
        name: "loop 20M",
        wat: include_str!("wat/loop.wat"),
        arg: 20_000_000,
    },
    Workload {
        name: "sieve 1M x",
        wat: include_str!("wat/sieve.wat"),
        arg: 1_000_000,
    },
    Workload {
        name: "matmul 100",
        wat: include_str!("wat/matmul.wat"),
        arg: 100,
    },
];

const RUNS: usize = 5;

fn best_of(mut run: impl FnMut() -> i64) -> (Duration, i64) {
    let mut best = Duration::MAX;
    let mut result = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        result = run();
        best = best.min(start.elapsed());
    }
    (best, result)
}

fn tabula_run(wat: &str, arg: i32, fuel: bool) -> (Duration, i64) {
    let mut config = tabula::Config::new();
    config.consume_fuel(fuel);
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
    best_of(|| run.call(&mut store, arg).expect("tabula runs"))
}

fn wasmi_run(wat: &str, arg: i32) -> (Duration, i64) {
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
    best_of(|| run.call(&mut store, arg).expect("wasmi runs"))
}

fn main() {
    println!(
        "{:<12} {:>12} {:>12} {:>14} {:>14}",
        "workload", "tabula", "wasmi", "wasmi/tabula", "fuel on/off"
    );
    let mut log_speedup = 0.0;
    let mut log_fuel = 0.0;
    for w in WORKLOADS {
        let (tabula_time, tabula_result) = tabula_run(w.wat, w.arg, false);
        let (fuel_time, fuel_result) = tabula_run(w.wat, w.arg, true);
        let (wasmi_time, wasmi_result) = wasmi_run(w.wat, w.arg);
        assert_eq!(tabula_result, wasmi_result, "{}: engines disagree", w.name);
        assert_eq!(
            tabula_result, fuel_result,
            "{}: fuel changed the result",
            w.name
        );
        let speedup = wasmi_time.as_secs_f64() / tabula_time.as_secs_f64();
        let fuel_cost = fuel_time.as_secs_f64() / tabula_time.as_secs_f64();
        log_speedup += speedup.ln();
        log_fuel += fuel_cost.ln();
        println!(
            "{:<12} {:>10.1}ms {:>10.1}ms {:>13.2}x {:>13.2}x",
            w.name,
            tabula_time.as_secs_f64() * 1e3,
            wasmi_time.as_secs_f64() * 1e3,
            speedup,
            fuel_cost
        );
    }
    let n = WORKLOADS.len() as f64;
    println!(
        "geomean: wasmi/tabula {:.2}x, fuel on/off {:.2}x",
        (log_speedup / n).exp(),
        (log_fuel / n).exp()
    );
}
