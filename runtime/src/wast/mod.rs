//! A runner for WebAssembly spec scripts (`.wast` files).
//!
//! [`run_script`] parses a script with the `wast` crate and runs every
//! directive against one [`Store`]: modules are compiled and instantiated,
//! `register` names an instance for later imports, and each assertion checks
//! what Tabula did against what the script expects. Every directive counts as
//! one pass or one failure; a failure (or a panic, which is always a bug)
//! never stops the rest of the script.
//!
//! This is the code path of both `tabula wast` and the conformance harness
//! in `tests/spec.rs`.

mod spectest;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ::wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use ::wast::lexer::Lexer;
use ::wast::parser::{self, ParseBuffer};
use ::wast::token::Id;
use ::wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke};
use ::wast::{WastRet, Wat};

use crate::types::CompositeKind;
use crate::{Config, Engine, Error, ExternRef, Instance, Linker, Module, Store, Val};

pub use spectest::define as define_spectest;

/// What running one script found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptReport {
    /// Directives that did what the script expects.
    pub passed: usize,
    /// Directives that did not.
    pub failed: usize,
    /// One line per failure: `file:line: directive: expected …, got …`.
    pub failures: Vec<String>,
}

impl ScriptReport {
    /// Adds another report's counts and failures to this one.
    pub fn merge(&mut self, other: ScriptReport) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.failures.extend(other.failures);
    }
}

/// Runs the spec script `source` (named `name` in failure lines) with an
/// engine configured by `config`.
pub fn run_script(name: &str, source: &str, config: &Config) -> ScriptReport {
    let mut report = ScriptReport::default();
    let mut lexer = Lexer::new(source);
    // The testsuite has identifiers and strings with bidirectional-text
    // characters on purpose (names.wast).
    lexer.allow_confusing_unicode(true);
    let parsed = ParseBuffer::new_with_lexer(lexer).and_then(|buffer| {
        // The directives borrow the buffer; run them while it lives.
        let wast = parser::parse::<Wast<'_>>(&buffer)?;
        let mut runner = match Runner::new(name, source, config) {
            Ok(runner) => runner,
            Err(error) => {
                report.failed += 1;
                report.failures.push(format!(
                    "{name}: cannot create the spectest module: {error}"
                ));
                return Ok(());
            }
        };
        for directive in wast.directives {
            runner.run(directive);
        }
        report = runner.report;
        Ok(())
    });
    if let Err(mut error) = parsed {
        error.set_path(std::path::Path::new(name));
        error.set_text(source);
        report.failed += 1;
        report
            .failures
            .push(format!("{name}: cannot parse the script: {error}"));
    }
    report
}

/// Why an action could not produce values.
enum ActionError {
    /// The script asked for something that is not there (a module, an
    /// export) or that the runner cannot express: always a failure.
    Setup(String),
    /// Compiling, linking or running failed: what `assert_trap` and friends look for.
    Run(Error),
}

impl From<Error> for ActionError {
    fn from(error: Error) -> Self {
        ActionError::Run(error)
    }
}

/// Why a module could not be built.
enum BuildError {
    /// The text did not parse (or resolve) as a module.
    Text(String),
    /// Tabula rejected the binary.
    Module(Error),
}

impl core::fmt::Display for BuildError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BuildError::Text(message) => write!(f, "text format error: {message}"),
            BuildError::Module(error) => write!(f, "{error}"),
        }
    }
}

struct Runner<'s> {
    name: &'s str,
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module: the target of unnamed actions.
    current: Option<Instance>,
    /// Instances by their `$name` in the script.
    instances: HashMap<String, Instance>,
    /// `module definition`s by name, and the latest one.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    report: ScriptReport,
    /// Byte offset of the start of each line, for failure lines.
    line_starts: Vec<usize>,
}

