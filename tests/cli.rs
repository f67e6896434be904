//! The `tabula` command as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn tabula(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tabula"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("tabula runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn run_hello_world() {
    let output = tabula(&["run", "examples/hello.wat"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Hello, World!\n");
}

#[test]
fn invoke_prints_results() {
    let output = tabula(&["run", "--invoke", "add", "examples/add.wat", "2", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "5\n");
}

#[test]
fn trap_names_its_kind_and_backtrace() {
    let output = tabula(&["run", "--invoke", "div", "examples/add.wat", "1", "0"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("integer divide by zero"), "{err}");
    assert!(err.contains("wasm backtrace"), "{err}");
    assert!(
        err.contains("div"),
        "function name from the name section: {err}"
    );
}

#[test]
fn opcodes_lists_the_table() {
    let output = tabula(&["opcodes"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.lines().count() >= 177,
        "{} lines",
        text.lines().count()
    );
    assert!(text
        .lines()
        .any(|l| l.starts_with("i32.add ") && l.contains("0x6a") && l.contains("i32 i32 -> i32")));
    assert!(text
        .lines()
        .any(|l| l.starts_with("memory.copy ") && l.contains("0xfc 0x0a")));
}

#[test]
fn validate_accepts_and_rejects() {
    assert!(tabula(&["validate", "examples/add.wat"]).status.success());
    let dir = std::env::temp_dir().join(format!("tabula-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.wat");
    std::fs::write(&bad, "(module (func (result i32) (f32.const 1)))").unwrap();
    let output = tabula(&["validate", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("type mismatch"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
}

#[test]
fn dump_prints_decoded_instructions() {
    let output = tabula(&["dump", "examples/add.wat"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("export \"add\": func 0"), "{text}");
    assert!(text.contains("i32.add"), "{text}");
}

#[test]
fn trace_shows_operands_and_results() {
    let output = tabula(&[
        "run",
        "--trace",
        "--invoke",
        "add",
        "examples/add.wat",
        "2",
        "3",
    ]);
    assert!(output.status.success());
    let err = stderr(&output);
    assert!(err.contains("i32.add i32:2 i32:3 -> i32:5"), "{err}");
}

#[test]
fn missing_file_is_one_line() {
    let output = tabula(&["run", "no/such/file.wasm"]);
    assert!(!output.status.success());
    assert_eq!(stderr(&output).lines().count(), 1);
}
