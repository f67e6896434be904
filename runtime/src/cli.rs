//! The `tabula` command-line tool.
//!
//! `tabula FILE [ARGS]` is `tabula run FILE [ARGS]`, as with wasmtime. The
//! tool's own output goes through one writer, so a reader that closes the pipe
//! early (`tabula dump big.wasm | head -1`) ends the output quietly.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand};

use crate::exec::trace::WriteTracer;
use crate::types::{ExternType, ValType};
use crate::wasi::{self, WasiCtx, WasiCtxBuilder};
use crate::{
    Config, Engine, Error, Func, Instance, Linker, Module, Store, StoreLimits, TrapCode, Val,
};

/// Exit status for a trap, as wasmtime uses on Unix.
const TRAP_STATUS: u8 = 134;

#[derive(Parser)]
#[command(
    name = "tabula",
    version,
    about = "A WebAssembly runtime whose instruction set is a table",
    after_help = "`tabula [OPTIONS] FILE [ARGS]...` is short for `tabula run [OPTIONS] FILE [ARGS]...`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Which WebAssembly to accept: `3.0` (the default: every 3.0 proposal
    /// Tabula implements) or `2.0` (strict: later proposals are rejected).
    #[arg(long, global = true, value_name = "VERSION", default_value = "3.0", value_parser = ["2.0", "3.0"])]
    wasm: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run a module's `_start` (a WASI command), or the export named by --invoke.
    Run(RunArgs),
    /// Print the decoded module: sections, and every instruction with its
    /// offset. A module that fails validation is listed with the failure marked.
    Dump {
        /// A .wasm or .wat file, or `-` for stdin.
        file: PathBuf,
    },
    /// Check that a module is valid; print the first error otherwise.
    Validate {
        /// A .wasm or .wat file, or `-` for stdin.
        file: PathBuf,
    },
    /// Print the instruction table: mnemonic, opcode, immediates, stack effect.
    Opcodes,
    /// Run spec scripts (.wast): print each failed directive, then `N passed, M failed`.
    Wast {
        /// The .wast files to run.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Call this export with ARGS as numbers and print its results, one per
    /// line. Integers may be decimal or hex (`-0x10`); floats may also be
    /// `nan`, `inf`, `-inf` or `-0`. A reactor's `_initialize` runs first.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// Print every executed wasm instruction to stderr: function, byte offset
    /// (as `tabula dump` shows it) and the instruction.
    #[arg(long)]
    trace: bool,
    /// Set an environment variable for the guest: NAME=VALUE, or NAME to pass on the host's value.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    envs: Vec<String>,
    /// Let the guest use host directory HOST (and all beneath it), named GUEST
    /// (default: HOST as given). Repeatable; descriptors start at 3, in order.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Stop the run once it has executed N wasm instructions.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Let no memory be larger than BYTES (a number, optionally with a
    /// suffix: KiB, MiB, GiB, KB, MB, GB). A larger initial memory fails to
    /// instantiate; a `memory.grow` past it returns -1, as in wasmtime.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    max_memory: Option<usize>,
    /// Stop the run after DURATION of wall-clock time (e.g. 500ms, 2s, 1m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// A .wasm or .wat file, or `-` to read the module from stdin.
    file: PathBuf,
    /// Arguments for the program (or for the --invoke export).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// The command's own standard output. A closed pipe (`EPIPE`) ends the
/// output, not the command: later writes are dropped and the command
/// finishes with the status it would have had.
struct Out {
    stdout: io::StdoutLock<'static>,
    closed: bool,
}

impl Out {
    fn new() -> Self {
        Out {
            stdout: io::stdout().lock(),
            closed: false,
        }
    }

    /// Writes `text` as it is.
    fn text(&mut self, text: &str) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        let result = self.stdout.write_all(text.as_bytes());
        self.check(result)
    }

    /// Writes one line.
    fn line(&mut self, line: fmt::Arguments<'_>) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        let result = self
            .stdout
            .write_fmt(line)
            .and_then(|()| self.stdout.write_all(b"\n"));
        self.check(result)
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        let result = self.stdout.flush();
        self.check(result)
    }

    fn check(&mut self, result: io::Result<()>) -> Result<(), Error> {
        match result {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(error) => Err(Error::Usage(format!("cannot write to stdout: {error}"))),
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        // Whatever is still buffered; a closed pipe is no longer news.
        let _ = self.stdout.flush();
    }
}

/// Writes one line to stderr; a closed stderr is ignored (nowhere to say so).
fn report(line: fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// Runs the command line and returns the process's exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse_from(with_default_subcommand(std::env::args_os().collect()));
    match execute(cli) {
        Ok(status) => status,
        Err(Error::Exit(status)) => ExitCode::from(status as u8),
        Err(Error::Trap(trap)) => {
            report(format_args!("error: wasm trap: {trap}"));
            ExitCode::from(TRAP_STATUS)
        }
        Err(error) => {
            report(format_args!("error: {error}"));
            ExitCode::FAILURE
        }
    }
}

/// `tabula FILE ...` means `tabula run FILE ...`: inserts `run` unless the
/// first argument names a subcommand or asks for help or the version.
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    let Some(first) = args.get(1).and_then(|a| a.to_str()) else {
        return args;
    };
    let command = Cli::command();
    let known = command
        .get_subcommands()
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
        .chain(["help", "-h", "--help", "-V", "--version"])
        .any(|name| name == first);
    if !known {
        args.insert(1, OsString::from("run"));
    }
    args
}