impl<'s> Runner<'s> {
    fn new(name: &'s str, source: &'s str, config: &Config) -> Result<Self, Error> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        // Scripts register different instances under one name (table_copy.wast).
        linker.allow_shadowing(true);
        spectest::define(&mut store, &mut linker)?;
        Ok(Runner {
            name,
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            report: ScriptReport::default(),
            line_starts: core::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        })
    }

    /// Runs one directive and records its outcome.
    fn run(&mut self, directive: WastDirective<'_>) {
        // `Span::linecol_in` scans from the start: quadratic on big scripts.
        let offset = directive.span().offset();
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let label = describe(&directive);
        let outcome = catch_unwind(AssertUnwindSafe(|| self.directive(directive)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(message)) => Some(message),
            Err(payload) => {
                // The panic unwound out of any running call: no wasm runs
                // between directives, so the store's call bookkeeping restarts.
                self.store.inner.stack_top = 0;
                self.store.inner.depth = 0;
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".to_string());
                Some(format!("panicked: {message}"))
            }
        };
        match failure {
            None => self.report.passed += 1,
            Some(message) => {
                self.report.failed += 1;
                self.report
                    .failures
                    .push(format!("{}:{line}: {label}: {message}", self.name));
            }
        }
    }

    /// Runs one directive: `Ok` when it did what the script expects.
    fn directive(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                // A failed module leaves no current module: later actions on
                // it fail instead of running against an older one.
                self.current = None;
                let module = self
                    .build(&mut module)
                    .map_err(|e| format!("expected a valid module, got {e}"))?;
                let instance = self
                    .instantiate(&module)
                    .map_err(|e| format!("expected instantiation to succeed, got {e}"))?;
                self.current = Some(instance);
                if let Some(name) = name {
                    self.instances.insert(name, instance);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let module = self
                    .build(&mut module)
                    .map_err(|e| format!("expected a valid module, got {e}"))?;
                if let Some(name) = name {
                    self.definitions.insert(name, module.clone());
                }
                self.last_definition = Some(module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let definition = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                }
                .ok_or("no such module definition")?;
                self.current = None;
                let new = self
                    .instantiate(&definition)
                    .map_err(|e| format!("expected instantiation to succeed, got {e}"))?;
                self.current = Some(new);
                if let Some(id) = instance {
                    self.instances.insert(id.name().to_string(), new);
                }
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.linker
                    .instance(&mut self.store, name, instance)
                    .map(|_| ())
                    .map_err(|e| format!("cannot register: {e}"))
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(_) => Ok(()),
                Err(ActionError::Setup(message)) => Err(message),
                Err(ActionError::Run(error)) => Err(format!("expected success, got {error}")),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = match self.execute(exec) {
                    Ok(values) => values,
                    Err(ActionError::Setup(message)) => return Err(message),
                    Err(ActionError::Run(error)) => {
                        return Err(format!(
                            "expected {}, got {}",
                            show_expected(&results),
                            one_line(&error)
                        ))
                    }
                };
                check_results(&self.store, &results, &actual)
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let outcome = self.execute(exec);
                expect_trap(outcome, message)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let outcome = self.invoke(&call);
                expect_trap(outcome, message)
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => match self.build(&mut module) {
                // A module the text parser already rejects cannot reach
                // Tabula, but it is rejected all the same.
                Err(_) => Ok(()),
                Ok(_) => Err(format!(
                    "expected an invalid module (\"{message}\"), got a valid one"
                )),
            },
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => match self.build(&mut module) {
                Err(_) => Ok(()),
                Ok(_) => Err(format!(
                    "expected a malformed module (\"{message}\"), got a valid one"
                )),
            },
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let module = self
                    .build_wat(&mut module)
                    .map_err(|e| format!("expected a valid module, got {e}"))?;
                match self.instantiate(&module) {
                    Err(Error::Link(_)) => Ok(()),
                    Err(other) => Err(format!(
                        "expected a link error (\"{message}\"), got {}",
                        one_line(&other)
                    )),
                    Ok(_) => Err(format!(
                        "expected a link error (\"{message}\"), got an instance"
                    )),
                }
            }
            WastDirective::AssertException { exec, .. } => match self.execute(exec) {
                Err(ActionError::Run(Error::Trap(trap))) if trap.exception().is_some() => Ok(()),
                Err(ActionError::Setup(message)) => Err(message),
                Err(ActionError::Run(error)) => Err(format!(
                    "expected an uncaught exception, got {}",
                    one_line(&error)
                )),
                Ok(values) => Err(format!(
                    "expected an uncaught exception, got {}",
                    show_values(&values)
                )),
            },
            other => Err(format!("unsupported directive {}", describe(&other))),
        }
    }

    /// The instance called `id`, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("no module named ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no module is instantiated".to_string()),
        }
    }

    fn build(&self, module: &mut QuoteWat<'_>) -> Result<Module, BuildError> {
        // Quoted text is parsed here, so its errors surface as text errors.
        let bytes = module
            .encode()
            .map_err(|error| BuildError::Text(one_line(&error)))?;
        Module::from_binary(&self.engine, &bytes).map_err(BuildError::Module)
    }

    fn build_wat(&self, wat: &mut Wat<'_>) -> Result<Module, BuildError> {
        let bytes = wat
            .encode()
            .map_err(|error| BuildError::Text(one_line(&error)))?;
        Module::from_binary(&self.engine, &bytes).map_err(BuildError::Module)
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        self.linker.instantiate(&mut self.store, module)
    }

    /// Runs an action: an invocation, a global read, or a module
    /// instantiation (which yields no values).
    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, ActionError> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module).map_err(ActionError::Setup)?;
                let global = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| ActionError::Setup(format!("no global export \"{global}\"")))?;
                Ok(vec![global.get(&mut self.store)])
            }
            WastExecute::Wat(mut wat) => {
                let module = self.build_wat(&mut wat).map_err(|e| match e {
                    BuildError::Module(error) => ActionError::Run(error),
                    BuildError::Text(message) => ActionError::Setup(message),
                })?;
                self.instantiate(&module)?;
                Ok(Vec::new())
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, ActionError> {
        let instance = self.instance(invoke.module).map_err(ActionError::Setup)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| ActionError::Setup(format!("no function export \"{}\"", invoke.name)))?;
        let params = invoke
            .args
            .iter()
            .map(|arg| argument(arg, &mut self.store))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ActionError::Setup)?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = (ty.results().iter())
            .map(|t| Val::default_with(*t, &self.store.inner.types))
            .collect();
        func.call(&mut self.store, &params, &mut results)?;
        Ok(results)
    }
}

