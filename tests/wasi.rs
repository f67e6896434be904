//! WASI preview1 through the library API: the C programs in `tests/wasi/`
//! (built by `tests/wasi/build.sh` against wasi-libc) run with captured
//! stdio and temporary directories, and hand-written modules probe the
//! host functions' edges (bad pointers, descriptor numbers).

use std::path::Path;

use tabula::wasi::{self, Errno, Input, Output, WasiCtx, WasiCtxBuilder};
use tabula::{Engine, Error, Linker, Module, Store, Trap, Val};

/// The host's data: WASI is one part of it, found by projection.
struct Host {
    wasi: WasiCtx,
}

/// How a program ended, and what it wrote.
struct Run {
    status: Result<i32, Trap>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn exit_code(&self) -> i32 {
        match &self.status {
            Ok(code) => *code,
            Err(trap) => panic!("trapped: {trap}\nstdout:\n{}", self.stdout),
        }
    }

    /// Asserts the program ran every check and all passed.
    fn assert_passed(&self) {
        assert!(
            self.stdout.ends_with("PASSED\n") && !self.stdout.contains("FAIL"),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert_eq!(self.exit_code(), 0, "stdout:\n{}", self.stdout);
    }
}

fn module(engine: &Engine, name: &str) -> Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("wasi")
        .join(format!("{name}.wasm"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Module::new(engine, bytes).unwrap()
}

/// Runs `module`'s `_start` with stdout and stderr captured; `configure`
/// adds arguments, environment, stdin and directories.
fn run_module(
    engine: &Engine,
    module: &Module,
    configure: impl FnOnce(&mut WasiCtxBuilder),
) -> Run {
    let (stdout, out) = Output::capture();
    let (stderr, err) = Output::capture();
    let mut builder = WasiCtxBuilder::new();
    builder.stdin(Input::Null).stdout(stdout).stderr(stderr);
    configure(&mut builder);
    let mut store = Store::new(
        engine,
        Host {
            wasi: builder.build(),
        },
    );
    let mut linker = Linker::new(engine);
    wasi::add_to_linker(&mut linker, |host: &mut Host| &mut host.wasi).unwrap();
    let instance = linker.instantiate(&mut store, module).unwrap();
    let start = instance.get_func(&store, "_start").unwrap();
    let mut results: Vec<Val> = start
        .ty(&store)
        .results()
        .iter()
        .map(|&t| Val::default_for(t))
        .collect();
    let status = match start.call(&mut store, &[], &mut results) {
        Ok(()) => Ok(0),
        Err(Error::Exit(code)) => Ok(code),
        Err(Error::Trap(trap)) => Err(trap),
        Err(other) => panic!("{other}"),
    };
    let text = |buffer: &std::sync::Mutex<Vec<u8>>| {
        String::from_utf8(buffer.lock().unwrap().clone()).expect("UTF-8 output")
    };
    Run {
        status,
        stdout: text(&out),
        stderr: text(&err),
    }
}

/// Runs the C program `name` with `args` after its name.
fn run(name: &str, args: &[&str], configure: impl FnOnce(&mut WasiCtxBuilder)) -> Run {
    let engine = Engine::default();
    let module = module(&engine, name);
    run_module(&engine, &module, |builder| {
        builder
            .arg(format!("{name}.wasm"))
            .args(args.iter().copied());
        configure(builder);
    })
}

#[test]
fn files_create_read_seek_stat_readdir_rename_unlink_mkdir() {
    let dir = tempfile::tempdir().unwrap();
    let run = run("files", &[], |b| {
        b.preopened_dir(dir.path(), "/sandbox").unwrap();
    });
    run.assert_passed();
    for line in [
        "ok: read back the 13 bytes\n",
        "ok: readdir lists: . .. a.txt b.txt sub\n",
        "ok: rename b.txt over c.txt\n",
        "ok: unlink a directory: EISDIR\n",
        "ok: rmdir a non-empty directory: ENOTEMPTY\n",
        "ok: create and write a file through a directory fd\n",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("ok:")).count(),
        71
    );
    // What the guest did is there on the host, and nothing else is.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hello.txt")).unwrap(),
        "Jello"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["hello.txt"]);
    let mtime = std::fs::metadata(dir.path().join("hello.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        mtime
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        1234567890
    );
}

#[test]
fn the_guest_cannot_leave_its_directory() {
    let outer = tempfile::tempdir().unwrap();
    let sandbox = outer.path().join("box");
    std::fs::create_dir_all(sandbox.join("sub")).unwrap();
    std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", sandbox.join("etc")).unwrap();
    let run = run("sandbox", &[], |b| {
        b.preopened_dir(&sandbox, "/sandbox").unwrap();
    });
    run.assert_passed();
    // Every escape through the host's functions is refused with `perm`,
    // as wasmtime refuses it (cap-std's "a path led outside").
    let refusals: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("errno "))
        .collect();
    assert_eq!(refusals.len(), 15, "{}", run.stdout);
    for line in &refusals {
        assert!(line.starts_with("errno 63:"), "{line}");
    }
    // wasi-libc itself refuses an absolute path no pre-open covers
    // (ENOTCAPABLE in this wasi-libc); a relative `..` reaches the host.
    assert!(run
        .stdout
        .contains("ok: libc open(\"/etc/passwd\") fails (errno 76)"));
    assert!(run
        .stdout
        .contains("ok: libc open(\"../secret.txt\") fails (errno 63)"));
    // Nothing outside changed.
    let mut outside: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    outside.sort();
    assert_eq!(outside, ["box", "secret.txt"]);
    assert_eq!(
        std::fs::read_to_string(outer.path().join("secret.txt")).unwrap(),
        "secret"
    );
    let mut inside: Vec<_> = std::fs::read_dir(&sandbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    inside.sort();
    assert_eq!(inside, ["etc", "sub"]);
}

#[test]
fn arguments_and_environment() {
    let run = run("args_env", &["one", "two words"], |b| {
        b.env("GREETING", "hello").env("EMPTY", "");
    });
    run.assert_passed();
    assert!(run.stdout.starts_with(
        "argc=3\nargv[0]=args_env.wasm\nargv[1]=one\nargv[2]=two words\n\
         env: GREETING=hello\nenv: EMPTY=\n"
    ));
}

#[test]
fn clocks() {
    run("clocks", &[], |_| {}).assert_passed();
}

#[test]
fn random() {
    run("random", &[], |_| {}).assert_passed();
}

#[test]
fn poll_with_a_timeout_and_ready_descriptors() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let run = run("poll", &[], |b| {
        b.stdin(Input::from_bytes("ping\n"));
        b.preopened_dir(dir.path(), "/sandbox").unwrap();
    });
    run.assert_passed();
    assert!(started.elapsed() >= std::time::Duration::from_millis(120));
}

