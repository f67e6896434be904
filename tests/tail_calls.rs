//! Every handler of the tail-call backend continues with a jump.
//!
//! Handlers end by calling the next handler in tail position (`next!`), and
//! the backend relies on LLVM turning each of those calls into a jump. When it
//! does not (a value with a destructor still alive at the call, an address of
//! a local escaping, an ABI mismatch), the handler `call`s the next one and
//! every executed instruction leaves a native frame: long loops overflow the
//! stack. Nothing at the source level says which way LLVM went, so this test
//! reads the machine code of the `tabula` binary: built in the same profile as
//! the library this test links, it has the same backend (`TAIL_CALLS`).

use std::collections::BTreeMap;
use std::process::Command;

/// Where the handlers live; their symbols start with this path.
const HANDLERS: &str = "tabula::exec::handlers::";

/// Far fewer functions under [`HANDLERS`] means the symbols were not found
/// (renamed module, stripped binary), not that the code is fine.
const MIN_HANDLERS: usize = 500;

/// Handlers that need no jump to another handler, and why. (Helpers such as
/// `memory0`, which handlers call and which return a value, are told apart by
/// their callers: see `helpers` below.)
const NO_CONTINUATION: &[(&str, &str)] = &[(
    "unreachable_",
    "always traps: records the trap and returns to `run_code`",
)];

/// One function of the disassembly: its instructions, without addresses.
struct Function {
    instructions: Vec<String>,
}

/// Splits `objdump -d` output into functions by their demangled names.
fn functions(disassembly: &str) -> BTreeMap<String, Function> {
    let mut functions = BTreeMap::new();
    let mut current: Option<(String, Function)> = None;
    for line in disassembly.lines() {
        // A function starts with `0000000000219920 <name>:`.
        if let Some(header) = line.strip_suffix(">:") {
            if let Some((address, name)) = header.split_once(" <") {
                if !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit()) {
                    if let Some((name, function)) = current.take() {
                        functions.insert(name, function);
                    }
                    let function = Function {
                        instructions: Vec::new(),
                    };
                    current = Some((name.to_string(), function));
                    continue;
                }
            }
        }
        // An instruction is `  219a30:\tmnemonic operands`.
        if let (Some((_, function)), Some((_, instruction))) =
            (current.as_mut(), line.split_once(":\t"))
        {
            function.instructions.push(instruction.trim().to_string());
        }
    }
    if let Some((name, function)) = current {
        functions.insert(name, function);
    }
    functions
}

/// The handler's own name: the symbol after [`HANDLERS`], without an LLVM
/// suffix such as `.llvm.123` or `.cold`.
fn short_name(symbol: &str) -> Option<&str> {
    let name = symbol.strip_prefix(HANDLERS)?;
    Some(name.split('.').next().unwrap_or(name))
}

/// The operands of `instruction` if its mnemonic is `mnemonic` (older
/// binutils spell `call`/`jmp` as `callq`/`jmpq`).
fn operands<'a>(instruction: &'a str, mnemonic: &str) -> Option<&'a str> {
    let (word, rest) = instruction
        .split_once(char::is_whitespace)
        .unwrap_or((instruction, ""));
    let suffix = word.strip_prefix(mnemonic)?;
    (suffix.is_empty() || suffix == "q").then_some(rest.trim_start())
}

/// The operand of an indirect `call`/`jmp` (`*%rax`, `*0x10(%rdi)`), unless
/// it goes through the GOT (`*0x1234(%rip)`): that is a call to a library
/// function or a panic, never to a handler.
fn computed_target<'a>(instruction: &'a str, mnemonic: &str) -> Option<&'a str> {
    let operand = operands(instruction, mnemonic)?.strip_prefix('*')?;
    let operand = operand.split_whitespace().next().unwrap_or(operand);
    (!operand.contains("(%rip)")).then_some(operand)
}