/// How a failure line names the directive: its keyword, and the export it uses.
fn describe(directive: &WastDirective<'_>) -> String {
    let exec_name = |exec: &WastExecute<'_>| match exec {
        WastExecute::Invoke(invoke) => format!(" \"{}\"", invoke.name),
        WastExecute::Get { global, .. } => format!(" (get \"{global}\")"),
        WastExecute::Wat(_) => " (module)".to_string(),
    };
    match directive {
        WastDirective::Module(_) => "module".to_string(),
        WastDirective::ModuleDefinition(_) => "module definition".to_string(),
        WastDirective::ModuleInstance { .. } => "module instance".to_string(),
        WastDirective::Register { name, .. } => format!("register \"{name}\""),
        WastDirective::Invoke(invoke) => format!("invoke \"{}\"", invoke.name),
        WastDirective::AssertReturn { exec, .. } => format!("assert_return{}", exec_name(exec)),
        WastDirective::AssertTrap { exec, .. } => format!("assert_trap{}", exec_name(exec)),
        WastDirective::AssertExhaustion { call, .. } => {
            format!("assert_exhaustion \"{}\"", call.name)
        }
        WastDirective::AssertInvalid { .. } => "assert_invalid".to_string(),
        WastDirective::AssertMalformed { .. } => "assert_malformed".to_string(),
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable".to_string(),
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom".to_string(),
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom".to_string(),
        WastDirective::AssertException { .. } => "assert_exception".to_string(),
        WastDirective::AssertSuspension { .. } => "assert_suspension".to_string(),
        WastDirective::Thread(_) => "thread".to_string(),
        WastDirective::Wait { .. } => "wait".to_string(),
    }
}

/// An error's message on one line (traps append a backtrace on later lines).
fn one_line(error: &dyn core::fmt::Display) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("").trim_end();
    first.to_string()
}

/// Checks that an action trapped with `expected` (or a message containing
/// it, or contained in it: the scripts' wording and Tabula's differ in detail).
fn expect_trap(outcome: Result<Vec<Val>, ActionError>, expected: &str) -> Result<(), String> {
    match outcome {
        Err(ActionError::Run(Error::Trap(trap))) => {
            let ours = trap.code.message();
            if ours.contains(expected) || expected.contains(ours) {
                Ok(())
            } else {
                Err(format!("expected trap \"{expected}\", got trap \"{ours}\""))
            }
        }
        Err(ActionError::Run(other)) => Err(format!(
            "expected trap \"{expected}\", got error: {}",
            one_line(&other)
        )),
        Err(ActionError::Setup(message)) => Err(message),
        Ok(values) => Err(format!(
            "expected trap \"{expected}\", got {}",
            show_values(&values)
        )),
    }
}

