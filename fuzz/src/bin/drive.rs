//! Stable fuzz driver: feeds the targets byte buffers from a seeded PRNG,
//! mutating the seed corpus (`fuzz/corpus/<target>/`) or making fresh bytes,
//! for a fixed time per target. Runs on the stable toolchain, for CI.
//!
//! `drive [--seconds N] [--seed S] [--target NAME]... [--corpus DIR]`
//!
//! On a panic, or an input running longer than the hang limit, the input is
//! written to `fuzz/artifacts/<target>/crash-<seed>-<n>` and the driver exits
//! non-zero with the seed.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::{env, fs, process, thread};

/// An input running longer than this is a hang.
const HANG: Duration = Duration::from_secs(20);

/// xorshift64*: tiny, and enough to spread inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// A few byte-level mutations of `seed`, as libFuzzer does.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let len = data.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let n = rng.below(16);
                let fresh = rng.bytes(n);
                data.splice(i..i, fresh);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(len - i + 1).min(64);
                data.drain(i..i + n);
            }
            4 if len > 0 => data.truncate(rng.below(len)),
            // LEB128 counts and sizes near the limits.
            _ => {
                let i = rng.below(len + 1);
                let big: &[u8] = match rng.below(3) {
                    0 => &[0xff, 0xff, 0xff, 0xff, 0x0f],
                    1 => &[0x80, 0x80, 0x80, 0x80, 0x10],
                    _ => &[0xfe, 0xff, 0xff, 0xff, 0x07],
                };
                data.splice(i..i, big.iter().copied());
            }
        }
    }
    data
}

fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    paths.iter().filter_map(|p| fs::read(p).ok()).collect()
}

fn input(rng: &mut Rng, target: &str, corpus: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(4) {
        0 | 1 if !corpus.is_empty() => {
            let seed = &corpus[rng.below(corpus.len())];
            mutate(rng, seed)
        }
        // Decoding needs the header to get anywhere.
        2 if target == "decode_validate" => {
            let mut data = b"\0asm\x01\0\0\0".to_vec();
            let n = rng.below(256);
            data.extend(rng.bytes(n));
            data
        }
        _ => {
            let n = rng.below(if matches!(target, "differential" | "gc") {
                8192
            } else {
                1024
            });
            rng.bytes(n)
        }
    }
}

fn save(target: &str, seed: u64, n: u64, data: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("artifacts")
        .join(target);
    fs::create_dir_all(&dir).expect("artifact directory");
    let path = dir.join(format!("crash-{seed}-{n}"));
    fs::write(&path, data).expect("write artifact");
    path
}

fn main() {
    let mut seconds = 10.0;
    let mut seed = 1;
    let mut targets = Vec::new();
    let mut corpus_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => seconds = value().parse().expect("--seconds N"),
            "--seed" => seed = value().parse().expect("--seed S"),
            "--target" => targets.push(value()),
            "--corpus" => corpus_root = value().into(),
            // Writes the module a differential (or gc) input generates, to
            // reproduce it.
            // Runs a saved `gc` input again.
            "--replay-gc" => {
                let input = fs::read(value()).expect("read the input");
                println!("{:?}", tabula_fuzz::differential::run_gc(&input));
                return;
            }
            "--emit-module" | "--emit-gc-module" => {
                let input = fs::read(value()).expect("read the input");
                let wasm = match arg.as_str() {
                    "--emit-module" => tabula_fuzz::differential::generate(&input),
                    _ => tabula_fuzz::differential::generate_gc(&input),
                };
                fs::write("module.wasm", wasm.expect("a module")).expect("write module.wasm");
                return;
            }
            _ => {
                eprintln!(
                    "usage: drive [--seconds N] [--seed S] [--target NAME]... [--corpus DIR]"
                );
                process::exit(2);
            }
        }
    }
    if targets.is_empty() {
        targets = tabula_fuzz::TARGETS.iter().map(|t| t.to_string()).collect();
    }

    // The current input, for the hang watchdog to save.
    let current: Arc<Mutex<(String, u64, Vec<u8>)>> = Arc::default();
    let started = Arc::new(AtomicU64::new(0));
    let epoch = Instant::now();
    {
        let (current, started) = (current.clone(), started.clone());
        thread::spawn(move || loop {
            thread::sleep(Duration::from_secs(1));
            let at = started.load(Ordering::Relaxed);
            if at != 0 && epoch.elapsed().as_millis() as u64 - at > HANG.as_millis() as u64 {
                let (target, n, data) = &*current.lock().unwrap();
                let path = save(target, seed, *n, data);
                eprintln!(
                    "{target}: input {n} (seed {seed}) hangs; saved to {}",
                    path.display()
                );
                process::exit(1);
            }
        });
    }

    for target in &targets {
        let corpus = load_corpus(&corpus_root.join(target));
        let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let (mut n, mut compared) = (0u64, 0u64);
        let (start, mut report) = (Instant::now(), Instant::now() + Duration::from_secs(60));
        while Instant::now() < deadline {
            // Progress, so a long run stopped early still shows what it did.
            if Instant::now() >= report {
                report += Duration::from_secs(60);
                let at = start.elapsed().as_secs();
                println!("{target}: {n} executions, {compared} compared, after {at} s");
            }
            let data = input(&mut rng, target, &corpus);
            *current.lock().unwrap() = (target.clone(), n, data.clone());
            started.store(epoch.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
            let outcome =
                panic::catch_unwind(AssertUnwindSafe(|| tabula_fuzz::run_target(target, &data)));
            started.store(0, Ordering::Relaxed);
            if let Ok(count) = outcome {
                compared += count;
            } else {
                let path = save(target, seed, n, &data);
                eprintln!(
                    "{target}: input {n} (seed {seed}) failed; saved to {}",
                    path.display()
                );
                process::exit(1);
            }
            n += 1;
        }
        println!(
            "{target}: {n} executions, {compared} compared, in {seconds} s ({} corpus seeds, seed {seed})",
            corpus.len()
        );
    }
}
