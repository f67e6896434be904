//! The interpreter loop.
//!
//! One `loop { match }` runs every frame of a call: a wasm call pushes a
//! `Frame` record and switches `ip`/`fp` instead of recursing on the native
//! stack, so recursion depth is bounded by the configured limits, not by the
//! host's stack. Table-driven ops (`pure`, `load`, `store` rows) run in the
//! arms `table_dispatch!` generates inside the hot loop's own `match` (rows
//! touching `v128` in the out-of-line `execute_vector_op`); this file handles
//! control flow, calls, variables, tables and the memory instructions that
//! need the store.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use super::code::{execute_vector_op, table_dispatch, CompiledFunc, Op};
use super::memory::MemoryView;
use super::semantics;
use super::stack::{StackStorage, ValueStack};
use super::store::{FuncEntity, StoreInner};
use super::trace::Tracer;
use super::trap::{BacktraceFrame, Trap, TrapCode};
use crate::api::{Caller, Store, Val};
use crate::types::ValType;

/// Where to resume a caller.
struct Frame {
    ret_ip: *const Op,
    fp: *mut u64,
    func: *const CompiledFunc,
    instance: u32,
}

/// Calls function `addr` of the store with `args` (already type-checked).
pub(crate) fn invoke<T, R: Tracer>(
    store: &mut Store<T>,
    addr: u32,
    args: &[Val],
    tracer: &mut R,
) -> Result<Vec<Val>, Trap> {
    let (type_id, host, instance) = match &store.inner.funcs[addr as usize] {
        FuncEntity::Wasm {
            type_id, instance, ..
        } => (*type_id, None, *instance),
        FuncEntity::Host { type_id, host } => (*type_id, Some(*host), 0),
    };
    if let Some(host) = host {
        return call_host(store, host, type_id, None, args);
    }
    let result_types: Vec<ValType> = store.inner.types.get(type_id).results().to_vec();
    let (stack_len, max_call_depth) = {
        let config = store.engine.config();
        (config.max_stack_slots, config.max_call_depth)
    };
    let storage = store
        .inner
        .stack
        .get_or_insert_with(|| StackStorage::new(stack_len));
    let base = storage.base();
    let len = storage.len();
    let start = store.inner.stack_top;
    let arg_slots: usize = args.iter().map(|a| a.ty().slots() as usize).sum();
    if start + arg_slots > len {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    // SAFETY: `start + arg_slots <= len` was checked above.
    let mut stack = ValueStack {
        sp: unsafe { base.add(start) },
    };
    for arg in args {
        // SAFETY: the arguments fit, as checked above.
        unsafe { arg.push_to(&mut stack) };
    }
    let saved_top = store.inner.stack_top;
    let saved_depth = store.inner.depth;
    // SAFETY: the stack holds the arguments; `run` checks room for every frame.
    let outcome = unsafe {
        run(
            store,
            addr,
            instance,
            stack,
            base.add(len),
            max_call_depth,
            tracer,
        )
    };
    store.inner.stack_top = saved_top;
    store.inner.depth = saved_depth;
    outcome?;
    // The results sit where the arguments were.
    let mut results = Vec::with_capacity(result_types.len());
    // SAFETY: `run` returned normally, so the results are at `start`.
    let mut cursor = unsafe { base.add(start) };
    for ty in result_types {
        // SAFETY: the callee's type promises one value of `ty` here.
        unsafe {
            results.push(Val::read_from(ty, cursor));
            cursor = cursor.add(ty.slots() as usize);
        }
    }
    Ok(results)
}

/// Calls a host function with `args`, returning its results.
fn call_host<T>(
    store: &mut Store<T>,
    host: u32,
    type_id: u32,
    instance: Option<u32>,
    args: &[Val],
) -> Result<Vec<Val>, Trap> {
    let ty = store.inner.types.get_shared(type_id);
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let func = Arc::clone(&store.hosts[host as usize]);
    func(Caller::new(store, instance), args, &mut results)?;
    for (value, ty) in results.iter().zip(ty.results()) {
        if value.ty() != *ty {
            return Err(Trap::host(alloc::format!(
                "host function returned {} where {ty} was expected",
                value.ty()
            )));
        }
    }
    Ok(results)
}

fn memory_view(inner: &mut StoreInner, instance: u32) -> MemoryView {
    match inner.instances[instance as usize].memories.first() {
        Some(&addr) => inner.memories[addr as usize].view(),
        None => MemoryView::empty(),
    }
}

/// Builds the trap's backtrace from the live frames.
fn backtrace(
    inner: &StoreInner,
    func: *const CompiledFunc,
    ip: *const Op,
    instance: u32,
    frames: &[Frame],
) -> Vec<BacktraceFrame> {
    let frame_info = |func: *const CompiledFunc, ip: *const Op, instance: u32| {
        // SAFETY: `func` points into a module the store keeps alive, and `ip`
        // is one past the op being executed in that function's code.
        let func = unsafe { &*func };
        let index = unsafe { ip.offset_from(func.code.as_ptr()) } as usize;
        let offset = func
            .offsets
            .get(index.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let module = &inner.instances[instance as usize].module;
        BacktraceFrame {
            func_index: func.func_index,
            func_name: module.func_name(func.func_index).map(Into::into),
            offset,
        }
    };
    let mut out = alloc::vec![frame_info(func, ip, instance)];
    for frame in frames.iter().rev() {
        out.push(frame_info(frame.func, frame.ret_ip, frame.instance));
    }
    out
}

/// Bounds-checks `[start, start + len)` against `size`.
#[inline]
fn range(
    start: i32,
    len: i32,
    size: usize,
    code: TrapCode,
) -> Result<core::ops::Range<usize>, TrapCode> {
    let start = start as u32 as usize;
    let end = start + len as u32 as usize;
    if end > size {
        return Err(code);
    }
    Ok(start..end)
}

/// What the dispatch loop needs only on calls, returns, traps and the rarer
/// ops. It lives in memory behind one pointer, so the loop's registers stay
/// free for `ip`, `sp`, `fp` and the memory view.
struct Cold<'s, T> {
    store: &'s mut Store<T>,
    /// Callers' frames, innermost last.
    frames: Vec<Frame>,
    /// The running function.
    func: *const CompiledFunc,
    /// Its instance.
    instance: u32,
    /// Store depth of the entry frame.
    depth_base: usize,
    max_depth: usize,
    /// One past the last slot of the stack storage.
    stack_end: *mut u64,
}

impl<T> Cold<'_, T> {
    fn inst(&self) -> &super::store::InstanceEntity {
        &self.store.inner.instances[self.instance as usize]
    }

    fn memory_view(&mut self) -> MemoryView {
        memory_view(&mut self.store.inner, self.instance)
    }
}