/// Converts an `invoke` argument. `ref.extern N` is the store's externref
/// number N, made on first use with all those before it, so the reference's
/// index is N and results compare by index.
fn argument(arg: &WastArg<'_>, store: &mut Store<()>) -> Result<Val, String> {
    let WastArg::Core(arg) = arg else {
        return Err("component-model arguments are not supported".to_string());
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(heap) => match hierarchy(heap) {
            Some(Hierarchy::Func) => Val::FuncRef(None),
            Some(Hierarchy::Extern) => Val::ExternRef(None),
            Some(Hierarchy::Exn) => Val::ExnRef(None),
            Some(Hierarchy::Any) => Val::AnyRef(None),
            None => return Err(format!("unsupported argument {arg:?}")),
        },
        WastArgCore::RefExtern(n) => {
            if *n > 1 << 16 {
                return Err(format!("unsupported argument {arg:?}"));
            }
            while store.externs.len() <= *n as usize {
                let next = store.externs.len() as u32;
                ExternRef::new(&mut *store, next).map_err(|e| e.to_string())?;
            }
            Val::ExternRef(Some(ExternRef {
                store: store.inner.id,
                word: crate::exec::gc::host_word(*n),
            }))
        }
        // Host data seen from the `any` hierarchy: an internalized externref.
        WastArgCore::RefHost(n) => {
            let Val::ExternRef(Some(e)) =
                argument(&WastArg::Core(WastArgCore::RefExtern(*n)), store)?
            else {
                unreachable!("an externref argument")
            };
            Val::AnyRef(Some(crate::AnyRef {
                store: e.store,
                word: e.word,
            }))
        }
    })
}

/// The reference type hierarchies: a null of one matches `ref.null` of any
/// heap type in it, as in the spec interpreter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hierarchy {
    Func,
    Extern,
    Exn,
    Any,
}

/// The hierarchy a script's heap type belongs to (a type index names a
/// function type: Tabula has no others).
fn hierarchy(heap: &HeapType<'_>) -> Option<Hierarchy> {
    use AbstractHeapType as A;
    match heap {
        HeapType::Concrete(_) => Some(Hierarchy::Func),
        HeapType::Abstract { shared: false, ty } => match ty {
            A::Func | A::NoFunc => Some(Hierarchy::Func),
            A::Extern | A::NoExtern => Some(Hierarchy::Extern),
            A::Exn | A::NoExn => Some(Hierarchy::Exn),
            A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None => Some(Hierarchy::Any),
            _ => None,
        },
        _ => None,
    }
}

fn check_results<T>(
    store: &Store<T>,
    expected: &[WastRet<'_>],
    actual: &[Val],
) -> Result<(), String> {
    let object_kind = |word: u64| {
        let object = store.inner.gc.object(word)?;
        Some(store.inner.types.composite(object.type_id).kind())
    };
    let matched = expected.len() == actual.len()
        && expected.iter().zip(actual).all(|(e, a)| match e {
            WastRet::Core(e) => matches(e, a, &object_kind),
            #[allow(unreachable_patterns, reason = "only with the component model")]
            _ => false,
        });
    if matched {
        Ok(())
    } else {
        Err(format!(
            "expected {}, got {}",
            show_expected(expected),
            show_values(actual)
        ))
    }
}

/// Whether `actual` is what `expected` describes.
fn matches(
    expected: &WastRetCore<'_>,
    actual: &Val,
    object_kind: &dyn Fn(u64) -> Option<CompositeKind>,
) -> bool {
    match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, *a),
        (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, *a),
        (WastRetCore::V128(e), Val::V128(a)) => v128_matches(e, *a),
        (WastRetCore::RefNull(heap), actual) => {
            let kind = match actual {
                Val::FuncRef(None) => Hierarchy::Func,
                Val::ExternRef(None) => Hierarchy::Extern,
                Val::ExnRef(None) => Hierarchy::Exn,
                Val::AnyRef(None) => Hierarchy::Any,
                _ => return false,
            };
            heap.as_ref().is_none_or(|h| hierarchy(h) == Some(kind))
        }
        (WastRetCore::RefExtern(e), Val::ExternRef(Some(a))) => {
            e.is_none_or(|e| a.host_index() == Some(e))
        }
        (WastRetCore::RefHost(e), Val::AnyRef(Some(a))) => a.host_index() == Some(*e),
        (WastRetCore::RefAny, Val::AnyRef(Some(_))) => true,
        (WastRetCore::RefEq, Val::AnyRef(Some(a))) => a.i31().is_some() || a.is_object(),
        (WastRetCore::RefI31, Val::AnyRef(Some(a))) => a.i31().is_some(),
        (WastRetCore::RefStruct, Val::AnyRef(Some(a))) => {
            object_kind(a.word) == Some(CompositeKind::Struct)
        }
        (WastRetCore::RefArray, Val::AnyRef(Some(a))) => {
            object_kind(a.word) == Some(CompositeKind::Array)
        }
        // Which function a non-null funcref denotes cannot be named from a
        // script portably: any non-null reference matches.
        (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(cases), actual) => {
            cases.iter().any(|e| matches(e, actual, object_kind))
        }
        _ => false,
    }
}

