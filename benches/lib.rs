//! Benchmarks live in `execute.rs` and are described in `README.md`; run
//! them with `cargo bench -p tabula-benches`.