#[test]
fn stdin_from_bytes_and_captured_stdout_and_stderr() {
    let run = run("stdio", &[], |b| {
        b.stdin(Input::from_bytes("hello there\n"));
    });
    run.assert_passed();
    assert!(run
        .stdout
        .starts_with("stdin had 12 bytes: HELLO THERE\nok: read ends"));
    assert_eq!(run.stderr, "this goes to stderr\n");
}

#[test]
fn exit_codes() {
    let status = |how: &str| run("exit", &[how], |_| {}).status;
    assert_eq!(status("0").unwrap(), 0);
    assert_eq!(status("3").unwrap(), 3);
    assert_eq!(status("125").unwrap(), 125);
    assert_eq!(status("return").unwrap(), 7);
    // A terminating signal ends the guest like a killed process.
    let raised = run("exit", &["raise"], |_| {});
    assert_eq!(raised.status.unwrap(), 128 + 15);
    assert_eq!(raised.stdout, "ending: raise\n");
    run("exit", &["ignored"], |_| {}).assert_passed();
    let trap = status("trap").unwrap_err();
    assert_eq!(trap.code, tabula::TrapCode::Unreachable);
    assert_eq!(trap.backtrace[0].func_name.as_deref(), Some("main"));
}

/// A module that exports `memory` and a function calling one WASI import.
fn probe(import: &str, params: &str) -> (Engine, Module) {
    let engine = Engine::default();
    let text = format!(
        r#"(module
             (import "wasi_snapshot_preview1" "{import}" (func $f (param {params}) (result i32)))
             (memory (export "memory") 1)
             (func (export "_start"))
             (func (export "call") (param {params}) (result i32)
               {locals}
               call $f))"#,
        locals = params
            .split_whitespace()
            .enumerate()
            .map(|(i, _)| format!("local.get {i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let module = Module::new(&engine, text).unwrap();
    (engine, module)
}

/// Calls the probe's import with `args` on a fresh instance; its errno.
fn call_probe(import: &str, params: &str, args: &[Val], dir: Option<&Path>) -> Errno {
    let (engine, module) = probe(import, params);
    let mut builder = WasiCtxBuilder::new();
    builder.stdin(Input::Null).stdout(Output::Null);
    if let Some(dir) = dir {
        builder.preopened_dir(dir, "/sandbox").unwrap();
    }
    let mut store = Store::new(&engine, builder.build());
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let call = instance.get_func(&store, "call").unwrap();
    let mut results = [Val::I32(-1)];
    call.call(&mut store, args, &mut results).unwrap();
    Errno(results[0].i32().unwrap() as u16)
}

#[test]
fn pointers_outside_memory_give_efault_not_a_panic() {
    let past_end = Val::I32(65536 - 2);
    let huge = Val::I32(-16);
    // fd_write: the iovec array, then a buffer it names, outside memory.
    assert_eq!(
        call_probe(
            "fd_write",
            "i32 i32 i32 i32",
            &[Val::I32(1), huge, Val::I32(1), Val::I32(0)],
            None
        ),
        Errno::FAULT
    );
    assert_eq!(
        call_probe("args_sizes_get", "i32 i32", &[past_end, Val::I32(0)], None),
        Errno::FAULT
    );
    assert_eq!(
        call_probe(
            "clock_time_get",
            "i32 i64 i32",
            &[Val::I32(0), Val::I64(0), past_end],
            None
        ),
        Errno::FAULT
    );
    assert_eq!(
        call_probe(
            "random_get",
            "i32 i32",
            &[Val::I32(65000), Val::I32(1000)],
            None
        ),
        Errno::FAULT
    );
    assert_eq!(
        call_probe(
            "poll_oneoff",
            "i32 i32 i32 i32",
            &[huge, Val::I32(0), Val::I32(4), Val::I32(0)],
            None
        ),
        Errno::FAULT
    );
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        call_probe(
            "path_open",
            "i32 i32 i32 i32 i32 i64 i64 i32 i32",
            &[
                Val::I32(3),
                Val::I32(0),
                huge,
                Val::I32(100),
                Val::I32(0),
                Val::I64(0),
                Val::I64(0),
                Val::I32(0),
                Val::I32(0)
            ],
            Some(dir.path())
        ),
        Errno::FAULT
    );
}

#[test]
fn bad_descriptors_and_wasmtime_errnos() {
    let fd_close = |fd: i32| call_probe("fd_close", "i32", &[Val::I32(fd)], None);
    assert_eq!(fd_close(3), Errno::BADF, "no directory was pre-opened");
    assert_eq!(fd_close(1), Errno::SUCCESS, "stdio can be closed");
    // Without a socket pre-opened, sock_* say "not a socket" (or badf).
    let sock_shutdown = |fd: i32| {
        call_probe(
            "sock_shutdown",
            "i32 i32",
            &[Val::I32(fd), Val::I32(3)],
            None,
        )
    };
    assert_eq!(sock_shutdown(1), Errno::NOTSOCK);
    assert_eq!(sock_shutdown(9), Errno::BADF);
    assert_eq!(
        call_probe(
            "fd_seek",
            "i32 i64 i32 i32",
            &[Val::I32(1), Val::I64(0), Val::I32(1), Val::I32(0)],
            None
        ),
        Errno::SPIPE
    );
    assert_eq!(call_probe("sched_yield", "", &[], None), Errno::SUCCESS);
}

#[test]
fn descriptor_numbers_follow_wasmtime() {
    // Pre-opens from 3, in order; a closed number is reused first.
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    std::fs::write(a.path().join("f"), "x").unwrap();
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "wasi_snapshot_preview1" "path_open"
               (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "f")
             (func $open_f (result i32)
               (drop (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 1)
                 (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
               (i32.load (i32.const 0)))
             (func (export "fds") (result i32 i32 i32)
               (call $open_f)
               (drop (call $close (i32.const 4)))
               (call $open_f)
               (call $open_f)))"#,
    )
    .unwrap();
    let mut builder = WasiCtxBuilder::new();
    builder.preopened_dir(a.path(), "a").unwrap();
    builder.preopened_dir(b.path(), "b").unwrap();
    let mut store = Store::new(&engine, builder.build());
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let fds = instance.get_func(&store, "fds").unwrap();
    let mut results = [Val::I32(0), Val::I32(0), Val::I32(0)];
    fds.call(&mut store, &[], &mut results).unwrap();
    assert_eq!(results, [Val::I32(5), Val::I32(4), Val::I32(6)]);
}

#[test]
fn a_missing_directory_is_an_error_not_a_panic() {
    let error = WasiCtxBuilder::new()
        .preopened_dir("/no/such/directory", "x")
        .unwrap_err();
    assert!(error.to_string().contains("/no/such/directory"), "{error}");
}