const F32_QUIET: u32 = 0x0040_0000;
const F32_EXP: u32 = 0x7f80_0000;
const F64_QUIET: u64 = 0x0008_0000_0000_0000;
const F64_EXP: u64 = 0x7ff0_0000_0000_0000;

fn f32_matches(expected: &NanPattern<::wast::token::F32>, bits: u32) -> bool {
    match expected {
        // Canonical NaN: only the quiet bit set in the payload, either sign.
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == F32_EXP | F32_QUIET,
        // Arithmetic NaN: the quiet bit set, any other payload.
        NanPattern::ArithmeticNan => bits & (F32_EXP | F32_QUIET) == F32_EXP | F32_QUIET,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(expected: &NanPattern<::wast::token::F64>, bits: u64) -> bool {
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == F64_EXP | F64_QUIET,
        NanPattern::ArithmeticNan => bits & (F64_EXP | F64_QUIET) == F64_EXP | F64_QUIET,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// Lane `i` of `width` bits of a `v128` (lane 0 in the low bits).
fn lane(bits: u128, width: u32, i: usize) -> u128 {
    let mask = (1u128 << width) - 1;
    (bits >> (width as usize * i)) & mask
}

fn v128_matches(expected: &V128Pattern, bits: u128) -> bool {
    match expected {
        V128Pattern::I8x16(lanes) => lanes
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 8, i) as u8 == *e as u8),
        V128Pattern::I16x8(lanes) => lanes
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 16, i) as u16 == *e as u16),
        V128Pattern::I32x4(lanes) => lanes
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 32, i) as u32 == *e as u32),
        V128Pattern::I64x2(lanes) => lanes
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 64, i) as u64 == *e as u64),
        V128Pattern::F32x4(lanes) => lanes
            .iter()
            .enumerate()
            .all(|(i, e)| f32_matches(e, lane(bits, 32, i) as u32)),
        V128Pattern::F64x2(lanes) => lanes
            .iter()
            .enumerate()
            .all(|(i, e)| f64_matches(e, lane(bits, 64, i) as u64)),
    }
}

/// A value as failure lines show it: typed, with float bits.
fn show_value(value: &Val) -> String {
    match value {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        Val::F32(bits) => format!("f32:{} ({bits:#010x})", f32::from_bits(*bits)),
        Val::F64(bits) => format!("f64:{} ({bits:#018x})", f64::from_bits(*bits)),
        Val::V128(bits) => format!("v128:{bits:#034x}"),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(e)) => match e.host_index() {
            Some(index) => format!("ref.extern {index}"),
            None => "ref.extern (an internal object)".to_string(),
        },
        Val::ExnRef(None) => "ref.null exn".to_string(),
        Val::ExnRef(Some(_)) => "ref.exn".to_string(),
        Val::AnyRef(None) => "ref.null any".to_string(),
        Val::AnyRef(Some(a)) => match (a.i31(), a.host_index()) {
            (Some(value), _) => format!("ref.i31 {value}"),
            (_, Some(index)) => format!("ref.host {index}"),
            _ => "ref.struct or ref.array".to_string(),
        },
    }
}

fn show_values(values: &[Val]) -> String {
    let shown: Vec<String> = values.iter().map(show_value).collect();
    format!("[{}]", shown.join(", "))
}

