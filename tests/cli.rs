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
fn trace_names_function_offset_and_instruction() {
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
    // Offsets are the ones `tabula dump` prints for the same instructions.
    assert!(err.contains("func[0] <add> @0x38: local.get 1"), "{err}");
    assert!(err.contains("func[0] <add> @0x3a: i32.add"), "{err}");
    let dump = tabula(&["dump", "examples/add.wat"]);
    assert!(String::from_utf8_lossy(&dump.stdout).contains("00003a: i32.add"));
}

#[test]
fn missing_file_is_one_line() {
    let output = tabula(&["run", "no/such/file.wasm"]);
    assert!(!output.status.success());
    assert_eq!(stderr(&output).lines().count(), 1);
}

#[test]
fn wast_reports_counts_and_status() {
    let dir = std::env::temp_dir().join(format!("tabula-wast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.wast");
    std::fs::write(
        &good,
        r#"(module (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
           (assert_return (invoke "div" (i32.const 7) (i32.const 2)) (i32.const 3))
           (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
           (assert_invalid (module (func (result i32))) "type mismatch")"#,
    )
    .unwrap();
    let output = tabula(&["wast", good.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().last(), Some("4 passed, 0 failed"));

    let bad = dir.join("bad.wast");
    std::fs::write(
        &bad,
        r#"(module (func (export "one") (result i32) (i32.const 1)))
           (assert_return (invoke "one") (i32.const 2))"#,
    )
    .unwrap();
    let output = tabula(&["wast", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    let text = stdout(&output);
    assert_eq!(text.lines().last(), Some("1 passed, 1 failed"), "{text}");
    assert!(
        text.contains("bad.wast:2"),
        "the failure names its line: {text}"
    );
}

/// A fresh, empty directory under the system's temporary directory.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tabula-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn run_wasi_program_with_a_guest_named_dir() {
    let dir = scratch_dir("files");
    let mapping = format!("{}::/sandbox", dir.display());
    let output = tabula(&["run", "--dir", &mapping, "tests/wasi/files.wasm"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).ends_with("PASSED\n"));
    assert_eq!(
        std::fs::read_to_string(dir.join("hello.txt")).unwrap(),
        "Jello"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_passes_arguments_and_environment() {
    let output = Command::new(env!("CARGO_BIN_EXE_tabula"))
        .args(["run", "--env", "GREETING=hello", "--env", "EMPTY"])
        .args(["tests/wasi/args_env.wasm", "one", "two words"])
        .env("EMPTY", "")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    let out = stdout(&output);
    // argv[0] is the program as named on the command line.
    assert!(
        out.starts_with("argc=3\nargv[0]=tests/wasi/args_env.wasm\n"),
        "{out}"
    );
    assert!(
        out.contains("env: EMPTY=\n"),
        "a bare NAME passes on the host's value: {out}"
    );
}

#[test]
fn proc_exit_sets_the_exit_status() {
    let output = tabula(&["run", "tests/wasi/exit.wasm", "42"]);
    assert_eq!(output.status.code(), Some(42));
    assert_eq!(stdout(&output), "ending: 42\n");
    let output = tabula(&["run", "tests/wasi/exit.wasm", "trap"]);
    assert_eq!(output.status.code(), Some(134));
    let err = stderr(&output);
    assert!(
        err.contains("unreachable") && err.contains("0: main @"),
        "{err}"
    );
}

#[test]
fn a_missing_dir_is_reported() {
    let output = tabula(&["run", "--dir", "/no/such/dir", "tests/wasi/exit.wasm"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("cannot open directory /no/such/dir"));
}
