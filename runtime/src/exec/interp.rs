//! The execution context handlers share, and what it takes to leave and
//! re-enter compiled code: why it stopped, and the backtrace of a trap.
//!
//! A wasm call pushes a [`Frame`] on the context's frame stack and jumps to
//! the callee's first handler; a return pops it. A tail call pushes nothing:
//! the callee takes over the running frame. There is no native recursion
//! per wasm call, so depth is bounded by `Config::max_call_depth` and the
//! value stack, never by the host's stack. Handlers cannot name the store's
//! host-data type, so a call to a host function leaves the code
//! ([`Exit::HostCall`]); `api::call` makes the call and resumes the code.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ptr::NonNull;
use core::sync::atomic::Ordering;

use super::dispatch::Ip;
use super::stack::StackStorage;
use super::store::{GlobalEntity, StoreInner};
use super::trace::{TraceEvent, Tracer};
use super::trap::{BacktraceFrame, TrapCode};
use crate::ir::{CompiledFunc, CompiledModule};

/// Where to resume a caller: two words, so a call stores little. Which
/// function a frame belongs to is found from its return address when a
/// backtrace needs it.
pub(crate) struct Frame {
    /// The instruction after the call; its lowest bit (code is word-aligned)
    /// is set when the call switched instance, and the caller's instance is
    /// then on `Ctx::switched`.
    pub(crate) ret_ip: Ip,
    /// The caller's frame.
    pub(crate) fp: *mut u64,
}

/// Why the code stopped running.
pub(crate) enum Exit {
    /// The entry function returned.
    Returned,
    /// A handler trapped at `ip`.
    Trap { code: TrapCode, ip: Ip },
    /// Exception `exn` (a store index), thrown at `ip`, unwound every wasm
    /// frame of this call without being caught.
    Exception { exn: u32, ip: Ip },
    /// The instruction at `ip` calls host function `addr` with the arguments
    /// at `base`; the code resumes at `resume` in frame `fp`. `tail`: the
    /// instruction is a tail call, so the host function runs in place of
    /// the frame and the frame's `try_table`s do not catch its exceptions.
    HostCall {
        addr: u32,
        base: *mut u64,
        ip: Ip,
        resume: Ip,
        fp: *mut u64,
        tail: bool,
    },
}

/// What handlers reach through their context pointer: the store, the running
/// function and instance (with pointers into it cached for the hot handlers),
/// the frame stack and the limits.
pub(crate) struct Ctx {
    pub(crate) inner: *mut StoreInner,
    /// The running instance.
    pub(crate) instance: u32,
    /// Instances to return to, one per live frame that switched instance.
    pub(crate) switched: Vec<u32>,
    /// The instance's module (for calls inside it).
    pub(crate) module: *const CompiledModule,
    /// The instance's function index space, as store addresses.
    pub(crate) inst_funcs: *const u32,
    /// The instance's global index space, as store addresses.
    pub(crate) inst_globals: *const u32,
    /// The value of the instance's global 0 (C's stack pointer), if any.
    pub(crate) global0: *mut u128,
    /// The module's functions (for calls inside it).
    pub(crate) funcs: *const crate::ir::LazyFunc,
    /// The store's globals.
    pub(crate) globals: *mut GlobalEntity,
    /// Callers of the running function, innermost last.
    pub(crate) frames: Vec<Frame>,
    /// Most frames this call may push.
    pub(crate) max_frames: usize,
    /// Frames that fit without growing `frames`: its capacity, at most
    /// `max_frames`. A call checks only this.
    pub(crate) frame_room: usize,
    /// One past the last slot of the value stack.
    pub(crate) stack_end: *mut u64,
    pub(crate) exit: Exit,
    /// Receives trace events while the call runs.
    pub(crate) tracer: Option<NonNull<dyn Tracer>>,
    /// Handlers run so far (measuring builds only).
    #[cfg(feature = "dispatch-counts")]
    pub(crate) dispatches: u64,
}

