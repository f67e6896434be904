//! WASI preview1 through the library API: the C programs in `tests/wasi/`
//! (built by `tests/wasi/build.sh` against wasi-libc) run with captured
//! stdio and temporary directories, and hand-written modules probe the
//! host functions' edges (bad pointers, descriptor numbers).

use std::path::Path;

use tabula::wasi::types::rights;
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

/// A module with one export per WASI call the rights tests need, so that a
/// test can make them in sequence on one instance and look at the errno of
/// each. Memory: results at 0, an `fdstat` at 8, an iovec at 64 naming 16
/// bytes at 128, the path "f" at 256 and "newdir" at 260.
const RIGHTS_PROBE: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights"
    (func $set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "\80\00\00\00\10\00\00\00")
  (data (i32.const 128) "written by wasm\n")
  (data (i32.const 256) "f")
  (data (i32.const 260) "newdir")
  (func (export "open") (param $dir i32) (param $oflags i32) (param $base i64) (param $inheriting i64) (result i32)
    (call $path_open (local.get $dir) (i32.const 0) (i32.const 256) (i32.const 1)
      (local.get $oflags) (local.get $base) (local.get $inheriting) (i32.const 0) (i32.const 0)))
  (func (export "fdstat") (param i32) (result i32) (call $fdstat_get (local.get 0) (i32.const 8)))
  (func (export "set_rights") (param i32 i64 i64) (result i32)
    (call $set_rights (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i32) (result i32)
    (call $fd_read (local.get 0) (i32.const 64) (i32.const 1) (i32.const 0)))
  (func (export "write") (param i32) (result i32)
    (call $fd_write (local.get 0) (i32.const 64) (i32.const 1) (i32.const 0)))
  (func (export "seek") (param i32 i64 i32) (result i32)
    (call $fd_seek (local.get 0) (local.get 1) (local.get 2) (i32.const 0)))
  (func (export "tell") (param i32) (result i32) (call $fd_tell (local.get 0) (i32.const 0)))
  (func (export "filestat") (param i32) (result i32) (call $filestat_get (local.get 0) (i32.const 512)))
  (func (export "mkdir") (param i32) (result i32) (call $mkdir (local.get 0) (i32.const 260) (i32.const 6))))"#;

/// An instance of [`RIGHTS_PROBE`] with `dir` pre-opened as fd 3.
struct RightsProbe {
    store: Store<WasiCtx>,
    instance: tabula::Instance,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl RightsProbe {
    fn new(dir: &Path) -> Self {
        let engine = Engine::default();
        let module = Module::new(&engine, RIGHTS_PROBE).unwrap();
        let (stdout, buffer) = Output::capture();
        let mut builder = WasiCtxBuilder::new();
        builder.stdin(Input::Null).stdout(stdout);
        builder.preopened_dir(dir, "/sandbox").unwrap();
        let mut store = Store::new(&engine, builder.build());
        let mut linker = Linker::<WasiCtx>::new(&engine);
        wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        RightsProbe {
            store,
            instance,
            stdout: buffer,
        }
    }

    /// Calls export `name`; the errno it returns.
    fn call(&mut self, name: &str, args: &[Val]) -> Errno {
        let func = self.instance.get_func(&self.store, name).unwrap();
        let mut results = [Val::I32(-1)];
        func.call(&mut self.store, args, &mut results).unwrap();
        Errno(results[0].i32().unwrap() as u16)
    }

    fn u64_at(&self, offset: usize) -> u64 {
        let memory = self.instance.get_memory(&self.store, "memory").unwrap();
        let bytes = &memory.data(&self.store)[offset..offset + 8];
        u64::from_le_bytes(bytes.try_into().unwrap())
    }

    /// Opens "f" beneath fd 3; the new descriptor.
    fn open(&mut self, oflags: i32, base: u64, inheriting: u64) -> Result<i32, Errno> {
        let args = [
            Val::I32(3),
            Val::I32(oflags),
            Val::I64(base as i64),
            Val::I64(inheriting as i64),
        ];
        match self.call("open", &args) {
            Errno::SUCCESS => Ok(self.u64_at(0) as u32 as i32),
            errno => Err(errno),
        }
    }

    /// `fd_fdstat_get`'s (base, inheriting) rights of `fd`.
    fn rights(&mut self, fd: i32) -> (u64, u64) {
        assert_eq!(self.call("fdstat", &[Val::I32(fd)]), Errno::SUCCESS);
        (self.u64_at(16), self.u64_at(24))
    }

    fn set_rights(&mut self, fd: i32, base: u64, inheriting: u64) -> Errno {
        let args = [
            Val::I32(fd),
            Val::I64(base as i64),
            Val::I64(inheriting as i64),
        ];
        self.call("set_rights", &args)
    }

    fn on(&mut self, name: &str, fd: i32) -> Errno {
        self.call(name, &[Val::I32(fd)])
    }
}

/// What wasi-libc asks for when it opens a file `O_RDONLY`: every right but
/// the writing ones (the bits above the defined rights included).
const LIBC_READ_ONLY: u64 =
    !(rights::FD_DATASYNC | rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE);

#[test]
fn rights_say_what_a_descriptor_can_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "contents").unwrap();
    let mut probe = RightsProbe::new(dir.path());

    let (dir_base, dir_inheriting) = probe.rights(3);
    assert_ne!(dir_base & rights::PATH_OPEN, 0);
    assert_ne!(dir_base & rights::FD_READDIR, 0);
    assert_eq!(
        dir_base & (rights::FD_READ | rights::FD_WRITE),
        0,
        "{dir_base:#x}"
    );
    assert_ne!(dir_inheriting & rights::FD_WRITE, 0);

    let fd = probe.open(0, LIBC_READ_ONLY, 0).unwrap();
    let (base, inheriting) = probe.rights(fd);
    assert_ne!(base & rights::FD_READ, 0);
    assert_ne!(base & rights::FD_SEEK, 0);
    assert_eq!(base & rights::FD_WRITE, 0, "opened read-only: {base:#x}");
    assert_eq!(
        base & rights::PATH_OPEN,
        0,
        "a file opens nothing: {base:#x}"
    );
    assert_eq!(inheriting, 0);
    // Never granted is not the same as dropped: the host's own errno.
    assert_eq!(probe.on("write", fd), Errno::BADF);

    let fd = probe.open(0, rights::FD_WRITE, 0).unwrap();
    let (base, _) = probe.rights(fd);
    assert_ne!(base & rights::FD_WRITE, 0);
    assert_eq!(base & rights::FD_READ, 0, "opened write-only: {base:#x}");

    let (stdin, _) = probe.rights(0);
    let (stdout, _) = probe.rights(1);
    assert_ne!(stdin & rights::FD_READ, 0);
    assert_eq!(stdin & rights::FD_WRITE, 0);
    assert_ne!(stdout & rights::FD_WRITE, 0);
    assert_eq!(stdout & (rights::FD_READ | rights::FD_SEEK), 0);
}

