//! Benchmarks live in `execute.rs`; run them with `cargo bench -p tabula-benches`.