impl Ctx {
    /// Rebases the frames' pointers and `stack_end` after the value stack
    /// `storage` moved from `old_base` (its slot 0 then).
    pub(crate) fn stack_moved(&mut self, storage: &mut StackStorage, old_base: *mut u64) {
        for frame in &mut self.frames {
            frame.fp = storage.rebase(frame.fp, old_base);
        }
        let len = storage.len();
        self.stack_end = storage.base().wrapping_add(len);
    }
}

/// Re-reads what the context caches about the running instance and returns
/// its memory 0 (base, length). Needed after anything that may move store
/// data: a host call, `memory.grow`, a switch of instance.
///
/// # Safety
/// `cx` must be a live context whose `inner` and `instance` are valid.
pub(crate) unsafe fn refresh(cx: *mut Ctx) -> (*mut u8, usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let cx = &mut *cx;
        let inner = &mut *cx.inner;
        let inst = &inner.instances[cx.instance as usize];
        cx.module = Arc::as_ptr(&inst.module);
        cx.funcs = inst.module.funcs.as_ptr();
        cx.inst_funcs = inst.funcs.as_ptr();
        cx.inst_globals = inst.globals.as_ptr();
        cx.globals = inner.globals.as_mut_ptr();
        cx.global0 = match inst.globals.first() {
            Some(&addr) => &raw mut inner.globals[addr as usize].value,
            None => core::ptr::null_mut(),
        };
        match inst.memories.first() {
            Some(&addr) => {
                let memory = &mut inner.memories[addr as usize];
                (memory.data.as_mut_ptr(), memory.data.len())
            }
            None => (NonNull::dangling().as_ptr(), 0),
        }
    }
}

/// Reports the instruction at `ip`, in defined function `defined` of the
/// running module, to the tracer.
///
/// # Safety
/// `cx` must be live and `ip` inside that function's code.
#[cold]
#[inline(never)]
pub(crate) unsafe fn trace_at(cx: *mut Ctx, ip: Ip, defined: u32) {
    // SAFETY: the caller's contract; the store keeps every module alive, and
    // the running function is translated.
    unsafe {
        let cx = &mut *cx;
        let Some(mut tracer) = cx.tracer else { return };
        let module = &*cx.module;
        let func = &*module.funcs[defined as usize].get();
        let offset = func.wasm_offset(ip, false);
        let bytes = &module.module.bytes;
        let mut reader =
            crate::binary::Reader::with_base(&bytes[offset as usize..], offset as usize);
        // Every instruction Tabula implements: the module was validated
        // under its own features already.
        let text = match crate::binary::Instruction::decode(&mut reader, &crate::Features::wasm3())
        {
            Ok(instruction) => alloc::format!("{instruction}"),
            Err(_) => alloc::string::String::from("?"),
        };
        tracer.as_mut().record(&TraceEvent {
            func_index: func.func_index,
            func_name: module.func_name(func.func_index),
            offset,
            instruction: &text,
        });
    }
}

/// The innermost `max` of the live frames, innermost (the one at `ip`)
/// first, and how many outer frames were left out: the memory taken is
/// bounded by `max`, not by the call depth. Each frame's function is found
/// from its code address, among the translated functions of the store's
/// modules.
pub(crate) fn backtrace(
    inner: &StoreInner,
    cx: &Ctx,
    ip: Ip,
    max: usize,
) -> (Vec<BacktraceFrame>, usize) {
    let live = cx.frames.len() + 1;
    if max == 0 {
        return (Vec::new(), live);
    }
    // (first word, one past the last, function, module) of all code.
    let mut code: Vec<(usize, usize, &CompiledFunc, &CompiledModule)> = Vec::new();
    let mut seen: Vec<*const CompiledModule> = Vec::new();
    for instance in &inner.instances {
        let module: &CompiledModule = &instance.module;
        if seen.contains(&(module as *const CompiledModule)) {
            continue;
        }
        seen.push(module);
        for lazy in module.funcs.iter() {
            let func = lazy.get();
            if !func.is_null() {
                // SAFETY: translated code lives as long as its module.
                let func = unsafe { &*func };
                let start = func.code.as_ptr() as usize;
                code.push((start, start + func.code.len() * 8, func, module));
            }
        }
    }
    code.sort_unstable_by_key(|entry| entry.0);
    let frame_info = |ip: Ip, return_address: bool| {
        let address = ip as usize & !1;
        let index = code.partition_point(|entry| entry.0 <= address);
        let (_, end, func, module) = *code.get(index.checked_sub(1)?)?;
        (address <= end).then(|| BacktraceFrame {
            func_index: func.func_index,
            func_name: module.func_name(func.func_index).map(Into::into),
            offset: func.wasm_offset(address as Ip, return_address),
        })
    };
    let mut out: Vec<BacktraceFrame> = frame_info(ip, false).into_iter().collect();
    for frame in cx.frames.iter().rev().take(max - 1) {
        out.extend(frame_info(frame.ret_ip, true));
    }
    (out, live.saturating_sub(max))
}