fn show_nan<T>(pattern: &NanPattern<T>, show: impl Fn(&T) -> String) -> String {
    match pattern {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => show(v),
    }
}

fn show_f32(v: &::wast::token::F32) -> String {
    format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits)
}

fn show_f64(v: &::wast::token::F64) -> String {
    format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits)
}

fn show_pattern(expected: &WastRetCore<'_>) -> String {
    match expected {
        WastRetCore::I32(v) => format!("i32:{v}"),
        WastRetCore::I64(v) => format!("i64:{v}"),
        WastRetCore::F32(p) => format!("f32:{}", show_nan(p, show_f32)),
        WastRetCore::F64(p) => format!("f64:{}", show_nan(p, show_f64)),
        WastRetCore::V128(p) => {
            let mut out = String::from("v128:");
            let _ = match p {
                V128Pattern::I8x16(l) => write!(out, "i8x16 {l:?}"),
                V128Pattern::I16x8(l) => write!(out, "i16x8 {l:?}"),
                V128Pattern::I32x4(l) => write!(out, "i32x4 {l:?}"),
                V128Pattern::I64x2(l) => write!(out, "i64x2 {l:?}"),
                V128Pattern::F32x4(l) => {
                    let lanes: Vec<String> = l.iter().map(|p| show_nan(p, show_f32)).collect();
                    write!(out, "f32x4 [{}]", lanes.join(", "))
                }
                V128Pattern::F64x2(l) => {
                    let lanes: Vec<String> = l.iter().map(|p| show_nan(p, show_f64)).collect();
                    write!(out, "f64x2 [{}]", lanes.join(", "))
                }
            };
            out
        }
        WastRetCore::RefNull(None) => "ref.null".to_string(),
        WastRetCore::RefNull(Some(heap)) => match heap {
            HeapType::Abstract { shared: false, ty } => format!("ref.null {ty:?}").to_lowercase(),
            _ => format!("ref.null {heap:?}"),
        },
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::Either(cases) => {
            let shown: Vec<String> = cases.iter().map(show_pattern).collect();
            format!("either({})", shown.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

fn show_expected(expected: &[WastRet<'_>]) -> String {
    let shown: Vec<String> = expected
        .iter()
        .map(|e| match e {
            WastRet::Core(e) => show_pattern(e),
            #[allow(unreachable_patterns, reason = "only with the component model")]
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::FuncType;

    fn run(source: &str) -> ScriptReport {
        run_script("test.wast", source, &Config::default())
    }

    #[test]
    fn counts_every_directive() {
        let report = run(r#"
            (module
              (func (export "add") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.add)
              (func (export "div") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.div_s)
              (func (export "nan") (result f32) f32.const nan)
              (global (export "g") i64 (i64.const 7)))
            (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
            (assert_return (invoke "nan") (f32.const nan:canonical))
            (assert_return (get "g") (i64.const 7))
            (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_malformed (module quote "(func") "unexpected end")
            (assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")
        "#);
        assert_eq!(report.failures, Vec::<String>::new());
        assert_eq!((report.passed, report.failed), (8, 0));
    }

    #[test]
    fn reports_mismatches_with_the_line() {
        let report = run(
            "(module (func (export \"one\") (result i32) i32.const 1))\n\
             (assert_return (invoke \"one\") (i32.const 2))\n\
             (assert_trap (invoke \"one\") \"unreachable\")\n\
             (assert_return (invoke \"missing\"))\n",
        );
        assert_eq!((report.passed, report.failed), (1, 3));
        assert_eq!(
            report.failures[0],
            "test.wast:2: assert_return \"one\": expected [i32:2], got [i32:1]"
        );
        assert!(report.failures[1].starts_with("test.wast:3: assert_trap \"one\": expected trap"));
        assert!(report.failures[2].contains("no function export \"missing\""));
    }

    #[test]
    fn registered_instances_and_spectest_link() {
        let report = run(r#"
            (module $a
              (import "spectest" "global_i32" (global i32))
              (import "spectest" "print_i32" (func (param i32)))
              (import "spectest" "memory" (memory 1 2))
              (import "spectest" "table" (table 10 funcref))
              (func (export "get") (result i32) global.get 0))
            (register "a" $a)
            (module (import "a" "get" (func $get (result i32)))
              (func (export "twice") (result i32) call $get call $get i32.add))
            (assert_return (invoke "twice") (i32.const 1332))
            (assert_return (invoke $a "get") (i32.const 666))
        "#);
        assert_eq!(report.failures, Vec::<String>::new());
        assert_eq!((report.passed, report.failed), (5, 0));
    }

    #[test]
    fn references_vectors_and_instantiation_traps() {
        let report = run(r#"
            (module
              (func $f (export "f"))
              (func (export "id") (param externref) (result externref) local.get 0)
              (func (export "fref") (result funcref) ref.func $f)
              (func (export "null") (result funcref) ref.null func)
              (func (export "v") (result v128) v128.const i32x4 1 -1 0x7fc00000 4)
              (func (export "deep") (result i32) call 5)
              (func (result i32) call 5))
            (assert_return (invoke "id" (ref.extern 7)) (ref.extern 7))
            (assert_return (invoke "id" (ref.null extern)) (ref.null extern))
            (assert_return (invoke "fref") (ref.func))
            (assert_return (invoke "null") (ref.null func))
            (assert_return (invoke "v") (v128.const i32x4 1 -1 0x7fc00000 4))
            (assert_return (invoke "v") (v128.const f32x4 1e-45 nan:arithmetic nan:canonical 6e-45))
            (assert_exhaustion (invoke "deep") "call stack exhausted")
            (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
            ;; Each of these is wrong on purpose.
            (assert_return (invoke "id" (ref.extern 7)) (ref.extern 8))
            (assert_return (invoke "null") (ref.func))
            (assert_return (invoke "fref") (ref.null func))
            (assert_return (invoke "v") (v128.const i32x4 1 -1 0x7fc00000 5))
            (assert_return (invoke "v") (v128.const f32x4 1e-45 nan:canonical nan:canonical 6e-45))
            (assert_trap (invoke "f") "unreachable")
            (assert_unlinkable (module) "unknown import")
            ;; An instance of a definition becomes the current module.
            (module definition $d (func (export "one") (result i32) i32.const 1))
            (module instance $i $d)
            (assert_return (invoke "one") (i32.const 1))
            (register "x" $i)
            (register "x" $i)
        "#);
        assert_eq!(
            (report.passed, report.failed),
            (14, 7),
            "{:#?}",
            report.failures
        );
        assert!(
            report.failures.iter().all(|f| f.contains("expected")),
            "{:#?}",
            report.failures
        );
    }

    #[test]
    fn panics_are_failures_and_the_script_goes_on() {
        let source = "(module (import \"host\" \"boom\" (func $boom)) \
                      (func (export \"run\") call $boom) (func (export \"ok\")))\n\
                      (invoke \"run\")\n\
                      (assert_return (invoke \"ok\"))\n";
        let mut runner = Runner::new("p.wast", source, &Config::default()).unwrap();
        runner
            .linker
            .func_new("host", "boom", FuncType::new([], []), |_, _, _| {
                panic!("host function exploded")
            })
            .unwrap();
        let buffer = ParseBuffer::new(source).unwrap();
        let wast = parser::parse::<Wast<'_>>(&buffer).unwrap();
        for directive in wast.directives {
            runner.run(directive);
        }
        let report = runner.report;
        assert_eq!(
            (report.passed, report.failed),
            (2, 1),
            "{:#?}",
            report.failures
        );
        assert_eq!(
            report.failures[0],
            "p.wast:2: invoke \"run\": panicked: host function exploded"
        );
    }

    #[test]
    fn nan_patterns() {
        let canonical = NanPattern::CanonicalNan;
        let arithmetic = NanPattern::ArithmeticNan;
        assert!(f32_matches(&canonical, 0x7fc0_0000));
        assert!(f32_matches(&canonical, 0xffc0_0000));
        assert!(!f32_matches(&canonical, 0x7fc0_0001));
        assert!(f32_matches(&arithmetic, 0x7fc0_0001));
        assert!(!f32_matches(&arithmetic, 0x7f80_0001));
        assert!(f64_matches(
            &NanPattern::CanonicalNan,
            0xfff8_0000_0000_0000
        ));
        assert!(!f64_matches(
            &NanPattern::ArithmeticNan,
            0x7ff0_0000_0000_0001
        ));
    }

    #[test]
    fn unparsable_script_is_one_failure() {
        let report = run("(module");
        assert_eq!((report.passed, report.failed), (0, 1));
    }
}