/// A trap at the op before `ip`, with the backtrace of the live frames.
#[cold]
#[inline(never)]
fn trap_at<T>(cx: &Cold<'_, T>, ip: *const Op, code: TrapCode) -> Trap {
    let mut trap = Trap::new(code);
    trap.backtrace = backtrace(&cx.store.inner, cx.func, ip, cx.instance, &cx.frames);
    trap
}

/// Calls host function `host` from wasm: pops its arguments from `sp`,
/// pushes its results and returns the new `sp`.
///
/// # Safety
/// `sp` must be the top of the stack with the arguments validation proved
/// are there, and room for the results.
#[inline(never)]
unsafe fn call_host_from_wasm<T>(
    cx: &mut Cold<'_, T>,
    ip: *const Op,
    sp: *mut u64,
    host: u32,
    type_id: u32,
) -> Result<*mut u64, Trap> {
    let mut stack = ValueStack { sp };
    let ty = cx.store.inner.types.get_shared(type_id);
    let mut args: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
    for (arg, ty) in args.iter_mut().zip(ty.params()).rev() {
        *arg = Val::pop_from(*ty, &mut stack);
    }
    let inner = &mut cx.store.inner;
    inner.stack_top = stack
        .sp
        .offset_from(inner.stack.as_mut().expect("allocated").base())
        as usize;
    inner.depth = cx.depth_base + cx.frames.len();
    let results = match call_host(cx.store, host, type_id, Some(cx.instance), &args) {
        Ok(results) => results,
        Err(mut trap) => {
            trap.backtrace = backtrace(&cx.store.inner, cx.func, ip, cx.instance, &cx.frames);
            return Err(trap);
        }
    };
    for value in &results {
        value.push_to(&mut stack);
    }
    Ok(stack.sp)
}