/// Unwinds exception `exn` (a store index) thrown at `ip` in frame `fp`
/// (or, if `skip_frame`, by a tail callee that replaced that frame): walks
/// the frames from the innermost, looking in each one's `try_table`
/// handler table for a catch clause that takes it. When one does, the
/// frames above it are popped, the clause's values are written where its
/// label expects them, and the landing pad's address and the frame are
/// returned; the caller must then refresh the instance caches. `None`: no
/// frame caught it, and every frame was popped.
///
/// Only the unwinder reads the handler tables, so calls and returns pay
/// nothing for them. A frame's function is found from its code address
/// among its module's translated functions that have a handler table (a
/// linear search, skipped for modules without any `try_table`).
///
/// # Safety
/// `cx` must be live, `ip` an instruction (not a return address) of the
/// running function and `fp` its frame.
#[cold]
#[inline(never)]
pub(crate) unsafe fn unwind(
    cx: *mut Ctx,
    mut ip: Ip,
    mut fp: *mut u64,
    exn: u32,
    skip_frame: bool,
) -> Option<(Ip, *mut u64)> {
    // SAFETY: the caller's contract; frames hold return addresses into
    // translated code, which lives as long as the store's modules.
    unsafe {
        let cx = &mut *cx;
        let inner = &mut *cx.inner;
        let tag = inner.exns[exn as usize].tag;
        let mut instance = cx.instance;
        let mut return_address = false;
        let mut search = !skip_frame;
        loop {
            let inst = &inner.instances[instance as usize];
            let address = ip as usize - if return_address { 8 } else { 0 };
            let searched = search && inst.module.has_handlers.load(Ordering::Acquire);
            let func = searched.then(|| {
                inst.module.funcs.iter().find_map(|lazy| {
                    let func = lazy.get();
                    if func.is_null() {
                        return None;
                    }
                    let func = &*func;
                    let start = func.code.as_ptr() as usize;
                    let inside = (start..start + func.code.len() * 8).contains(&address);
                    (inside && !func.handlers.is_empty()).then_some(func)
                })
            });
            if let Some(func) = func.flatten() {
                let word = ((address - func.code.as_ptr() as usize) / 8) as u32;
                for handler in func.handlers.iter() {
                    if !(handler.start..handler.end).contains(&word) {
                        continue;
                    }
                    for catch in handler.catches.iter() {
                        if catch.kind.has_tag() && inst.tags[catch.tag as usize] != tag {
                            continue;
                        }
                        let mut dst = fp.add(catch.dst as usize);
                        let entity = &mut inner.exns[exn as usize];
                        if catch.kind.has_tag() {
                            let payload = &entity.payload;
                            core::ptr::copy_nonoverlapping(payload.as_ptr(), dst, payload.len());
                            dst = dst.add(payload.len());
                        }
                        if catch.kind.pushes_ref() {
                            entity.exposed = true;
                            dst.write(u64::from(exn) + 1);
                        } else {
                            inner.release_exn(exn);
                        }
                        cx.instance = instance;
                        return Some((func.code.as_ptr().add(catch.target as usize), fp));
                    }
                }
            }
            let frame = cx.frames.pop()?;
            if frame.ret_ip as usize & 1 != 0 {
                ip = frame.ret_ip.cast::<u8>().sub(1).cast();
                instance = cx.switched.pop().expect("pushed with the frame");
            } else {
                ip = frame.ret_ip;
            }
            fp = frame.fp;
            return_address = true;
            search = true;
        }
    }
}
