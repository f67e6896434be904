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

/// Writes `text` to `name` in a fresh scratch directory; its path.
fn module_file(dir: &str, name: &str, text: &str) -> String {
    let path = scratch_dir(dir).join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs `tabula` with `stdin` as its standard input.
fn tabula_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tabula"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

use std::process::Stdio;

#[test]
fn a_file_alone_is_run() {
    let output = tabula(&["examples/hello.wat"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Hello, World!\n");
    // Options before the file belong to `run` as well.
    let output = tabula(&["--invoke", "add", "examples/add.wat", "2", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "5\n");
    // The program's arguments are its own, even when they look like options.
    let output = tabula(&["tests/wasi/exit.wasm", "42"]);
    assert_eq!(output.status.code(), Some(42));
    let output = tabula(&["--help"]);
    assert!(
        stdout(&output).contains("tabula run"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_module_from_stdin() {
    let text = std::fs::read(root().join("examples/add.wat")).unwrap();
    let output = tabula_with_stdin(&["run", "--invoke", "add", "-", "40", "2"], &text);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "42\n");
    let binary = std::fs::read(root().join("tests/wasi/exit.wasm")).unwrap();
    let output = tabula_with_stdin(&["-", "7"], &binary);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(stdout(&output), "ending: 7\n");
    let output = tabula_with_stdin(&["validate", "-"], b"(module (func (result i32)))");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("type mismatch"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn invoke_reads_integer_and_float_literals() {
    let file = module_file(
        "literals",
        "literals.wat",
        r#"(module
             (func (export "id") (param i32) (result i32) (local.get 0))
             (func (export "id64") (param i64) (result i64) (local.get 0))
             (func (export "bits") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
             (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0))))"#,
    );
    let invoke = |name: &str, arg: &str| {
        let output = tabula(&["run", "--invoke", name, &file, arg]);
        assert!(output.status.success(), "{name} {arg}: {}", stderr(&output));
        stdout(&output).trim_end().to_string()
    };
    assert_eq!(invoke("id", "0x10"), "16");
    assert_eq!(invoke("id", "-0x10"), "-16");
    assert_eq!(invoke("id", "0xffffffff"), "-1");
    assert_eq!(invoke("id", "1_000"), "1000");
    assert_eq!(invoke("id64", "-0x8000000000000000"), i64::MIN.to_string());
    assert_eq!(
        invoke("bits", "-0"),
        (-0.0f32).to_bits().cast_signed().to_string()
    );
    assert_eq!(
        invoke("bits", "inf"),
        f32::INFINITY.to_bits().cast_signed().to_string()
    );
    assert_eq!(
        invoke("bits", "nan"),
        f32::NAN.to_bits().cast_signed().to_string()
    );
    assert_eq!(
        invoke("bits", "0x1p-1"),
        0.5f32.to_bits().cast_signed().to_string()
    );
    assert_eq!(invoke("neg", "inf"), "-inf");
    assert_eq!(invoke("neg", "-inf"), "inf");
    assert_eq!(invoke("neg", "-0"), "0");
    assert_eq!(invoke("neg", "2.5"), "-2.5");
    assert_eq!(invoke("neg", "nan"), "NaN");
    let output = tabula(&["run", "--invoke", "id", &file, "0x1_0000_0000"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("cannot read `0x1_0000_0000` as i32"));
}

#[test]
fn a_missing_export_lists_the_exports_and_their_types() {
    let output = tabula(&["run", "--invoke", "mul", "examples/add.wat", "2", "3"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("no function `mul`"), "{err}");
    for line in [
        "func add: (func (param i32 i32) (result i32))",
        "func div: (func (param i32 i32) (result i32))",
        "func fac: (func (param i64) (result i64))",
    ] {
        assert!(err.contains(line), "{line:?} missing from {err}");
    }
}

#[test]
fn a_reactor_is_initialized_and_a_library_exits_zero() {
    let reactor = module_file(
        "reactor",
        "reactor.wat",
        r#"(module
             (global $ready (mut i32) (i32.const 0))
             (func (export "_initialize") (global.set $ready (i32.const 42)))
             (func (export "ready") (result i32) (global.get $ready)))"#,
    );
    let output = tabula(&["run", "--invoke", "ready", &reactor]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "42\n", "_initialize ran first");
    // Without --invoke, only `_initialize` runs: this one traps to show it did.
    let trapping = module_file(
        "reactor-trap",
        "reactor.wat",
        r#"(module (func (export "_initialize") unreachable) (func (export "f")))"#,
    );
    let output = tabula(&[&trapping]);
    assert_eq!(output.status.code(), Some(134));
    assert!(stderr(&output).contains("unreachable"));
    // Neither `_start` nor `_initialize` nor --invoke: nothing to do, status 0.
    let library = module_file("library", "library.wat", r#"(module (func (export "f")))"#);
    let output = tabula(&["run", &library]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
}

#[test]
fn text_errors_name_file_line_and_column() {
    let file = module_file(
        "syntax",
        "broken.wat",
        "(module\n  (func (result i32)\n    (i32.const 1 (oops)))",
    );
    for command in ["run", "validate", "dump"] {
        let output = tabula(&[command, &file]);
        assert!(!output.status.success());
        let err = stderr(&output);
        assert!(err.contains("broken.wat:3:19"), "{command}: {err}");
        assert!(!err.contains("<anon>"), "{err}");
    }
    let output = tabula_with_stdin(&["validate", "-"], b"(module (oops))");
    assert!(
        stderr(&output).contains("<stdin>:1:10"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unsupported_proposals_are_named() {
    let cases = [
        (
            // Exception handling is implemented with exnref, not the legacy `try`.
            r#"(module (func try catch_all end))"#,
            "exception handling (WebAssembly 3.0) is not supported",
        ),
        (
            r#"(module (memory 1 1 shared))"#,
            "threads and atomics are not supported",
        ),
    ];
    for (i, (text, message)) in cases.iter().enumerate() {
        let file = module_file(&format!("proposal-{i}"), "m.wat", text);
        let output = tabula(&["validate", &file]);
        assert!(!output.status.success());
        let err = stderr(&output);
        assert!(err.contains(message), "{text}: {err}");
        assert!(err.contains("at offset 0x"), "{err}");
        assert!(!err.contains("malformed"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn wasm_2_0_flag_rejects_later_proposals() {
    let file = module_file(
        "two-memories",
        "m.wat",
        r#"(module (memory 1) (memory $b 1)
             (func (export "f") (result i32)
               (i32.store8 $b (i32.const 0) (i32.const 7))
               (i32.load8_u $b (i32.const 0))))"#,
    );
    let output = tabula(&["run", "--invoke", "f", &file]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "7");
    let output = tabula(&["validate", "--wasm", "2.0", &file]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("multi-memory proposal (WebAssembly 3.0) is not enabled"),
        "{err}"
    );

    // Typed function references run by default and are refused in 2.0.
    let file = module_file(
        "call-ref",
        "m.wat",
        r#"(module (type $t (func (result i32)))
             (func $seven (type $t) (i32.const 7))
             (elem declare func $seven)
             (func (export "f") (result i32) (call_ref $t (ref.func $seven))))"#,
    );
    let output = tabula(&["run", "--invoke", "f", &file]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "7");
    let output = tabula(&["validate", "--wasm", "2.0", &file]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("typed function references (WebAssembly 3.0) are not supported")
            || err.contains("function_references proposal"),
        "{err}"
    );
}

#[test]
fn dump_marks_where_validation_fails() {
    let file = module_file(
        "invalid",
        "invalid.wat",
        "(module (func (result i32) (i32.const 1) (f32.const 2) (i32.add)))",
    );
    let output = tabula(&["dump", &file]);
    assert!(!output.status.success());
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let add = lines
        .iter()
        .position(|l| l.ends_with(": i32.add"))
        .unwrap_or_else(|| panic!("{text}"));
    let offset = lines[add].trim_start().split(':').next().unwrap();
    let mark = lines[add + 1];
    assert!(mark.trim_start().starts_with("^ "), "{text}");
    assert!(mark.contains("type mismatch"), "{text}");
    assert!(
        mark.contains(&format!("at offset 0x{}", offset.trim_start_matches('0'))),
        "the mark's offset is the instruction's: {text}"
    );
    // The caret sits under the instruction.
    assert_eq!(
        mark.find('^'),
        lines[add].find("i32.add"),
        "{}\n{}",
        lines[add],
        mark
    );
    assert!(
        lines[add + 2].ends_with(": end"),
        "the listing goes on: {text}"
    );
    assert!(stderr(&output).contains("type mismatch"));

    // A body with an unknown opcode is listed up to it.
    let bytes: Vec<u8> = [
        &b"\0asm\x01\0\0\0"[..],
        &[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type () -> ()
        &[0x03, 0x02, 0x01, 0x00],             // one function
        &[0x0A, 0x06, 0x01, 0x04, 0x00, 0x01, 0xFF, 0x0B], // nop, 0xFF, end
    ]
    .concat();
    let path = scratch_dir("bad-opcode").join("bad.wasm");
    std::fs::write(&path, &bytes).unwrap();
    let output = tabula(&["dump", path.to_str().unwrap()]);
    assert!(!output.status.success());
    let text = stdout(&output);
    assert!(text.contains("000017: nop\n  000018: ?\n"), "{text}");
    assert!(
        text.contains("^ invalid module: illegal opcode 0xff"),
        "{text}"
    );

    // Malformed: no listing, one error with its offset.
    let path = scratch_dir("malformed").join("bad.wasm");
    std::fs::write(&path, b"\0asm\x01\0\0\0\x0e\x00").unwrap();
    let output = tabula(&["dump", path.to_str().unwrap()]);
    assert!(!output.status.success());
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: malformed module: malformed section id (at offset 0x8)\n"
    );
}

const LOOP_FOREVER: &str = r#"(module (func (export "_start") (loop (br 0))))"#;

#[test]
fn fuel_ends_a_run_with_one_line() {
    let file = module_file("fuel", "loop.wat", LOOP_FOREVER);
    let output = tabula(&["run", "--fuel", "10000", &file]);
    assert_eq!(output.status.code(), Some(134));
    assert_eq!(
        stderr(&output),
        "error: out of fuel: the run used all 10000 units of --fuel\n"
    );
    // Enough fuel: the run is not disturbed.
    let output = tabula(&[
        "--fuel",
        "1000000",
        "--invoke",
        "fac",
        "examples/add.wat",
        "10",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "3628800\n");
    let output = tabula(&["--fuel", "lots", &file]);
    assert!(!output.status.success());
}

#[test]
fn timeout_ends_a_run_with_one_line() {
    let file = module_file("timeout", "loop.wat", LOOP_FOREVER);
    let started = std::time::Instant::now();
    let output = tabula(&["run", "--timeout", "300ms", &file]);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(134));
    assert_eq!(
        stderr(&output),
        "error: timed out: the run was stopped after --timeout 300ms\n"
    );
    assert!(took >= std::time::Duration::from_millis(300), "{took:?}");
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    let output = tabula(&["--timeout", "1m", "examples/hello.wat"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for bad in ["5", "2h", "ms"] {
        let output = tabula(&["--timeout", bad, "examples/hello.wat"]);
        let ok = bad == "5";
        assert_eq!(output.status.success(), ok, "{bad}: {}", stderr(&output));
    }
}

#[test]
fn max_memory_limits_memories() {
    let file = module_file(
        "memory",
        "memory.wat",
        r#"(module (memory (export "memory") 2)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let grow = |limit: &str, pages: &str| {
        let output = tabula(&["--max-memory", limit, "--invoke", "grow", &file, pages]);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    // 2 pages are 128 KiB: growing to 4 fits in 256KiB, to 5 does not.
    assert_eq!(grow("256KiB", "2"), "2\n");
    assert_eq!(grow("256KiB", "3"), "-1\n");
    assert_eq!(grow("262144", "2"), "2\n");
    assert_eq!(grow("300KB", "3"), "-1\n");
    assert_eq!(grow("1MiB", "14"), "2\n");
    assert_eq!(grow("1MB", "14"), "-1\n");
    // A memory that starts larger than the limit: one line, non-zero status.
    let output = tabula(&["--max-memory", "64KiB", "--invoke", "grow", &file, "0"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--max-memory 65536"), "{err}");
    let output = tabula(&["--max-memory", "64XB", &file]);
    assert!(stderr(&output).contains("unknown size suffix"));
}

/// Runs `tabula` with its stdout a pipe whose reading end is closed at
/// once: every write it makes fails with `EPIPE`.
fn with_closed_stdout(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tabula"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    // A listing larger than any pipe buffer.
    let body = "nop ".repeat(50_000);
    let big = module_file("big", "big.wat", &format!("(module (func {body}))"));
    let wast = module_file(
        "epipe-wast",
        "ok.wast",
        r#"(module (func (export "f") (result i32) (i32.const 1)))
           (assert_return (invoke "f") (i32.const 1))"#,
    );
    let runs: [&[&str]; 7] = [
        &["dump", &big],
        &["--help"],
        &["opcodes"],
        &["run", "--invoke", "add", "examples/add.wat", "1", "2"],
        &["examples/hello.wat"],
        &["validate", &big],
        &["wast", &wast],
    ];
    for args in runs {
        let output = with_closed_stdout(args);
        let err = stderr(&output);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            output.status.success(),
            "{args:?}: {:?} {err}",
            output.status
        );
        assert_eq!(err, "", "{args:?}");
    }
    // And as a shell pipeline: `tabula dump big.wasm | head -1`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tabula"))
        .args(["dump", &big])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert_eq!(first, "module\n");
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stderr(&output), "");
}

#[test]
fn timeout_ends_a_run_blocked_in_a_host_call() {
    // `poll_oneoff` on a 10 s clock: no wasm runs to notice the interrupt.
    let file = module_file(
        "timeout-blocked",
        "sleep.wat",
        r#"(module
             (import "wasi_snapshot_preview1" "poll_oneoff"
               (func $poll (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             ;; A clock subscription at 0: monotonic, 10 s from now.
             (data (i32.const 16) "\01\00\00\00\00\00\00\00\00\e4\0b\54\02\00\00\00")
             (func (export "_start")
               (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"#,
    );
    let started = std::time::Instant::now();
    let output = tabula(&["run", "--timeout", "200ms", &file]);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(134), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: timed out: the run did not end within --timeout 200ms\n"
    );
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_64_bit_table_takes_i64_indices() {
    let file = "tests/fixtures/table64.wat";
    let output = tabula(&["run", "--invoke", "call", file, "0", "21"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "42\n");
    // 2^32 would be index 0 if truncated to 32 bits.
    let output = tabula(&["run", "--invoke", "call", file, "0x100000000", "21"]);
    assert_eq!(output.status.code(), Some(134), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("undefined element"),
        "{}",
        stderr(&output)
    );
    let output = tabula(&["run", "--invoke", "grow", file, "3"]);
    assert_eq!(stdout(&output), "2\n");
    let output = tabula(&["dump", file]);
    assert!(
        stdout(&output).contains("table 0: i64 funcref 2"),
        "{}",
        stdout(&output)
    );
}