/// Runs the ops that need the store but are too rare to sit in the loop:
/// memory sizes, bulk memory, tables and segments. Returns the new `sp`.
///
/// # Safety
/// `op` is one of the ops listed here, and `sp` holds its operands.
#[inline(never)]
unsafe fn run_store_op<T>(
    cx: &mut Cold<'_, T>,
    op: &Op,
    sp: *mut u64,
) -> Result<*mut u64, TrapCode> {
    let mut stack = ValueStack { sp };
    let instance = cx.instance as usize;
    let store = &mut *cx.store;
    macro_rules! inst {
        () => {
            store.inner.instances[instance]
        };
    }
    match op {
        Op::MemorySize { .. } => {
            let addr = inst!().memories[0] as usize;
            stack.push_i32(store.inner.memories[addr].pages() as i32);
        }
        Op::MemoryGrow { .. } => {
            let delta = stack.pop_i32() as u32;
            let addr = inst!().memories[0] as usize;
            let limit = store.limits.max_memory_bytes;
            let old = store.inner.memories[addr].grow(delta, limit);
            stack.push_i32(old.map_or(-1, |pages| pages as i32));
        }
        Op::MemoryFill { .. } => {
            let len = stack.pop_i32();
            let value = stack.pop_i32();
            let dst = stack.pop_i32();
            let addr = inst!().memories[0] as usize;
            let data = &mut store.inner.memories[addr].data;
            let dst = range(dst, len, data.len(), TrapCode::MemoryOutOfBounds)?;
            data[dst].fill(value as u8);
        }
        Op::MemoryCopy { .. } => {
            let len = stack.pop_i32();
            let src = stack.pop_i32();
            let dst = stack.pop_i32();
            let addr = inst!().memories[0] as usize;
            let data = &mut store.inner.memories[addr].data;
            let src = range(src, len, data.len(), TrapCode::MemoryOutOfBounds)?;
            let dst = range(dst, len, data.len(), TrapCode::MemoryOutOfBounds)?;
            data.copy_within(src, dst.start);
        }
        Op::MemoryInit { dataidx, .. } => {
            let len = stack.pop_i32();
            let src = stack.pop_i32();
            let dst = stack.pop_i32();
            let segment = Arc::clone(&inst!().datas[*dataidx as usize]);
            let addr = inst!().memories[0] as usize;
            let data = &mut store.inner.memories[addr].data;
            let src = range(src, len, segment.len(), TrapCode::MemoryOutOfBounds)?;
            let dst = range(dst, len, data.len(), TrapCode::MemoryOutOfBounds)?;
            data[dst].copy_from_slice(&segment[src]);
        }
        Op::DataDrop { dataidx } => {
            inst!().datas[*dataidx as usize] = Arc::from(&[][..]);
        }
        Op::TableGet { tableidx } => {
            let index = stack.pop_i32() as u32 as usize;
            let table = inst!().tables[*tableidx as usize] as usize;
            match store.inner.tables[table].elements.get(index) {
                Some(&value) => stack.push_slot(value),
                None => return Err(TrapCode::TableOutOfBounds),
            }
        }
        Op::TableSet { tableidx } => {
            let value = stack.pop_slot();
            let index = stack.pop_i32() as u32 as usize;
            let table = inst!().tables[*tableidx as usize] as usize;
            match store.inner.tables[table].elements.get_mut(index) {
                Some(slot) => *slot = value,
                None => return Err(TrapCode::TableOutOfBounds),
            }
        }
        Op::TableSize { tableidx } => {
            let table = inst!().tables[*tableidx as usize] as usize;
            stack.push_i32(store.inner.tables[table].elements.len() as i32);
        }
        Op::TableGrow { tableidx } => {
            let delta = stack.pop_i32() as u32;
            let init = stack.pop_slot();
            let table = inst!().tables[*tableidx as usize] as usize;
            let limit = store.limits.max_table_elements;
            let old = store.inner.tables[table].grow(delta, init, limit);
            stack.push_i32(old.map_or(-1, |size| size as i32));
        }
        Op::TableFill { tableidx } => {
            let len = stack.pop_i32();
            let value = stack.pop_slot();
            let dst = stack.pop_i32();
            let table = inst!().tables[*tableidx as usize] as usize;
            let elements = &mut store.inner.tables[table].elements;
            let dst = range(dst, len, elements.len(), TrapCode::TableOutOfBounds)?;
            elements[dst].fill(value);
        }
        Op::TableCopy { dst, src } => {
            let len = stack.pop_i32();
            let src_start = stack.pop_i32();
            let dst_start = stack.pop_i32();
            let dst_table = inst!().tables[*dst as usize] as usize;
            let src_table = inst!().tables[*src as usize] as usize;
            let tables = &mut store.inner.tables;
            let src_range = range(
                src_start,
                len,
                tables[src_table].elements.len(),
                TrapCode::TableOutOfBounds,
            )?;
            let dst_range = range(
                dst_start,
                len,
                tables[dst_table].elements.len(),
                TrapCode::TableOutOfBounds,
            )?;
            if dst_table == src_table {
                tables[dst_table]
                    .elements
                    .copy_within(src_range, dst_range.start);
            } else {
                let items: Vec<u64> = tables[src_table].elements[src_range].to_vec();
                tables[dst_table].elements[dst_range].copy_from_slice(&items);
            }
        }
        Op::TableInit { elemidx, tableidx } => {
            let len = stack.pop_i32();
            let src = stack.pop_i32();
            let dst = stack.pop_i32();
            let table = inst!().tables[*tableidx as usize] as usize;
            let segment = &store.inner.instances[instance].elems[*elemidx as usize];
            let src = range(src, len, segment.len(), TrapCode::TableOutOfBounds)?;
            let elements = &mut store.inner.tables[table].elements;
            let dst = range(dst, len, elements.len(), TrapCode::TableOutOfBounds)?;
            elements[dst].copy_from_slice(&segment[src]);
        }
        Op::ElemDrop { elemidx } => {
            inst!().elems[*elemidx as usize] = Vec::new();
        }
        Op::RefFunc { funcidx } => {
            let addr = inst!().funcs[*funcidx as usize];
            stack.push_slot(u64::from(addr) + 1);
        }
        Op::CallIndirect { typeidx, tableidx } => {
            // Only the checks: the caller enters the function.
            let index = stack.pop_i32() as u32 as usize;
            let table = inst!().tables[*tableidx as usize];
            let expected = inst!().type_ids[*typeidx as usize];
            let element = match store.inner.tables[table as usize].elements.get(index) {
                Some(&element) => element,
                None => return Err(TrapCode::UndefinedElement),
            };
            if element == 0 {
                return Err(TrapCode::UninitializedElement);
            }
            let addr = (element - 1) as u32;
            if store.inner.funcs[addr as usize].type_id() != expected {
                return Err(TrapCode::IndirectCallTypeMismatch);
            }
            // Hand the callee's address over in the slot the index took.
            stack.push_slot(u64::from(addr));
        }
        _ => unreachable!("{op} is not a store op"),
    }
    Ok(stack.sp)
}

