//! The `tabula` command-line tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::binary::Opcode;
use crate::exec::trace::WriteTracer;
use crate::types::ValType;
use crate::wasi::{self, WasiCtx, WasiCtxBuilder};
use crate::{Engine, Error, Linker, Module, Store, Val};

/// Exit status for a trap, as wasmtime uses on Unix.
const TRAP_STATUS: u8 = 134;

#[derive(Parser)]
#[command(
    name = "tabula",
    version,
    about = "A WebAssembly runtime whose instruction set is a table"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a module's `_start` (a WASI command), or the export named by --invoke.
    Run(RunArgs),
    /// Print the decoded module: sections, and every instruction with its offset.
    Dump {
        /// A .wasm or .wat file.
        file: PathBuf,
    },
    /// Check that a module is valid; print the first error otherwise.
    Validate {
        /// A .wasm or .wat file.
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
    /// Call this export with ARGS as numbers and print its results, one per line.
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
    /// A .wasm or .wat file.
    file: PathBuf,
    /// Arguments for the program (or for the --invoke export).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Runs the command line and returns the process's exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(status) => status,
        Err(Error::Exit(status)) => ExitCode::from(status as u8),
        Err(Error::Trap(trap)) => {
            eprintln!("error: wasm trap: {trap}");
            ExitCode::from(TRAP_STATUS)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn read(file: &PathBuf) -> Result<Vec<u8>, Error> {
    std::fs::read(file).map_err(|e| Error::Usage(format!("cannot read {}: {e}", file.display())))
}

fn execute(command: Command) -> Result<ExitCode, Error> {
    let engine = Engine::default();
    match command {
        Command::Opcodes => {
            for opcode in Opcode::ALL {
                println!("{}", opcode_line(opcode));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { file } => {
            Module::validate(&engine, read(&file)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Dump { file } => {
            let module = Module::new(&engine, read(&file)?)?;
            let text = crate::binary::dump(module.decoded(), &engine.config().features)?;
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => {
            let mut config = engine.config().clone();
            config.trace(args.trace);
            run(&Engine::new(&config), args)
        }
        Command::Wast { files } => Ok(wast(engine.config(), &files)),
    }
}

/// `tabula wast`: runs every script, even after failures, and sums them up.
fn wast(config: &crate::Config, files: &[PathBuf]) -> ExitCode {
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
    for failure in &total.failures {
        println!("{failure}");
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One line of `tabula opcodes`.
fn opcode_line(opcode: Opcode) -> String {
    let encoding = match opcode.prefix() {
        Some(prefix) => format!("{prefix:#04x} {:#04x}", opcode.code()),
        None => format!("{:#04x}", opcode.code()),
    };
    let immediates = match opcode.immediates() {
        [] => "-".to_string(),
        list => list.join(", "),
    };
    let effect = opcode.stack_effect().unwrap_or("(hand-written typing)");
    format!(
        "{:<28} {:<10} {:<28} {effect}",
        opcode.mnemonic(),
        encoding,
        immediates
    )
}

fn parse_arg(text: &str, ty: ValType) -> Result<Val, Error> {
    let bad = || Error::Usage(format!("cannot read `{text}` as {ty}"));
    Ok(match ty {
        ValType::I32 => Val::I32(
            text.parse::<i32>()
                .or_else(|_| text.parse::<u32>().map(|v| v as i32))
                .map_err(|_| bad())?,
        ),
        ValType::I64 => Val::I64(
            text.parse::<i64>()
                .or_else(|_| text.parse::<u64>().map(|v| v as i64))
                .map_err(|_| bad())?,
        ),
        ValType::F32 => Val::from(text.parse::<f32>().map_err(|_| bad())?),
        ValType::F64 => Val::from(text.parse::<f64>().map_err(|_| bad())?),
        _ => {
            return Err(Error::Usage(format!(
                "--invoke cannot pass a {ty} argument"
            )))
        }
    })
}

fn run(engine: &Engine, args: RunArgs) -> Result<ExitCode, Error> {
    let module = Module::new(engine, read(&args.file)?)?;
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
    let mut linker = Linker::<WasiCtx>::new(engine);
    wasi::add_to_linker(&mut linker, |ctx| ctx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let (name, call_args) = match &args.invoke {
        Some(name) => (name.as_str(), args.args.as_slice()),
        None => ("_start", &[][..]),
    };
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| Error::Usage(format!("the module exports no function `{name}`")))?;
    let ty = func.ty(&store);
    if call_args.len() != ty.params().len() {
        return Err(Error::Usage(format!(
            "`{name}` takes {} arguments, {} given",
            ty.params().len(),
            call_args.len()
        )));
    }
    let params = call_args
        .iter()
        .zip(ty.params())
        .map(|(text, ty)| parse_arg(text, *ty))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let outcome = if args.trace {
        let mut tracer = WriteTracer(std::io::stderr().lock());
        func.call_traced(&mut store, &params, &mut results, &mut tracer)
    } else {
        func.call(&mut store, &params, &mut results)
    };
    #[cfg(feature = "dispatch-counts")]
    eprintln!("dispatches: {}", store.dispatch_count());
    outcome?;
    // A command's `_start` may return values (the tutorial's does); they are ignored.
    if args.invoke.is_some() {
        for value in &results {
            println!("{value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
