//! Helpers more than one integration test needs; the others live in the
//! test file that uses them.

use std::process::Command;

/// This process's peak resident set size (`VmHWM`), in KiB.
pub fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Runs the test named `child` of the running test binary in a fresh
/// process, with `env` set to `case`, and returns its standard output;
/// panics if it failed. Peak RSS is per process, so each memory case gets
/// its own.
pub fn run_child(env: &str, case: &str) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(env, case)
        .output()
        .expect("re-run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{case} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
