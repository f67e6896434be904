//! Calling wasm from the host: arguments onto the value stack, the code run
//! until it returns, traps, or asks for a host function, and the results
//! read back.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ptr::NonNull;

use super::{Caller, ExnRef, Store, Tag, ThrownException, Val};
use crate::exec::dispatch::{run_code, Ip};
use crate::exec::interp::{backtrace, refresh, unwind, Ctx, Exit};
use crate::exec::stack::StackStorage;
use crate::exec::store::{FuncEntity, Suspended};
use crate::exec::trace::Tracer;
use crate::exec::{Trap, TrapCode};
use crate::ir::CompiledFunc;
use crate::types::ValType;

/// Calls function `addr` of the store with `args` (already type-checked).
pub(crate) fn invoke<T>(
    store: &mut Store<T>,
    addr: u32,
    args: &[Val],
    tracer: Option<&mut dyn Tracer>,
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
    let start = store.inner.stack_top;
    let arg_slots: usize = args.iter().map(|a| a.ty().slots() as usize).sum();
    if !storage.reserve(start + arg_slots) {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    let base = storage.base();
    // SAFETY: `start + arg_slots` slots were reserved above.
    let mut cursor = unsafe { base.add(start) };
    for arg in args {
        // SAFETY: the arguments fit, as checked above.
        cursor = unsafe { arg.write_to(cursor) };
    }
    let saved_top = store.inner.stack_top;
    let saved_depth = store.inner.depth;
    // SAFETY: the arguments are at slot `start` of the stack storage.
    let outcome = unsafe { run(store, addr, instance, start, max_call_depth, tracer) };
    store.inner.stack_top = saved_top;
    store.inner.depth = saved_depth;
    outcome?;
    // The results sit where the arguments were (the stack may have moved).
    let mut results = Vec::with_capacity(result_types.len());
    let base = store.inner.stack.as_mut().expect("allocated above").base();
    // SAFETY: `run` returned normally, so the results are at `start`.
    let mut cursor = unsafe { base.add(start) };
    for ty in result_types {
        // SAFETY: the callee's type promises one value of `ty` here.
        unsafe {
            results.push(Val::read_from(ty, cursor, &mut store.inner));
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
    let mut results: Vec<Val> = (ty.results().iter())
        .map(|t| Val::default_with(*t, &store.inner.types))
        .collect();
    let func = Arc::clone(&store.hosts[host as usize]);
    func(Caller::new(store, instance), args, &mut results)?;
    for (value, ty) in results.iter().zip(ty.results()) {
        if value.check_store(store.inner.id).is_err() {
            return Err(Trap::host(
                "host function returned a reference from another store",
            ));
        }
        if !value.fits(*ty, &store.inner) {
            return Err(Trap::host(alloc::format!(
                "host function returned {} where {ty} was expected",
                value.ty()
            )));
        }
    }
    Ok(results)
}

/// The trap for exception `exn` (a store index) that no frame caught. It
/// escapes to the host, so its entry is never reused.
fn uncaught(inner: &mut crate::exec::store::StoreInner, exn: u32) -> Trap {
    let entity = &mut inner.exns[exn as usize];
    entity.exposed = true;
    let store = inner.id;
    let tag = entity.tag;
    let bits = entity.payload.clone();
    let ty = inner.types.get_shared(inner.tags[tag as usize].type_id);
    let mut payload = Vec::with_capacity(ty.params().len());
    let mut cursor = bits.as_ptr();
    for param in ty.params() {
        // SAFETY: the payload holds one value of each parameter type.
        unsafe {
            payload.push(Val::read_from(*param, cursor, inner));
            cursor = cursor.add(param.slots() as usize);
        }
    }
    let exception = ThrownException {
        tag: Tag { store, index: tag },
        payload,
        exn: ExnRef { store, index: exn },
    };
    Trap {
        host_error: Some(Arc::new(exception)),
        ..Trap::new(TrapCode::UncaughtException)
    }
}

/// Runs function `entry` of `instance`, whose arguments are at slot `start`
/// of the store's value stack, until it returns, making the host calls it
/// asks for.
///
/// # Safety
/// The store's stack must be allocated and hold the entry function's
/// arguments at slot `start`.
unsafe fn run<T>(
    store: &mut Store<T>,
    entry: u32,
    instance: u32,
    start: usize,
    max_depth: usize,
    tracer: Option<&mut dyn Tracer>,
) -> Result<(), Trap> {
    let func: *const CompiledFunc = match &store.inner.funcs[entry as usize] {
        FuncEntity::Wasm { module, index, .. } => module.func(*index),
        FuncEntity::Host { .. } => unreachable!("invoke handles host functions"),
    };
    let depth_base = store.inner.depth + 1;
    if depth_base > max_depth {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    // SAFETY: `func` points into a module the store keeps alive.
    let callee = unsafe { &*func };
    let max_backtrace = store.engine.config().max_backtrace_frames;
    store.install_limiter();
    let storage = store.inner.stack.as_mut().expect("allocated by the caller");
    if !storage.reserve(start + callee.frame_slots as usize) {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    let stack_len = storage.len();
    let base = storage.base();
    // SAFETY: the frame fits, as reserved above.
    let (fp, stack_end) = unsafe { (base.add(start), base.add(stack_len)) };
    // SAFETY: the frame fits, as reserved above.
    unsafe {
        core::ptr::write_bytes(
            fp.add(callee.param_slots as usize),
            0,
            callee.local_slots as usize,
        )
    };
    // The tracer outlives this call; the context drops it before returning.
    let tracer = tracer.map(|t| {
        // SAFETY: only the lifetime changes, and `cx` does not outlive `t`.
        NonNull::from(unsafe { core::mem::transmute::<&mut dyn Tracer, &mut dyn Tracer>(t) })
    });
    let mut cx = Ctx {
        inner: &mut store.inner,
        instance,
        switched: Vec::new(),
        module: core::ptr::null(),
        inst_funcs: core::ptr::null(),
        inst_globals: core::ptr::null(),
        global0: core::ptr::null_mut(),
        funcs: core::ptr::null(),
        globals: core::ptr::null_mut(),
        frames: core::mem::take(&mut store.inner.spare_frames.0),
        max_frames: max_depth - depth_base,
        frame_room: 0,
        stack_end,
        exit: Exit::Returned,
        tracer,
        #[cfg(feature = "dispatch-counts")]
        dispatches: 0,
    };
    let mut ip: Ip = callee.code.as_ptr();
    let mut fp = fp;
    loop {
        // SAFETY: `cx` is live; `ip` is code of the function whose frame is `fp`.
        unsafe {
            let (mem, mem_len) = refresh(&mut cx);
            cx.exit = Exit::Returned;
            run_code(ip, fp, mem, mem_len, &mut cx);
        }
        #[cfg(feature = "dispatch-counts")]
        {
            store.inner.dispatches += core::mem::take(&mut cx.dispatches);
        }
        match cx.exit {
            Exit::Returned => {
                store
                    .inner
                    .spare_frames
                    .keep(core::mem::take(&mut cx.frames));
                return Ok(());
            }
            Exit::Trap { code, ip } => {
                // A limiter's trap carries the embedder's error.
                let mut trap = match store.inner.limiter_trap.take() {
                    Some(trap) if code == TrapCode::HostError => trap,
                    _ => Trap::new(code),
                };
                trap.set_backtrace(backtrace(&store.inner, &cx, ip, max_backtrace));
                store
                    .inner
                    .spare_frames
                    .keep(core::mem::take(&mut cx.frames));
                return Err(trap);
            }
            Exit::Exception { exn, ip } => {
                let mut trap = uncaught(&mut store.inner, exn);
                trap.set_backtrace(backtrace(&store.inner, &cx, ip, max_backtrace));
                store
                    .inner
                    .spare_frames
                    .keep(core::mem::take(&mut cx.frames));
                return Err(trap);
            }
            Exit::HostCall {
                addr,
                base,
                ip: call_ip,
                resume,
                fp: caller_fp,
                tail,
            } => {
                let FuncEntity::Host { host, type_id } = store.inner.funcs[addr as usize] else {
                    unreachable!("only host functions leave the code")
                };
                let ty = store.inner.types.get_shared(type_id);
                let mut args = Vec::with_capacity(ty.params().len());
                let mut cursor = base;
                for param in ty.params() {
                    // SAFETY: validation put one argument of each type here.
                    unsafe {
                        args.push(Val::read_from(*param, cursor, &mut store.inner));
                        cursor = cursor.add(param.slots() as usize);
                    }
                }
                // Nested wasm calls from the host start above everything live.
                let live = ty.param_slots().max(ty.result_slots()) as usize;
                let storage = store.inner.stack.as_mut().expect("allocated");
                // SAFETY: `base` points into the stack storage.
                store.inner.stack_top = unsafe { base.offset_from(storage.base()) } as usize + live;
                store.inner.depth = depth_base + cx.frames.len();
                let stack_before = storage.base();
                // A collection during the host call (in a nested wasm call)
                // scans this call's frames too.
                store.inner.suspended.push(Suspended {
                    cx: &cx,
                    resume,
                    fp: caller_fp,
                    tail,
                    stack_base: stack_before,
                });
                let outcome = call_host(store, host, type_id, Some(cx.instance), &args);
                store.inner.suspended.pop();
                // The host may have made nested calls, which leave their own
                // hook behind: this store's is the same, but reinstall it.
                store.install_limiter();
                // Nested calls may have grown (and so moved) the stack.
                let storage = store.inner.stack.as_mut().expect("allocated");
                let (base, caller_fp) = match storage.base() == stack_before {
                    true => (base, caller_fp),
                    false => {
                        cx.stack_moved(storage, stack_before);
                        (
                            storage.rebase(base, stack_before),
                            storage.rebase(caller_fp, stack_before),
                        )
                    }
                };
                cx.inner = &mut store.inner;
                let results = match outcome {
                    Ok(results) => results,
                    Err(trap) => {
                        // An exception of this store thrown through the host
                        // function unwinds on from the call.
                        let exn = trap
                            .exception()
                            .filter(|e| e.exn.store == store.inner.id)
                            .map(|e| e.exn.index);
                        if let Some(exn) = exn {
                            // SAFETY: `call_ip` is the call in frame `caller_fp`.
                            let found = unsafe { unwind(&mut cx, call_ip, caller_fp, exn, tail) };
                            if let Some(found) = found {
                                (ip, fp) = found;
                                continue;
                            }
                        }
                        let mut trap = trap;
                        trap.set_backtrace(backtrace(&store.inner, &cx, call_ip, max_backtrace));
                        store
                            .inner
                            .spare_frames
                            .keep(core::mem::take(&mut cx.frames));
                        return Err(trap);
                    }
                };
                let mut cursor = base;
                for value in &results {
                    // SAFETY: the results take the room the caller's frame
                    // reserved for them at `base`.
                    cursor = unsafe { value.write_to(cursor) };
                }
                ip = resume;
                fp = caller_fp;
            }
        }
    }
}