#[test]
fn dropped_rights_fail_with_notcapable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "contents").unwrap();
    let mut probe = RightsProbe::new(dir.path());
    // stdout without fd_write writes nothing.
    assert_eq!(probe.on("write", 1), Errno::SUCCESS);
    assert_eq!(probe.set_rights(1, 0, 0), Errno::SUCCESS);
    assert_eq!(probe.on("write", 1), Errno::NOTCAPABLE);
    assert_eq!(
        String::from_utf8(probe.stdout.lock().unwrap().clone()).unwrap(),
        "written by wasm\n"
    );

    let fd = probe.open(0, LIBC_READ_ONLY, 0).unwrap();
    let (base, _) = probe.rights(fd);
    assert_eq!(probe.on("read", fd), Errno::SUCCESS);

    // Drop fd_read: reading fails, the rest still works.
    let without_read = base & !rights::FD_READ;
    assert_eq!(probe.set_rights(fd, without_read, 0), Errno::SUCCESS);
    assert_eq!(probe.rights(fd).0, without_read);
    assert_eq!(probe.on("read", fd), Errno::NOTCAPABLE);
    assert_eq!(Errno::NOTCAPABLE.0, 76);
    assert_eq!(probe.on("filestat", fd), Errno::SUCCESS);
    // A dropped right cannot be taken back, nor a right added.
    assert_eq!(probe.set_rights(fd, base, 0), Errno::NOTCAPABLE);
    assert_eq!(
        probe.set_rights(fd, without_read | rights::FD_WRITE, 0),
        Errno::NOTCAPABLE
    );
    assert_eq!(probe.on("read", fd), Errno::NOTCAPABLE);

    // fd_seek needs fd_seek; asking where one is needs only fd_tell.
    let without_seek = without_read & !(rights::FD_SEEK | rights::FD_FILESTAT_GET);
    assert_eq!(probe.set_rights(fd, without_seek, 0), Errno::SUCCESS);
    let seek = |probe: &mut RightsProbe, offset: i64, whence: i32| {
        probe.call("seek", &[Val::I32(fd), Val::I64(offset), Val::I32(whence)])
    };
    assert_eq!(seek(&mut probe, 2, 0), Errno::NOTCAPABLE);
    assert_eq!(seek(&mut probe, 0, 1), Errno::SUCCESS);
    assert_eq!(probe.on("tell", fd), Errno::SUCCESS);
    assert_eq!(probe.on("filestat", fd), Errno::NOTCAPABLE);
}

#[test]
fn a_directory_passes_on_only_the_rights_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "contents").unwrap();
    let mut probe = RightsProbe::new(dir.path());
    let (base, inheriting) = probe.rights(3);

    // Files opened through it can no longer be written.
    let keep = inheriting & !rights::FD_WRITE;
    assert_eq!(probe.set_rights(3, base, keep), Errno::SUCCESS);
    assert_eq!(probe.open(0, rights::FD_WRITE, 0), Err(Errno::NOTCAPABLE));
    let fd = probe.open(0, LIBC_READ_ONLY & keep, 0).unwrap();
    assert_eq!(probe.rights(fd).0 & rights::FD_WRITE, 0);

    // Path operations need the directory's own rights.
    assert_eq!(
        probe.set_rights(3, base & !rights::PATH_CREATE_DIRECTORY, keep),
        Errno::SUCCESS
    );
    assert_eq!(probe.on("mkdir", 3), Errno::NOTCAPABLE);
    assert!(!dir.path().join("newdir").exists());
    assert_eq!(
        probe.set_rights(
            3,
            base & !(rights::PATH_CREATE_DIRECTORY | rights::PATH_OPEN),
            keep
        ),
        Errno::SUCCESS
    );
    assert_eq!(
        probe.open(0, LIBC_READ_ONLY & keep, 0),
        Err(Errno::NOTCAPABLE)
    );
}
