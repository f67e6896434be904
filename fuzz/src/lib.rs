//! Fuzz targets shared by the libFuzzer binaries (`fuzz_targets/`) and the
//! stable seeded driver (`src/bin/drive.rs`).
//!
//! Each target takes raw bytes and panics only on a bug: an outcome Tabula
//! must never produce (a panic of its own, a disagreement with wasmi that
//! the spec does not allow, a cross-store access that is not refused).

pub mod api;
pub mod differential;

use tabula::{Engine, Module};

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

/// The target names, in the order the driver runs them.
pub const TARGETS: [&str; 3] = ["decode_validate", "differential", "api"];

/// Runs target `name` on `data`. Returns how many comparisons the input
/// made: for `differential`, one per module both engines instantiated alike
/// plus one per call compared; for the other targets, one.
pub fn run_target(name: &str, data: &[u8]) -> u64 {
    match name {
        "decode_validate" => decode_validate(data),
        "differential" => {
            return match differential::run(data) {
                differential::Outcome::Agreed { calls } => 1 + calls as u64,
                _ => 0,
            };
        }
        "api" => api::run(data),
        _ => panic!("unknown target {name}"),
    }
    1
}
