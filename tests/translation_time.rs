//! Loading a function costs time linear in its size.
//!
//! A module with one function of about 10 MB of code must load (decode,
//! validate, translate on the first call) in about ten times what 1 MB takes:
//! anything quadratic in the body (a rescan per branch, a vector shifted per
//! instruction) shows up as a ratio near 100. The bound is loose because test
//! machines are noisy; each size keeps its best of three runs. This is the
//! one timing assertion of the suite (issue: linear translation time).

use std::time::{Duration, Instant};

use tabula::{Engine, Linker, Module, Store};
use wasm_encoder::{
    BlockType, CodeSection, ExportKind, ExportSection, Function, FunctionSection, InstructionSink,
    TypeSection, ValType,
};

const SMALL: usize = 1_000_000;
const LARGE: usize = 10_000_000;

/// The most `time(LARGE) / time(SMALL)` may be: 10 when linear.
const MAX_RATIO: f64 = 25.0;

/// The argument the function is called with.
const ARG: i32 = 5;

/// `local.get 0; i32.const 1; i32.add; local.set 0`: adds one to the parameter.
fn increment(code: &mut Vec<u8>) {
    InstructionSink::new(code)
        .local_get(0)
        .i32_const(1)
        .i32_add()
        .local_set(0);
}

/// Straight-line increments filling about `size` bytes, and how many.
fn straight_line(size: usize) -> (Vec<u8>, i32) {
    let mut chunk = Vec::new();
    increment(&mut chunk);
    let count = size / chunk.len();
    (chunk.repeat(count), count as i32)
}

/// Nests of 32 blocks with an increment at each level on the way in and out
/// and a never-taken `br_if` out of the whole nest in the middle, filling
/// about `size` bytes; and how many increments.
fn nested_blocks(size: usize) -> (Vec<u8>, i32) {
    const DEPTH: u32 = 32;
    let mut nest = Vec::new();
    for _ in 0..DEPTH {
        InstructionSink::new(&mut nest).block(BlockType::Empty);
        increment(&mut nest);
    }
    // The parameter is at least ARG > 0 here, so the branch is never taken.
    InstructionSink::new(&mut nest)
        .local_get(0)
        .i32_eqz()
        .br_if(DEPTH - 1);
    for _ in 0..DEPTH {
        InstructionSink::new(&mut nest).end();
        increment(&mut nest);
    }
    let count = size / nest.len();
    (nest.repeat(count), (count * 2 * DEPTH as usize) as i32)
}

/// A deep operand stack: `local.get 0` many times, then as many
/// `local.get 0; block; end` (each block must move the operands that still
/// read a local into their own slots, and must find them without rescanning
/// the whole stack), then a `drop` for every value; about `size` bytes. The
/// function still returns its parameter.
fn deep_stack(size: usize) -> (Vec<u8>, i32) {
    let count = size / 9;
    let mut code = Vec::with_capacity(size);
    for _ in 0..count {
        InstructionSink::new(&mut code).local_get(0);
    }
    for _ in 0..count {
        InstructionSink::new(&mut code)
            .local_get(0)
            .block(BlockType::Empty)
            .end();
    }
    for _ in 0..2 * count {
        InstructionSink::new(&mut code).drop();
    }
    (code, 0)
}

/// A module exporting `f: [i32] -> [i32]` whose body is `code`, then
/// `local.get 0`.
fn module(code: &[u8]) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, 0);
    let mut body = Function::new([]);
    body.raw(code.iter().copied());
    body.instructions().local_get(0).end();
    let mut codes = CodeSection::new();
    codes.function(&body);
    let mut module = wasm_encoder::Module::new();
    module
        .section(&types)
        .section(&functions)
        .section(&exports)
        .section(&codes);
    module.finish()
}

/// Loads `wasm` and calls `f` once (functions are translated on their first
/// call): the time that took, and the result.
fn load_and_call(engine: &Engine, wasm: &[u8]) -> (Duration, i32) {
    let start = Instant::now();
    let module = Module::from_binary(engine, wasm).expect("the module loads");
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .expect("the module instantiates");
    let result = instance
        .get_typed_func::<i32, i32>(&store, "f")
        .expect("f: [i32] -> [i32]")
        .call(&mut store, ARG)
        .expect("f runs");
    (start.elapsed(), result)
}

/// Checks one shape of code: both sizes compute the right value, and the
/// large one loads within [`MAX_RATIO`] times the small one's time.
fn check_linear(shape: &str, build: fn(usize) -> (Vec<u8>, i32)) {
    let engine = Engine::default();
    let (small_code, small_count) = build(SMALL);
    let (large_code, large_count) = build(LARGE);
    let (small, large) = (module(&small_code), module(&large_code));
    drop((small_code, large_code));
    let (mut best_small, mut best_large) = (Duration::MAX, Duration::MAX);
    // Alternate the sizes so a slow spell of the machine hits both.
    for _ in 0..3 {
        let (time, result) = load_and_call(&engine, &small);
        assert_eq!(result, ARG + small_count, "{shape}, {} bytes", small.len());
        best_small = best_small.min(time);
        let (time, result) = load_and_call(&engine, &large);
        assert_eq!(result, ARG + large_count, "{shape}, {} bytes", large.len());
        best_large = best_large.min(time);
    }
    let ratio = best_large.as_secs_f64() / best_small.as_secs_f64().max(1e-6);
    println!(
        "{shape}: {} bytes in {best_small:?}, {} bytes in {best_large:?}: ratio {ratio:.1}",
        small.len(),
        large.len()
    );
    assert!(
        ratio < MAX_RATIO,
        "{shape}: {} bytes load in {best_large:?} but {} bytes in {best_small:?}: \
         {ratio:.1} times for 10 times the code (limit {MAX_RATIO})",
        large.len(),
        small.len()
    );
}

/// One test, so that nothing else in this binary runs while it measures.
#[test]
fn translation_time_is_linear_in_function_size() {
    check_linear("straight-line code", straight_line);
    check_linear("nested blocks", nested_blocks);
    check_linear("a deep operand stack", deep_stack);
}