/// The module `file` names, in binary form: `-` reads it from stdin, and
/// text is parsed here so that its errors name `file:line:col`.
fn load(file: &Path) -> Result<Vec<u8>, Error> {
    let (bytes, name) = if file == Path::new("-") {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Usage(format!("cannot read the module from stdin: {e}")))?;
        (bytes, Path::new("<stdin>"))
    } else {
        let bytes = std::fs::read(file)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", file.display())))?;
        (bytes, file)
    };
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    match wat::parse_bytes(&bytes) {
        Ok(binary) => Ok(binary.into_owned()),
        Err(mut error) => {
            error.set_path(name);
            Err(Error::Text(error.to_string()))
        }
    }
}

fn execute(cli: Cli) -> Result<ExitCode, Error> {
    let mut config = Config::new();
    if cli.wasm == "2.0" {
        config.wasm_2_0();
    }
    let engine = Engine::new(&config);
    match cli.command {
        Command::Opcodes => {
            let mut out = Out::new();
            out.text(&crate::binary::opcode_table())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { file } => {
            Module::validate(&engine, load(&file)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Dump { file } => dump(&engine, &file),
        Command::Run(args) => {
            let mut config = engine.config().clone();
            config
                .trace(args.trace)
                .consume_fuel(args.fuel.is_some())
                .interruptible(args.timeout.is_some());
            run(&Engine::new(&config), args)
        }
        Command::Wast { files } => wast(engine.config(), &files),
    }
}

/// `tabula dump`: the listing, with the failure marked when the module
/// decodes but does not validate. A malformed module is only an error.
fn dump(engine: &Engine, file: &Path) -> Result<ExitCode, Error> {
    let bytes = load(file)?;
    let features = engine.config().features;
    let decoded = crate::binary::decode(&bytes, &features)?;
    let failure = match Module::from_binary(engine, &bytes) {
        Ok(_) => None,
        Err(Error::Validation(e)) => Some((e.offset, Error::Validation(e))),
        // Decoding succeeded above, so this is a body using an unsupported
        // proposal: worth a listing as well.
        Err(Error::Decode(e)) => Some((e.offset, Error::Decode(e))),
        Err(other) => return Err(other),
    };
    let text = match &failure {
        None => crate::binary::dump(&decoded, &features)?,
        Some((offset, error)) => {
            crate::binary::dump_marked(&decoded, &features, *offset, &error.to_string())
        }
    };
    let mut out = Out::new();
    out.text(&text)?;
    out.flush()?;
    match failure {
        None => Ok(ExitCode::SUCCESS),
        Some((_, error)) => Err(error),
    }
}

/// `tabula wast`: runs every script, even after failures, and sums them up.
fn wast(config: &crate::Config, files: &[PathBuf]) -> Result<ExitCode, Error> {
    let mut total = crate::wast::ScriptReport::default();
    for file in files {
        let name = file.display().to_string();
        match std::fs::read_to_string(file) {
            Ok(source) => total.merge(crate::wast::run_script(&name, &source, config)),
            Err(error) => {
                total.failed += 1;
                total.failures.push(format!("{name}: cannot read: {error}"));
            }
        }
    }
    let mut out = Out::new();
    for failure in &total.failures {
        out.line(format_args!("{failure}"))?;
    }
    out.line(format_args!(
        "{} passed, {} failed",
        total.passed, total.failed
    ))?;
    out.flush()?;
    Ok(if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Parses `text` with the text format's grammar for a `T` literal.
fn wat_literal<T: for<'a> wast::parser::Parse<'a>>(text: &str) -> Option<T> {
    let buffer = wast::parser::ParseBuffer::new(text).ok()?;
    wast::parser::parse::<T>(&buffer).ok()
}

/// An `--invoke` argument as a value of type `ty`: integers as the text
/// format writes them (decimal or hex, signed or not, `_` separators),
/// floats likewise (`nan`, `nan:0x…`, `inf`, `-inf`, `-0`, hex floats) or
/// as Rust prints them (`NaN`, `1e-7`).
fn parse_arg(text: &str, ty: ValType) -> Result<Val, Error> {
    let bad = || Error::Usage(format!("cannot read `{text}` as {ty}"));
    Ok(match ty {
        ValType::I32 => Val::I32(wat_literal::<i32>(text).ok_or_else(bad)?),
        ValType::I64 => Val::I64(wat_literal::<i64>(text).ok_or_else(bad)?),
        ValType::F32 => match wat_literal::<wast::token::F32>(text) {
            Some(float) => Val::F32(float.bits),
            None => Val::from(text.parse::<f32>().map_err(|_| bad())?),
        },
        ValType::F64 => match wat_literal::<wast::token::F64>(text) {
            Some(float) => Val::F64(float.bits),
            None => Val::from(text.parse::<f64>().map_err(|_| bad())?),
        },
        _ => {
            return Err(Error::Usage(format!(
                "--invoke cannot pass a {ty} argument"
            )))
        }
    })
}

/// A size in bytes: a number with an optional binary (KiB, MiB, GiB) or
/// decimal (KB, MB, GB) suffix.
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: u64 = number
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{text}` is not a size: expected e.g. 65536, 64KiB, 2MB"))?;
    let unit: u64 = match suffix.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown size suffix `{other}`: use KiB, MiB, GiB, KB, MB or GB"
            ))
        }
    };
    number
        .checked_mul(unit)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// A duration: a number followed by `ms`, `s` or `m` (a bare number is seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: expected e.g. 500ms, 2s, 1m"))?;
    let seconds = match suffix.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" => number * 60.0,
        other => return Err(format!("unknown duration unit `{other}`: use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is out of range"))
}

/// Every export of `module`, one per line, with its type: what `--invoke`
/// could have named.
fn list_exports(module: &Module) -> String {
    let mut lines = Vec::new();
    for export in module.exports() {
        let line = match &export.ty {
            ExternType::Func(ty) => format!("  func {}: {ty}", export.name),
            ExternType::Memory(ty) => format!("  memory {}: {}", export.name, ty.limits),
            ExternType::Table(ty) => format!("  table {}: {ty}", export.name),
            ExternType::Global(ty) => format!(
                "  global {}: {}{}",
                export.name,
                if ty.mutable { "mut " } else { "" },
                ty.content
            ),
            ExternType::Tag(ty) => format!("  tag {}: {}", export.name, ty.ty),
        };
        lines.push(line);
    }
    if lines.is_empty() {
        "the module exports nothing".to_string()
    } else {
        format!("its exports are:\n{}", lines.join("\n"))
    }
}

/// The arguments of `func` parsed for its parameter types.
fn call_args(
    store: &Store<WasiCtx>,
    func: Func,
    name: &str,
    args: &[String],
) -> Result<Vec<Val>, Error> {
    let ty = func.ty(store);
    if args.len() != ty.params().len() {
        return Err(Error::Usage(format!(
            "`{name}` takes {} arguments ({ty}), {} given",
            ty.params().len(),
            args.len()
        )));
    }
    args.iter()
        .zip(ty.params())
        .map(|(text, ty)| parse_arg(text, *ty))
        .collect()
}

/// Calls `func` with `params`, traced to stderr if asked; its results.
fn call(
    store: &mut Store<WasiCtx>,
    func: Func,
    params: &[Val],
    trace: bool,
) -> Result<Vec<Val>, Error> {
    let ty = func.ty(&*store);
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    if trace {
        let mut tracer = WriteTracer(io::stderr().lock());
        func.call_traced(store, params, &mut results, &mut tracer)?;
    } else {
        func.call(store, params, &mut results)?;
    }
    Ok(results)
}

/// Ends a `--timeout` run that has not ended by itself: interrupts it at
/// the deadline and, should it sit in a host call that does not return
/// (a blocking read), ends the process a moment later.
fn start_timer(timeout: Duration, handle: crate::InterruptHandle) -> mpsc::Sender<()> {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if finished.recv_timeout(timeout) != Err(mpsc::RecvTimeoutError::Timeout) {
            return;
        }
        handle.interrupt();
        if finished.recv_timeout(Duration::from_millis(500)) == Err(mpsc::RecvTimeoutError::Timeout)
        {
            report(format_args!(
                "error: timed out: the run did not end within --timeout {timeout:?}"
            ));
            std::process::exit(i32::from(TRAP_STATUS));
        }
    });
    done
}

fn run(engine: &Engine, args: RunArgs) -> Result<ExitCode, Error> {
    let module = Module::new(engine, load(&args.file)?)?;
    let mut builder = WasiCtxBuilder::new();
    builder.arg(args.file.to_string_lossy());
    builder.args(args.args.iter().cloned());
    for pair in &args.envs {
        match pair.split_once('=') {
            Some((name, value)) => builder.env(name, value),
            // As in wasmtime: a bare name passes on the host's value, if any.
            None => match std::env::var(pair) {
                Ok(value) => builder.env(pair, value),
                Err(_) => &mut builder,
            },
        };
    }
    for dir in &args.dirs {
        let (host, guest) = dir.split_once("::").unwrap_or((dir, dir));
        builder.preopened_dir(host, guest)?;
    }
    let mut store = Store::new(engine, builder.build());
    if let Some(limit) = args.max_memory {
        for memory in &module.decoded().memories {
            let bytes = memory.limits.min.saturating_mul(memory.page_size());
            if bytes > limit as u64 {
                return Err(Error::Usage(format!(
                    "the module's memory starts at {bytes} bytes, more than --max-memory {limit}"
                )));
            }
        }
        store.set_limits(StoreLimits {
            max_memory_bytes: limit,
            ..StoreLimits::default()
        });
    }
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel)?;
    }
    let mut linker = Linker::<WasiCtx>::new(engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx)?;
    let timer = match args.timeout {
        Some(timeout) => Some(start_timer(timeout, store.interrupt_handle()?)),
        None => None,
    };
    let outcome = run_instance(&mut store, &linker, &module, &args);
    drop(timer);
    #[cfg(feature = "dispatch-counts")]
    report(format_args!("dispatches: {}", store.dispatch_count()));
    let results = match outcome {
        Err(Error::Trap(trap)) if trap.code == TrapCode::OutOfFuel => {
            let fuel = args.fuel.unwrap_or_default();
            report(format_args!(
                "error: out of fuel: the run used all {fuel} units of --fuel"
            ));
            return Ok(ExitCode::from(TRAP_STATUS));
        }
        Err(Error::Trap(trap)) if trap.code == TrapCode::Interrupted => {
            let timeout = args.timeout.unwrap_or_default();
            report(format_args!(
                "error: timed out: the run was stopped after --timeout {timeout:?}"
            ));
            return Ok(ExitCode::from(TRAP_STATUS));
        }
        other => other?,
    };
    let mut out = Out::new();
    for value in &results {
        out.line(format_args!("{value}"))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Instantiates `module` and runs it as wasmtime does: with `--invoke`, a
/// reactor's `_initialize` and then the export; without, `_start` if there
/// is one, else `_initialize` if there is one, else nothing. The results
/// to print (only `--invoke` prints any).
fn run_instance(
    store: &mut Store<WasiCtx>,
    linker: &Linker<WasiCtx>,
    module: &Module,
    args: &RunArgs,
) -> Result<Vec<Val>, Error> {
    let instance = linker.instantiate(&mut *store, module)?;
    let initialize = instance.get_func(&*store, "_initialize");
    match &args.invoke {
        Some(name) => {
            let func = invoked(store, &instance, module, name)?;
            let params = call_args(store, func, name, &args.args)?;
            if let Some(initialize) = initialize {
                call(store, initialize, &[], args.trace)?;
            }
            call(store, func, &params, args.trace)
        }
        None => {
            // A command's `_start` may return values (the tutorial's does);
            // they are ignored.
            if let Some(start) = instance.get_func(&*store, "_start") {
                call(store, start, &[], args.trace)?;
            } else if let Some(initialize) = initialize {
                call(store, initialize, &[], args.trace)?;
            }
            Ok(Vec::new())
        }
    }
}

/// The function export `name`; if there is none, an error listing the exports.
fn invoked(
    store: &Store<WasiCtx>,
    instance: &Instance,
    module: &Module,
    name: &str,
) -> Result<Func, Error> {
    instance.get_func(store, name).ok_or_else(|| {
        Error::Usage(format!(
            "the module exports no function `{name}`; {}",
            list_exports(module)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_and_decimal_suffixes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("3KB"), Ok(3_000));
        assert_eq!(parse_size("5MB"), Ok(5_000_000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert!(parse_size("12XB").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }

    #[test]
    fn durations_take_ms_s_and_m() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("1h").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn invoke_arguments_follow_the_text_format() {
        let i32s = [("10", 10), ("0x10", 16), ("-0x10", -16), ("4294967295", -1)];
        for (text, value) in i32s {
            assert_eq!(
                parse_arg(text, ValType::I32).unwrap(),
                Val::I32(value),
                "{text}"
            );
        }
        assert!(parse_arg("4294967296", ValType::I32).is_err());
        assert_eq!(
            parse_arg("-0x8000000000000000", ValType::I64).unwrap(),
            Val::I64(i64::MIN)
        );
        let f64_bits = |text| match parse_arg(text, ValType::F64).unwrap() {
            Val::F64(bits) => bits,
            other => panic!("{other:?}"),
        };
        assert_eq!(f64_bits("-0"), (-0.0f64).to_bits());
        assert_eq!(f64_bits("inf"), f64::INFINITY.to_bits());
        assert_eq!(f64_bits("-inf"), f64::NEG_INFINITY.to_bits());
        assert!(f64::from_bits(f64_bits("nan")).is_nan());
        assert!(f64::from_bits(f64_bits("NaN")).is_nan());
        assert_eq!(f64_bits("0x1p-1"), 0.5f64.to_bits());
        assert_eq!(f64_bits("1.5"), 1.5f64.to_bits());
        assert!(parse_arg("one", ValType::F32).is_err());
    }

    #[test]
    fn a_file_means_run() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            with_default_subcommand(args(&["tabula", "x.wasm", "1"])),
            args(&["tabula", "run", "x.wasm", "1"])
        );
        assert_eq!(
            with_default_subcommand(args(&["tabula", "--invoke", "f", "x.wasm"])),
            args(&["tabula", "run", "--invoke", "f", "x.wasm"])
        );
        for kept in [
            &["tabula", "dump", "x.wasm"][..],
            &["tabula", "--help"],
            &["tabula"],
        ] {
            assert_eq!(with_default_subcommand(args(kept)), args(kept));
        }
    }
}