/// The function a direct `call`/`jmp` names (`call 21a380 <name+0x12>`).
fn direct_target<'a>(instruction: &'a str, mnemonic: &str) -> Option<&'a str> {
    let (_, symbol) = operands(instruction, mnemonic)?.split_once('<')?;
    let symbol = symbol.strip_suffix('>')?;
    Some(symbol.split('+').next().unwrap_or(symbol))
}

#[test]
fn every_handler_continues_with_a_tail_jump() {
    if !tabula::exec::TAIL_CALLS {
        println!("not checked: this build dispatches with the loop backend (TAIL_CALLS is false)");
        return;
    }
    if !cfg!(target_arch = "x86_64") {
        println!("not checked: the disassembly rules are written for x86-64");
        return;
    }
    let binary = env!("CARGO_BIN_EXE_tabula");
    let output = match Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-C", binary])
        .output()
    {
        Ok(output) => output,
        Err(error) => panic!(
            "cannot run objdump ({error}): install binutils, which this test needs \
             to read the handlers' machine code"
        ),
    };
    assert!(
        output.status.success(),
        "objdump failed on {binary}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let disassembly = String::from_utf8_lossy(&output.stdout);
    let functions = functions(&disassembly);
    let handlers: BTreeMap<&str, &Function> = functions
        .iter()
        .filter_map(|(symbol, function)| Some((short_name(symbol)?, function)))
        .collect();
    assert!(
        handlers.len() > MIN_HANDLERS,
        "only {} functions under {HANDLERS} in {binary}: were the symbols renamed or stripped?",
        handlers.len()
    );

    // A function that jumps to the next instruction's handler itself, i.e. a
    // real handler (helpers return a value instead).
    let jumps_on = |function: &Function| {
        function
            .instructions
            .iter()
            .any(|i| computed_target(i, "jmp").is_some())
    };
    // Helpers (`memory0`, `table_addr`, a locals-zeroing loop...) live in the
    // same module but are called, not jumped to, and return a value: a
    // function without a jump of its own that some function of the module
    // calls directly. A handler called that way is caught by its caller's
    // check below, and a helper's own computed calls by rule (a).
    let helpers: Vec<&str> = handlers
        .values()
        .flat_map(|function| &function.instructions)
        .filter_map(|instruction| direct_target(instruction, "call").and_then(short_name))
        .filter(|callee| handlers.get(callee).is_some_and(|f| !jumps_on(f)))
        .collect();
    let exempt =
        |name: &str| NO_CONTINUATION.iter().any(|(n, _)| *n == name) || helpers.contains(&name);

    let mut offenders = Vec::new();
    for (&name, function) in &handlers {
        let mut problems = Vec::new();
        for instruction in &function.instructions {
            // (a) A computed call: the next handler called, not jumped to.
            if computed_target(instruction, "call").is_some() {
                problems.push(format!("computed call `{instruction}`"));
            }
            // A direct call of another handler is the same mistake.
            if let Some(callee) = direct_target(instruction, "call").and_then(short_name) {
                if handlers.get(callee).is_some_and(|f| jumps_on(f)) {
                    problems.push(format!("calls handler `{callee}`: `{instruction}`"));
                }
            }
        }
        // (b) At least one way on: a computed jump, or a direct jump into
        // another handler (the compiler may share one handler's tail).
        let continues = jumps_on(function)
            || function.instructions.iter().any(|i| {
                direct_target(i, "jmp")
                    .and_then(short_name)
                    .is_some_and(|callee| callee != name && handlers.contains_key(callee))
            });
        if !continues && !exempt(name) {
            problems.push("no jump to another handler".to_string());
        }
        if !problems.is_empty() {
            offenders.push(format!("{HANDLERS}{name}: {}", problems.join("; ")));
        }
    }

    // (c) Every offender at once.
    assert!(
        offenders.is_empty(),
        "{} of {} handlers do not continue with a tail jump (each would leave a native \
         frame per executed instruction):\n{}",
        offenders.len(),
        handlers.len(),
        offenders.join("\n")
    );
    println!(
        "{} functions under {HANDLERS} checked in {binary}",
        handlers.len()
    );
}