/// Why the hot loop of `run` stopped: the ops that need calls. Every arm of
/// the loop's match breaks with a constant variant, so the compiler can send
/// each one straight to its handler instead of matching the op a second time.
#[derive(Clone, Copy)]
enum Slow {
    /// A return into a function of another instance: reload the memory view.
    NewInstance,
    Call,
    CallIndirect,
    CheckInterrupt,
    SelectV128,
    MemoryGrow,
    /// The other ops `run_store_op` runs.
    Store,
    /// A row that touches `v128`, run by `execute_vector_op`.
    Vector,
}

/// Runs function `entry` of `instance` until it returns.
///
/// # Safety
/// `stack.sp` must point just past the entry function's arguments inside the
/// store's stack storage, which ends at `stack_end`.
#[allow(clippy::too_many_arguments)]
unsafe fn run<T, R: Tracer>(
    store: &mut Store<T>,
    entry: u32,
    entry_instance: u32,
    mut stack: ValueStack,
    stack_end: *mut u64,
    max_depth: usize,
    tracer: &mut R,
) -> Result<(), Trap> {
    let func: *const CompiledFunc = match store.inner.funcs[entry as usize].compiled() {
        Some(f) => f,
        None => unreachable!("invoke handles host functions"),
    };
    let depth_base = store.inner.depth + 1;
    if depth_base > max_depth {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    let mut fp = stack.sp.sub((*func).param_slots as usize);
    if fp.add((*func).frame_slots()) > stack_end {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    core::ptr::write_bytes(stack.sp, 0, (*func).local_slots as usize);
    stack.sp = stack.sp.add((*func).local_slots as usize);
    let mut ip: *const Op = (*func).code.as_ptr();
    let mut cold = Cold {
        store,
        frames: Vec::new(),
        func,
        instance: entry_instance,
        depth_base,
        max_depth,
        stack_end,
    };
    let cx = &mut cold;
    let mut mem = cx.memory_view();

    macro_rules! trap {
        ($code:expr) => {
            return Err(trap_at(cx, ip, $code))
        };
    }
    macro_rules! check {
        ($result:expr) => {
            match $result {
                Ok(value) => value,
                Err(code) => trap!(code),
            }
        };
    }
    // Enters store function `addr` whose arguments are on the stack.
    macro_rules! call {
        ($addr:expr) => {{
            let addr = $addr;
            let (callee, callee_instance) = match cx.store.inner.funcs[addr as usize] {
                FuncEntity::Wasm {
                    ref module,
                    index,
                    instance: callee_instance,
                    ..
                } => (
                    &module.funcs[index as usize] as *const CompiledFunc,
                    callee_instance,
                ),
                FuncEntity::Host { host, type_id } => {
                    stack.sp = call_host_from_wasm(cx, ip, stack.sp, host, type_id)?;
                    mem = cx.memory_view();
                    continue;
                }
            };
            if cx.depth_base + cx.frames.len() >= cx.max_depth {
                trap!(TrapCode::CallStackExhausted);
            }
            let callee_ref = &*callee;
            let new_fp = stack.sp.sub(callee_ref.param_slots as usize);
            if new_fp.add(callee_ref.frame_slots()) > cx.stack_end {
                trap!(TrapCode::CallStackExhausted);
            }
            core::ptr::write_bytes(stack.sp, 0, callee_ref.local_slots as usize);
            stack.sp = stack.sp.add(callee_ref.local_slots as usize);
            cx.frames.push(Frame {
                ret_ip: ip,
                fp,
                func: cx.func,
                instance: cx.instance,
            });
            fp = new_fp;
            cx.func = callee;
            ip = callee_ref.code.as_ptr();
            if callee_instance != cx.instance {
                cx.instance = callee_instance;
                mem = cx.memory_view();
            }
        }};
    }
    macro_rules! branch {
        ($target:expr) => {
            ip = (*cx.func).code.as_ptr().add($target as usize)
        };
    }
    // Keeps the top `keep` slots, removing the `drop` slots below them.
    macro_rules! adjust {
        ($drop:expr, $keep:expr) => {{
            let keep = $keep as usize;
            let src = stack.sp.sub(keep);
            let dst = src.sub($drop as usize);
            core::ptr::copy(src, dst, keep);
            stack.sp = dst.add(keep);
        }};
    }

    loop {
        // The hot loop makes no calls on its usual paths, so `ip`, `sp`, `fp`
        // and the memory view stay in registers; ops that need calls break
        // out to the slower code below it and come back.
        let slow = loop {
            let op = &*ip;
            ip = ip.add(1);
            // Table ops are traced with their operands by the generated code.
            if R::ENABLED && !op.runs_from_table() {
                tracer.record(op, &[], &[]);
            }
            table_dispatch! { match op {
                stack: stack,
                memory: mem,
                tracer: tracer,
                tracing: R::ENABLED,
                check: check,
                Op::LocalGet { slot } => stack.push_slot(fp.add(*slot as usize).read()),
                Op::LocalSet { slot } => fp.add(*slot as usize).write(stack.pop_slot()),
                Op::LocalTee { slot } => fp.add(*slot as usize).write(stack.sp.sub(1).read()),
                Op::DropSlots { slots } => stack.sp = stack.sp.sub(*slots as usize),
                Op::Select => {
                    let condition = stack.pop_i32();
                    let second = stack.pop_slot();
                    if condition == 0 {
                        stack.sp.sub(1).write(second);
                    }
                }
                Op::Br { target } => branch!(*target),
                Op::BrAdjust { target, drop, keep } => {
                    adjust!(*drop, *keep);
                    branch!(*target);
                }
                Op::BrIf { target } => {
                    if stack.pop_i32() != 0 {
                        branch!(*target);
                    }
                }
                Op::BrIfAdjust { target, drop, keep } => {
                    if stack.pop_i32() != 0 {
                        adjust!(*drop, *keep);
                        branch!(*target);
                    }
                }
                Op::BrUnless { target } => {
                    if stack.pop_i32() == 0 {
                        branch!(*target);
                    }
                }
                Op::BrTable { first, len } => {
                    let index = stack.pop_i32() as u32;
                    let chosen = index.min(len - 1);
                    let target = (*cx.func).branch_targets[(first + chosen) as usize];
                    if target.drop != 0 {
                        adjust!(target.drop, target.keep);
                    }
                    branch!(target.target);
                }
                Op::ConsumeFuel { amount } => {
                    let amount = u64::from(*amount);
                    let fuel = &mut cx.store.inner.fuel;
                    if *fuel < amount {
                        trap!(TrapCode::OutOfFuel);
                    }
                    *fuel -= amount;
                }
                Op::Return { results } => {
                    let results = *results as usize;
                    core::ptr::copy(stack.sp.sub(results), fp, results);
                    stack.sp = fp.add(results);
                    match cx.frames.pop() {
                        None => return Ok(()),
                        Some(frame) => {
                            ip = frame.ret_ip;
                            fp = frame.fp;
                            cx.func = frame.func;
                            if frame.instance != cx.instance {
                                cx.instance = frame.instance;
                                break Slow::NewInstance;
                            }
                        }
                    }
                }
                Op::GlobalGet { globalidx } => {
                    let inner = &cx.store.inner;
                    let addr = inner.instances[cx.instance as usize].globals[*globalidx as usize];
                    let global = &inner.globals[addr as usize];
                    if global.ty.content == ValType::V128 {
                        stack.push_v128(global.value);
                    } else {
                        stack.push_slot(global.value as u64);
                    }
                }
                Op::GlobalSet { globalidx } => {
                    let inner = &mut cx.store.inner;
                    let addr = inner.instances[cx.instance as usize].globals[*globalidx as usize];
                    let global = &mut inner.globals[addr as usize];
                    global.value = if global.ty.content == ValType::V128 {
                        stack.pop_v128()
                    } else {
                        u128::from(stack.pop_slot())
                    };
                }
                Op::RefNull { .. } => stack.push_slot(0),
                Op::RefIsNull => {
                    let value = stack.pop_slot();
                    stack.push_i32(i32::from(value == 0));
                }
                // Each op that needs calls leaves with its own constant
                // `Slow`, so every path into the code below is a direct jump
                // from this match's one jump table.
                Op::Call { .. } => break Slow::Call,
                Op::CallIndirect { .. } => break Slow::CallIndirect,
                Op::CheckInterrupt => break Slow::CheckInterrupt,
                Op::SelectV128 => break Slow::SelectV128,
                Op::MemoryGrow { .. } => break Slow::MemoryGrow,
                Op::MemorySize { .. }
                | Op::MemoryFill { .. }
                | Op::MemoryCopy { .. }
                | Op::MemoryInit { .. }
                | Op::DataDrop { .. }
                | Op::TableGet { .. }
                | Op::TableSet { .. }
                | Op::TableSize { .. }
                | Op::TableGrow { .. }
                | Op::TableFill { .. }
                | Op::TableCopy { .. }
                | Op::TableInit { .. }
                | Op::ElemDrop { .. }
                | Op::RefFunc { .. } => break Slow::Store,
                // The rows that touch `v128`.
                _ => break Slow::Vector,
            }}
        };
        // The op the loop broke on (for `NewInstance`, the caller's `call`).
        // SAFETY: every `Slow` but `NewInstance` breaks right after `ip`
        // stepped past its op in the running function's code; `NewInstance`
        // sets `ip` to a return address, one past a call op in the caller's
        // code. The store keeps that code alive.
        let op = &*ip.sub(1);
        match slow {
            Slow::NewInstance => mem = cx.memory_view(),
            Slow::Call => {
                let Op::Call { funcidx } = op else {
                    unreachable!("{op} is not a call")
                };
                call!(cx.inst().funcs[*funcidx as usize])
            }
            Slow::CallIndirect => {
                // The checks leave the callee's address on top of the stack.
                stack.sp = check!(run_store_op(cx, op, stack.sp));
                call!(stack.pop_slot() as u32)
            }
            Slow::CheckInterrupt => {
                // Cleared as it fires, so the store can run again afterwards.
                if cx.store.inner.interrupt.swap(false, Ordering::Relaxed) {
                    trap!(TrapCode::Interrupted);
                }
            }
            Slow::SelectV128 => {
                let condition = stack.pop_i32();
                let second = stack.pop_v128();
                if condition == 0 {
                    stack.pop_v128();
                    stack.push_v128(second);
                }
            }
            Slow::MemoryGrow => {
                stack.sp = check!(run_store_op(cx, op, stack.sp));
                mem = cx.memory_view();
            }
            Slow::Store => stack.sp = check!(run_store_op(cx, op, stack.sp)),
            Slow::Vector => stack.sp = check!(execute_vector_op(op, stack.sp, mem, tracer)),
        }
    }
}
