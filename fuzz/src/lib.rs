//! Fuzz targets shared by the libFuzzer binaries (`fuzz_targets/`) and the
//! stable seeded driver (`src/bin/drive.rs`).
//!
//! Each target takes raw bytes and panics only on a bug: an outcome Tabula
//! must never produce (a panic of its own, a disagreement with wasmi that
//! the spec does not allow, a cross-store access that is not refused).

pub mod api;
pub mod differential;

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use tabula::{Engine, Module};

thread_local! {
    /// Which panics the hook keeps quiet: they are caught and judged by the
    /// target itself rather than being bugs of Tabula.
    static QUIET: Cell<Quiet> = const { Cell::new(Quiet::None) };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quiet {
    None,
    /// Only the documented wrong-store panic.
    WrongStore,
    /// Anything: the peer engine's own panics.
    Any,
}

/// Wraps the current panic hook (libFuzzer's aborts the process) so that
/// the panics a target catches on purpose pass silently.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let quiet = match QUIET.with(Cell::get) {
                Quiet::None => false,
                Quiet::WrongStore => api::is_wrong_store(info.payload()),
                Quiet::Any => true,
            };
            if !quiet {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, catching a panic that `quiet` allows (others still reach the
/// previous hook, and abort under libFuzzer).
fn catch_quietly<R>(quiet: Quiet, f: impl FnOnce() -> R) -> std::thread::Result<R> {
    install_hook();
    QUIET.with(|q| q.set(quiet));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(Quiet::None));
    outcome
}

/// Decodes and validates arbitrary bytes. Any `Result` is fine; the point is
/// that neither call panics, hangs or allocates out of proportion.
pub fn decode_validate(data: &[u8]) {
    thread_local! {
        static ENGINE: Engine = Engine::default();
    }
    ENGINE.with(|engine| {
        if let Ok(module) = Module::new(engine, data) {
            // The accessors walk what the decoder built.
            let _ = (module.imports(), module.exports(), module.name());
        }
    });
}

/// Keeps a module on which wasmtime sided with Tabula against wasmi, under
/// `artifacts/differential/outvoted-<hash>.wasm`, for adjudication by hand
/// (`FINDINGS.md`). Returns the path, or why it could not be written.
fn save_outvoted(data: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let Some(module) = differential::generate(data) else {
        return "(no module)".into();
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    module.hash(&mut hasher);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/differential");
    let path = dir.join(format!("outvoted-{:016x}.wasm", hasher.finish()));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, module)) {
        Ok(()) => path.display().to_string(),
        Err(error) => format!("(not written: {error})"),
    }
}

/// The target names, in the order the driver runs them.
pub const TARGETS: [&str; 4] = ["decode_validate", "differential", "gc", "api"];

/// Runs target `name` on `data`. Returns how many comparisons the input
/// made: for `differential`, one per module both engines instantiated alike
/// plus one per call compared; for the other targets, one.
pub fn run_target(name: &str, data: &[u8]) -> u64 {
    match name {
        "decode_validate" => decode_validate(data),
        "differential" => {
            return match differential::run(data) {
                differential::Outcome::Agreed { calls } => 1 + calls as u64,
                differential::Outcome::Outvoted => {
                    let path = save_outvoted(data);
                    eprintln!("wasmi outvoted by wasmtime; module kept as {path}");
                    0
                }
                differential::Outcome::PeerPanicked => {
                    eprintln!("wasmi panicked (a peer bug, see FINDINGS.md)");
                    0
                }
                _ => 0,
            };
        }
        "gc" => {
            return match differential::run_gc(data) {
                differential::Outcome::Agreed { calls } => 1 + calls as u64,
                _ => 0,
            };
        }
        "api" => api::run(data),
        _ => panic!("unknown target {name}"),
    }
    1
}
