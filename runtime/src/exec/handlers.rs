//! Every handler: the ones `opcodes.toml` generates, and the hand-written ones
//! for control flow, calls, variables, tables and the memory instructions
//! that need the store.
//!
//! Lane layouts (see `dispatch` for the encoding): a handler's doc comment
//! lists its lanes in order. Runtime rows put the result slot first, then
//! their operands' slots bottom to top, then their immediates in table order.

#[cfg(not(tabula_tail_calls))]
use super::dispatch::Next;
use super::dispatch::{exit, handler, next, trap};
use super::dispatch::{
    get, get_v128, lane, lane128, lane64, load, load_at, raise, set, set_v128, store, store_at,
    Cell, Handler, Ip,
};
use super::interp::{refresh, trace_at, unwind, Ctx, Exit, Frame};
use super::semantics;
use super::stack::RED_ZONE;
use super::store::FuncEntity;
use super::trap::TrapCode;
use crate::binary::Opcode;
use crate::ir::CompiledFunc;
use crate::types::ValType;

pub(crate) use super::objects::*;

opcodes_macro::handlers!("opcodes.toml");

/// Bounds-checks `[start, start + len)` against `size`.
#[inline]
fn range(start: u64, len: u64, size: usize) -> Option<core::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

/// Reads an address or size operand: `i64` if `wide` (a 64-bit memory's),
/// else `i32`, zero-extended.
///
/// # Safety
/// As for [`get`].
#[inline]
unsafe fn index_operand(fp: *mut u64, slot: u32, wide: bool) -> u64 {
    // SAFETY: the caller's contract.
    unsafe {
        match wide {
            true => get::<i64>(fp, slot) as u64,
            false => u64::from(get::<i32>(fp, slot) as u32),
        }
    }
}

/// Enters `callee` with its frame at slot `base` of the current one, to come
/// back to `ret`. When the value stack or the frame stack is full,
/// [`grow_stack`] or [`grow_frames`] grows it (or traps at its limit) and
/// runs the call again. The first four locals are zeroed with two stores (the stack's
/// red zone makes that safe for smaller frames); [`zero_locals`] does more.
macro_rules! enter {
    ($callee:expr, $base:expr, $ret:expr, $ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) => {{
        let callee: *const CompiledFunc = $callee;
        let new_fp = $fp.add($base as usize);
        if new_fp.add((*callee).frame_slots as usize) > (*$cx).stack_end {
            return grow_stack($ip, $fp, $mem, $len, $cx, $acc);
        }
        let frames = &mut (*$cx).frames;
        if frames.len() >= (*$cx).frame_room {
            return grow_frames($ip, $fp, $mem, $len, $cx, $acc);
        }
        // SAFETY: `len < frame_room <= capacity`.
        frames.as_mut_ptr().add(frames.len()).write(Frame {
            ret_ip: $ret,
            fp: $fp,
        });
        frames.set_len(frames.len() + 1);
        new_fp
            .add((*callee).param_slots as usize)
            .cast::<[u64; RED_ZONE / 2]>()
            .write_unaligned([0; RED_ZONE / 2]);
        if (*callee).local_slots as usize > RED_ZONE / 2 {
            // The accumulator is free across a call: it carries the callee.
            return zero_locals(
                (*callee).code.as_ptr(),
                new_fp,
                $mem,
                $len,
                $cx,
                callee as u64,
            );
        }
        next!((*callee).code.as_ptr(), new_fp, $mem, $len, $cx, $acc)
    }};
}

handler! {
    /// Zeroes the locals of the function just entered (whose address is in
    /// the accumulator; its frame is `fp`), then runs its first instruction.
    /// Not an instruction of its own.
    #[inline(never)]
    fn zero_locals(ip, fp, mem, mem_len, cx, acc) {
        let func = &*(acc as *const CompiledFunc);
        core::ptr::write_bytes(fp.add(func.param_slots as usize), 0, func.local_slots as usize);
        next!(ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Re-reads what the context caches about the instance it was just
    /// switched to (`cx.instance`), then runs the instruction at `ip`. Not an
    /// instruction of its own.
    #[inline(never)]
    fn switch_instance(ip, fp, mem, mem_len, cx, acc) {
        let (mem, mem_len) = refresh(cx);
        next!(ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Makes room for more frames (or traps at the depth limit), then runs
    /// the call at `ip` again. Not an instruction of its own.
    #[inline(never)]
    fn grow_frames(ip, fp, mem, mem_len, cx, acc) {
        let cx_ref = &mut *cx;
        let len = cx_ref.frames.len();
        if len >= cx_ref.max_frames {
            trap!(cx, ip, TrapCode::CallStackExhausted);
        }
        let wanted = (len * 2).max(64).min(cx_ref.max_frames);
        cx_ref.frames.reserve_exact(wanted - len);
        cx_ref.frame_room = cx_ref.frames.capacity().min(cx_ref.max_frames);
        next!(ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Makes the value stack larger (or traps at its maximum), moving it and
    /// every frame pointer into it, then runs the call at `ip` again (which
    /// comes back here until its frame fits). Not an instruction of its own.
    #[inline(never)]
    fn grow_stack(ip, fp, mem, mem_len, cx, acc) {
        let cx_ref = &mut *cx;
        let Some(storage) = (*cx_ref.inner).stack.as_mut() else {
            trap!(cx, ip, TrapCode::CallStackExhausted);
        };
        let old_base = storage.base();
        if !storage.reserve(storage.len() + 1) {
            trap!(cx, ip, TrapCode::CallStackExhausted);
        }
        let fp = storage.rebase(fp, old_base);
        cx_ref.stack_moved(storage, old_base);
        next!(ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Translates the callee of the `call_internal` or `return_call_internal`
    /// at `ip`, then runs the call. Not an instruction of its own.
    #[inline(never)]
    fn translate_callee(ip, fp, mem, mem_len, cx, acc) {
        (*(*cx).module).translate(lane(ip, 0));
        next!(ip, fp, mem, mem_len, cx, acc)
    }
}

/// Calls store function `addr` from the instruction at `ip`, of `words`
/// words, with arguments at slot `base`.
macro_rules! call_addr {
    ($addr:expr, $base:expr, $words:expr, $ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) => {{
        let addr: u32 = $addr;
        let ret = $ip.add($words);
        match &(&*(*$cx).inner).funcs[addr as usize] {
            FuncEntity::Wasm {
                module,
                index,
                instance,
                ..
            } => {
                let callee: *const CompiledFunc = module.func(*index);
                let instance = *instance;
                if instance != (*$cx).instance {
                    // As `enter!`, but the instance switches only once the
                    // checks pass (a retried call must still see the caller's
                    // instance), and the return address is tagged so the
                    // return switches back.
                    let new_fp = $fp.add($base as usize);
                    if new_fp.add((*callee).frame_slots as usize) > (*$cx).stack_end {
                        return grow_stack($ip, $fp, $mem, $len, $cx, $acc);
                    }
                    if (*$cx).frames.len() >= (*$cx).frame_room {
                        return grow_frames($ip, $fp, $mem, $len, $cx, $acc);
                    }
                    // The tagged return address sends the return through
                    // `switch_instance`.
                    (*$cx).frames.push(Frame {
                        ret_ip: ret.cast::<u8>().add(1).cast(),
                        fp: $fp,
                    });
                    (*$cx).switched.push((*$cx).instance);
                    core::ptr::write_bytes(
                        new_fp.add((*callee).param_slots as usize),
                        0,
                        (*callee).local_slots as usize,
                    );
                    (*$cx).instance = instance;
                    return switch_instance((*callee).code.as_ptr(), new_fp, $mem, $len, $cx, $acc);
                }
                enter!(callee, $base, ret, $ip, $fp, $mem, $len, $cx, $acc)
            }
            FuncEntity::Host { .. } => {
                (*$cx).exit = Exit::HostCall {
                    addr,
                    base: $fp.add($base as usize),
                    ip: $ip,
                    resume: ret,
                    fp: $fp,
                    tail: false,
                };
                exit!()
            }
        }
    }};
}

/// Tail-calls `callee` with its arguments at slot `base`: the callee's frame
/// replaces the running one at `fp`, so the frame stack does not grow and
/// the callee returns straight to this function's caller. The arguments
/// move down to slot 0 (the regions may overlap), then the locals are
/// zeroed as `enter!` does. `switch` is the callee's instance when it is not
/// the running one.
macro_rules! tail_enter {
    ($callee:expr, $base:expr, $switch:expr, $ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) => {{
        let callee: *const CompiledFunc = $callee;
        let switch: Option<u32> = $switch;
        // Checked before anything moves: a retried call must find its
        // arguments where they were.
        if $fp.add((*callee).frame_slots as usize) > (*$cx).stack_end {
            return grow_stack($ip, $fp, $mem, $len, $cx, $acc);
        }
        core::ptr::copy($fp.add($base as usize), $fp, (*callee).param_slots as usize);
        $fp.add((*callee).param_slots as usize)
            .cast::<[u64; RED_ZONE / 2]>()
            .write_unaligned([0; RED_ZONE / 2]);
        if (*callee).local_slots as usize > RED_ZONE / 2 {
            core::ptr::write_bytes(
                $fp.add((*callee).param_slots as usize),
                0,
                (*callee).local_slots as usize,
            );
        }
        if let Some(instance) = switch {
            tail_switch(&mut *$cx, instance);
            return switch_instance((*callee).code.as_ptr(), $fp, $mem, $len, $cx, $acc);
        }
        next!((*callee).code.as_ptr(), $fp, $mem, $len, $cx, $acc)
    }};
}

/// Before a tail call switches to `instance`: makes sure the return from
/// the running frame switches back to its caller's instance. A frame entered
/// without a switch gets its return address tagged and its caller's
/// instance (the running one) pushed, once; a tagged frame already has its
/// caller's instance on `switched`. The entry frame returns to the host,
/// which needs no instance.
#[cold]
#[inline(never)]
fn tail_switch(cx: &mut Ctx, instance: u32) {
    if let Some(frame) = cx.frames.last_mut() {
        if frame.ret_ip as usize & 1 == 0 {
            frame.ret_ip = frame.ret_ip.cast::<u8>().wrapping_add(1).cast();
            cx.switched.push(cx.instance);
        }
    }
    cx.instance = instance;
}

/// Tail-calls store function `addr` from the instruction at `ip`, of `words`
/// words and followed by a `ret`, with arguments at slot `base`. A host
/// callee gets its arguments at slot 0 and leaves its results there, and the
/// code resumes at the `ret`.
macro_rules! tail_call_addr {
    ($addr:expr, $base:expr, $words:expr, $ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) => {{
        let addr: u32 = $addr;
        let inner = &*(*$cx).inner;
        match &inner.funcs[addr as usize] {
            FuncEntity::Wasm {
                module,
                index,
                instance,
                ..
            } => {
                let callee: *const CompiledFunc = module.func(*index);
                let switch = (*instance != (*$cx).instance).then_some(*instance);
                tail_enter!(callee, $base, switch, $ip, $fp, $mem, $len, $cx, $acc)
            }
            FuncEntity::Host { type_id, .. } => {
                let params = inner.types.get(*type_id).param_slots() as usize;
                core::ptr::copy($fp.add($base as usize), $fp, params);
                (*$cx).exit = Exit::HostCall {
                    addr,
                    base: $fp,
                    ip: $ip,
                    resume: $ip.add($words),
                    fp: $fp,
                    tail: true,
                };
                exit!()
            }
        }
    }};
}

// ---- moves ----

handler! {
    /// Copies one slot. Lanes: dst, src.
    fn copy(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(fp.add(lane(ip, 1) as usize).read());
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Copies two slots (a `v128`). Lanes: dst, src.
    fn copy_v128(ip, fp, mem, mem_len, cx, acc) {
        set_v128(fp, lane(ip, 0), get_v128(fp, lane(ip, 1)));
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Stores a 32-bit constant, zero-extended. Lanes: dst, value.
    fn copy_imm32(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(u64::from(lane(ip, 1)));
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Stores a 64-bit constant. Lanes: dst, value (two lanes).
    fn copy_imm64(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(lane64(ip, 1));
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `select` of one-slot values. Lanes: dst, first, second, condition.
    fn select_s(ip, fp, mem, mem_len, cx, acc) {
        let chosen = if get::<i32>(fp, lane(ip, 3)) != 0 { lane(ip, 1) } else { lane(ip, 2) };
        fp.add(lane(ip, 0) as usize).write(fp.add(chosen as usize).read());
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `select` of one-slot values, the condition in the accumulator.
    /// Lanes: dst, first, second.
    fn select_a(ip, fp, mem, mem_len, cx, acc) {
        let chosen = if acc as u32 != 0 { lane(ip, 1) } else { lane(ip, 2) };
        fp.add(lane(ip, 0) as usize).write(fp.add(chosen as usize).read());
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `select` of `v128` values. Lanes: dst, first, second, condition.
    fn select_v128(ip, fp, mem, mem_len, cx, acc) {
        let chosen = if get::<i32>(fp, lane(ip, 3)) != 0 { lane(ip, 1) } else { lane(ip, 2) };
        set_v128(fp, lane(ip, 0), get_v128(fp, chosen));
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

// ---- branches ----

/// The instruction `lane(ip, k)` words away from `ip`.
#[inline(always)]
unsafe fn target(ip: Ip, k: usize) -> Ip {
    // SAFETY: the translator points every branch lane at an instruction of
    // the same function.
    unsafe { ip.offset(lane(ip, k) as i32 as isize) }
}

handler! {
    /// Jumps. Lanes: offset.
    fn br(ip, fp, mem, mem_len, cx, acc) {
        next!(target(ip, 0), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Jumps if a slot holds a non-zero i32. Lanes: condition, offset.
    fn br_nez_s(ip, fp, mem, mem_len, cx, acc) {
        if get::<i32>(fp, lane(ip, 0)) != 0 {
            next!(target(ip, 1), fp, mem, mem_len, cx, acc)
        }
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Jumps if a slot holds zero. Lanes: condition, offset.
    fn br_eqz_s(ip, fp, mem, mem_len, cx, acc) {
        if get::<i32>(fp, lane(ip, 0)) == 0 {
            next!(target(ip, 1), fp, mem, mem_len, cx, acc)
        }
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Jumps if the accumulator holds a non-zero i32. Lanes: offset.
    fn br_nez_a(ip, fp, mem, mem_len, cx, acc) {
        if acc as u32 != 0 {
            next!(target(ip, 0), fp, mem, mem_len, cx, acc)
        }
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Jumps if the accumulator holds zero. Lanes: offset.
    fn br_eqz_a(ip, fp, mem, mem_len, cx, acc) {
        if acc as u32 == 0 {
            next!(target(ip, 0), fp, mem, mem_len, cx, acc)
        }
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `br_table` on a slot. Lanes: index, count, then `count` offsets (the
    /// last is the default).
    fn br_table_s(ip, fp, mem, mem_len, cx, acc) {
        let count = lane(ip, 1);
        let index = (get::<i32>(fp, lane(ip, 0)) as u32).min(count - 1);
        next!(target(ip, 2 + index as usize), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `br_table` on the accumulator. Lanes: count, then `count` offsets.
    fn br_table_a(ip, fp, mem, mem_len, cx, acc) {
        let count = lane(ip, 0);
        let index = (acc as u32).min(count - 1);
        next!(target(ip, 1 + index as usize), fp, mem, mem_len, cx, acc)
    }
}

// ---- returns ----

/// Returns to the caller, or leaves the code if this is the entry function.
macro_rules! return_to_caller {
    ($fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) => {{
        match (*$cx).frames.pop() {
            Some(frame) => {
                if frame.ret_ip as usize & 1 != 0 {
                    // The call switched instance: switch back.
                    let ret: Ip = frame.ret_ip.cast::<u8>().sub(1).cast();
                    (*$cx).instance = (*$cx).switched.pop().expect("pushed with the frame");
                    return switch_instance(ret, frame.fp, $mem, $len, $cx, $acc);
                }
                next!(frame.ret_ip, frame.fp, $mem, $len, $cx, $acc)
            }
            None => {
                (*$cx).exit = Exit::Returned;
                exit!()
            }
        }
    }};
}

handler! {
    /// Returns; the results are already in the first slots of the frame.
    fn ret(ip, fp, mem, mem_len, cx, acc) {
        return_to_caller!(fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Returns the one-slot value in a slot. Lanes: src.
    fn ret_s(ip, fp, mem, mem_len, cx, acc) {
        fp.write(fp.add(lane(ip, 0) as usize).read());
        return_to_caller!(fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Returns the value in the accumulator.
    fn ret_a(ip, fp, mem, mem_len, cx, acc) {
        fp.write(acc);
        return_to_caller!(fp, mem, mem_len, cx, acc)
    }
}

// ---- calls ----

handler! {
    /// Calls a function the running module defines. Lanes: index among the
    /// module's defined functions, base slot of the arguments.
    fn call_internal(ip, fp, mem, mem_len, cx, acc) {
        let callee = (*(*cx).funcs.add(lane(ip, 0) as usize)).get();
        if callee.is_null() {
            return translate_callee(ip, fp, mem, mem_len, cx, acc);
        }
        enter!(callee, lane(ip, 1), ip.add(2), ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `call` of any function (imports included). Lanes: funcidx, base.
    fn call(ip, fp, mem, mem_len, cx, acc) {
        let addr = *(*cx).inst_funcs.add(lane(ip, 0) as usize);
        call_addr!(addr, lane(ip, 1), 2, ip, fp, mem, mem_len, cx, acc)
    }
}

/// The store address of the function a `call_indirect` or
/// `return_call_indirect` at `ip` calls (lanes: typeidx, tableidx, base,
/// index slot), or the trap the spec gives for it. `WIDE`: the table is
/// 64-bit and the index an `i64`.
///
/// # Safety
/// `ip`, `fp` and `cx` must be those of the running handler.
#[inline(always)]
unsafe fn indirect_callee<const WIDE: bool>(
    ip: Ip,
    fp: *mut u64,
    cx: *mut Ctx,
) -> Result<u32, TrapCode> {
    // SAFETY: the caller's contract; validation checked the indices.
    unsafe {
        let inner = &*(*cx).inner;
        let inst = &inner.instances[(*cx).instance as usize];
        let table = inst.tables[lane(ip, 1) as usize];
        let expected = inst.type_ids[lane(ip, 0) as usize];
        let index = match WIDE {
            // An index past the host's address space is past any table.
            true => table_index(index_operand(fp, lane(ip, 3), true)),
            false => get::<i32>(fp, lane(ip, 3)) as u32 as usize,
        };
        let element = match inner.tables[table as usize].elements.get(index) {
            Some(&element) => element,
            None => return Err(TrapCode::UndefinedElement),
        };
        if element == 0 {
            return Err(TrapCode::UninitializedElement);
        }
        let addr = (element - 1) as u32;
        let actual = inner.funcs[addr as usize].type_id();
        if actual != expected && !inner.types.is_subtype(actual, expected) {
            return Err(TrapCode::IndirectCallTypeMismatch);
        }
        Ok(addr)
    }
}

handler! {
    /// `call_indirect`. Lanes: typeidx, tableidx, base, index slot.
    fn call_indirect(ip, fp, mem, mem_len, cx, acc) {
        let addr = match indirect_callee::<false>(ip, fp, cx) {
            Ok(addr) => addr,
            Err(code) => trap!(cx, ip, code),
        };
        call_addr!(addr, lane(ip, 2), 3, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `call_indirect` through a 64-bit table (an `i64` index). Lanes as
    /// for [`call_indirect`].
    fn call_indirect64(ip, fp, mem, mem_len, cx, acc) {
        let addr = match indirect_callee::<true>(ip, fp, cx) {
            Ok(addr) => addr,
            Err(code) => trap!(cx, ip, code),
        };
        call_addr!(addr, lane(ip, 2), 3, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `return_call` of a function the running module defines. Lanes: index
    /// among the module's defined functions, base slot of the arguments.
    fn return_call_internal(ip, fp, mem, mem_len, cx, acc) {
        let callee = (*(*cx).funcs.add(lane(ip, 0) as usize)).get();
        if callee.is_null() {
            return translate_callee(ip, fp, mem, mem_len, cx, acc);
        }
        tail_enter!(callee, lane(ip, 1), None, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `return_call` of any function (imports included). Lanes: funcidx, base.
    fn return_call(ip, fp, mem, mem_len, cx, acc) {
        let addr = *(*cx).inst_funcs.add(lane(ip, 0) as usize);
        tail_call_addr!(addr, lane(ip, 1), 2, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `return_call_indirect`, trapping as `call_indirect` does. Lanes:
    /// typeidx, tableidx, base, index slot.
    fn return_call_indirect(ip, fp, mem, mem_len, cx, acc) {
        let addr = match indirect_callee::<false>(ip, fp, cx) {
            Ok(addr) => addr,
            Err(code) => trap!(cx, ip, code),
        };
        tail_call_addr!(addr, lane(ip, 2), 3, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `return_call_indirect` through a 64-bit table (an `i64` index).
    /// Lanes as for [`return_call_indirect`].
    fn return_call_indirect64(ip, fp, mem, mem_len, cx, acc) {
        let addr = match indirect_callee::<true>(ip, fp, cx) {
            Ok(addr) => addr,
            Err(code) => trap!(cx, ip, code),
        };
        tail_call_addr!(addr, lane(ip, 2), 3, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `call_ref`. Lanes: base, reference slot.
    fn call_ref(ip, fp, mem, mem_len, cx, acc) {
        let reference = fp.add(lane(ip, 1) as usize).read() as u32;
        if reference == 0 {
            trap!(cx, ip, TrapCode::NullFunctionReference);
        }
        call_addr!(reference - 1, lane(ip, 0), 2, ip, fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `return_call_ref`. Lanes: base, reference slot.
    fn return_call_ref(ip, fp, mem, mem_len, cx, acc) {
        let reference = fp.add(lane(ip, 1) as usize).read() as u32;
        if reference == 0 {
            trap!(cx, ip, TrapCode::NullFunctionReference);
        }
        tail_call_addr!(reference - 1, lane(ip, 0), 2, ip, fp, mem, mem_len, cx, acc)
    }
}

// ---- instrumentation ----

handler! {
    /// Takes fuel for the wasm instructions up to the next metering point.
    /// Lanes: amount.
    fn consume_fuel(ip, fp, mem, mem_len, cx, acc) {
        let amount = u64::from(lane(ip, 0));
        let fuel = &mut (&mut *(*cx).inner).fuel;
        if *fuel < amount {
            trap!(cx, ip, TrapCode::OutOfFuel);
        }
        *fuel -= amount;
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Traps if the store was asked to interrupt (and clears the request)
    /// or its epoch deadline passed.
    fn check_interrupt(ip, fp, mem, mem_len, cx, acc) {
        if (*(*cx).inner).interrupt_requested() {
            trap!(cx, ip, TrapCode::Interrupted);
        }
        next!(ip.add(1), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// Reports the next wasm instruction to the tracer. Lanes: index of the
    /// running function among the module's defined functions.
    fn trace(ip, fp, mem, mem_len, cx, acc) {
        trace_at(cx, ip, lane(ip, 0));
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

// ---- globals ----

/// The value of global `index` of the running instance.
#[inline(always)]
unsafe fn global(cx: *mut Ctx, index: u32) -> *mut u128 {
    // SAFETY: validation checked the index; `refresh` keeps the pointers current.
    unsafe {
        let addr = *(*cx).inst_globals.add(index as usize);
        &raw mut (*(*cx).globals.add(addr as usize)).value
    }
}

handler! {
    /// `global.get` of a one-slot value. Lanes: dst, globalidx.
    fn global_get(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(*global(cx, lane(ip, 1)) as u64);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.get` into the accumulator. Lanes: globalidx.
    fn global_get_a(ip, fp, mem, mem_len, cx, acc) {
        let acc = *global(cx, lane(ip, 0)) as u64;
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.get 0` (C's stack pointer) into the accumulator.
    fn global0_get_a(ip, fp, mem, mem_len, cx, acc) {
        let acc = *(*cx).global0 as u64;
        next!(ip.add(1), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.get 0` into a slot. Lanes: dst.
    fn global0_get(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(*(*cx).global0 as u64);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.set 0` from a slot. Lanes: src.
    fn global0_set(ip, fp, mem, mem_len, cx, acc) {
        *(*cx).global0 = u128::from(fp.add(lane(ip, 0) as usize).read());
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.set 0` from the accumulator.
    fn global0_set_a(ip, fp, mem, mem_len, cx, acc) {
        *(*cx).global0 = u128::from(acc);
        next!(ip.add(1), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.get` of a `v128`. Lanes: dst, globalidx.
    fn global_get_v128(ip, fp, mem, mem_len, cx, acc) {
        set_v128(fp, lane(ip, 0), *global(cx, lane(ip, 1)));
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.set` of a one-slot value. Lanes: src, globalidx.
    fn global_set(ip, fp, mem, mem_len, cx, acc) {
        *global(cx, lane(ip, 1)) = u128::from(fp.add(lane(ip, 0) as usize).read());
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.set` from the accumulator. Lanes: globalidx.
    fn global_set_a(ip, fp, mem, mem_len, cx, acc) {
        *global(cx, lane(ip, 0)) = u128::from(acc);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `global.set` of a `v128`. Lanes: src, globalidx.
    fn global_set_v128(ip, fp, mem, mem_len, cx, acc) {
        *global(cx, lane(ip, 1)) = get_v128(fp, lane(ip, 0));
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

// ---- memory ----

/// Memory `index` of the running instance.
///
/// # Safety
/// `cx` must be live and its instance must have memory `index` (validation
/// checked every memory index in the code).
unsafe fn memory(cx: *mut Ctx, index: u32) -> &'static mut super::memory::LinearMemory {
    // SAFETY: the caller's contract.
    unsafe {
        let inner = &mut *(*cx).inner;
        let addr = inner.instances[(*cx).instance as usize].memories[index as usize];
        &mut inner.memories[addr as usize]
    }
}

handler! {
    /// `memory.size`. Lanes: dst, memidx.
    fn memory_size(ip, fp, mem, mem_len, cx, acc) {
        let memory = memory(cx, lane(ip, 1));
        match memory.ty.memory64 {
            true => set(fp, lane(ip, 0), memory.pages() as i64),
            false => set(fp, lane(ip, 0), memory.pages() as i32),
        }
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `memory.grow`. Lanes: dst, delta, memidx.
    fn memory_grow(ip, fp, mem, mem_len, cx, acc) {
        let wide = memory(cx, lane(ip, 2)).ty.memory64;
        let delta = index_operand(fp, lane(ip, 1), wide);
        let inner = &mut *(*cx).inner;
        let addr = inner.instances[(*cx).instance as usize].memories[lane(ip, 2) as usize];
        // The embedder's resource limiter may refuse, or trap.
        let Ok(old) = inner.grow_memory(addr, delta) else {
            trap!(cx, ip, TrapCode::HostError)
        };
        match wide {
            true => set(fp, lane(ip, 0), old.map_or(-1, |pages| pages as i64)),
            false => set(fp, lane(ip, 0), old.map_or(-1, |pages| pages as i32)),
        }
        let (mem, mem_len) = refresh(cx);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `memory.fill`. Lanes: dst, value, len, memidx.
    fn memory_fill(ip, fp, mem, mem_len, cx, acc) {
        let memory = memory(cx, lane(ip, 3));
        let wide = memory.ty.memory64;
        let dst = index_operand(fp, lane(ip, 0), wide);
        let value = get::<i32>(fp, lane(ip, 1)) as u8;
        let len = index_operand(fp, lane(ip, 2), wide);
        let data = &mut memory.data;
        match range(dst, len, data.len()) {
            Some(dst) => data[dst].fill(value),
            None => trap!(cx, ip, TrapCode::MemoryOutOfBounds),
        }
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `memory.copy`. Lanes: dst, src, len, dst memidx, src memidx.
    fn memory_copy(ip, fp, mem, mem_len, cx, acc) {
        let (to, from) = (lane(ip, 3), lane(ip, 4));
        let (to_wide, from_wide) = (memory(cx, to).ty.memory64, memory(cx, from).ty.memory64);
        let dst = index_operand(fp, lane(ip, 0), to_wide);
        let src = index_operand(fp, lane(ip, 1), from_wide);
        // The length is 64-bit only between two 64-bit memories.
        let len = index_operand(fp, lane(ip, 2), to_wide && from_wide);
        if to == from {
            let data = &mut memory(cx, to).data;
            match (range(src, len, data.len()), range(dst, len, data.len())) {
                (Some(src), Some(dst)) => data.copy_within(src, dst.start),
                _ => trap!(cx, ip, TrapCode::MemoryOutOfBounds),
            }
        } else {
            // Two memory indices may still name one memory (imported
            // twice): copy through the source's raw bytes, which `copy`
            // allows to overlap.
            let source: *const [u8] = &*memory(cx, from).data;
            let data = &mut memory(cx, to).data;
            match (range(src, len, source.len()), range(dst, len, data.len())) {
                (Some(src), Some(dst)) => core::ptr::copy(
                    source.cast::<u8>().add(src.start),
                    data.as_mut_ptr().add(dst.start),
                    dst.len(),
                ),
                _ => trap!(cx, ip, TrapCode::MemoryOutOfBounds),
            }
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `memory.init`. Lanes: dst, src, len, dataidx, memidx.
    fn memory_init(ip, fp, mem, mem_len, cx, acc) {
        let dst = index_operand(fp, lane(ip, 0), memory(cx, lane(ip, 4)).ty.memory64);
        let src = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let len = u64::from(get::<i32>(fp, lane(ip, 2)) as u32);
        let inner = &mut *(*cx).inner;
        // A raw slice, not a clone of the `Arc`: nothing may need dropping
        // at the tail call below.
        let segment: *const [u8] = inner.instances[(*cx).instance as usize].data(lane(ip, 3) as usize);
        let segment = &*segment;
        let data = &mut memory(cx, lane(ip, 4)).data;
        match (range(src, len, segment.len()), range(dst, len, data.len())) {
            (Some(src), Some(dst)) => data[dst].copy_from_slice(&segment[src]),
            _ => trap!(cx, ip, TrapCode::MemoryOutOfBounds),
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `data.drop`. Lanes: dataidx.
    fn data_drop(ip, fp, mem, mem_len, cx, acc) {
        let inner = &mut *(*cx).inner;
        inner.instances[(*cx).instance as usize].data_dropped[lane(ip, 0) as usize] = true;
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

// ---- tables and references ----

/// Store address of table `index` of the running instance.
///
/// # Safety
/// `cx` must be live; validation checked the index.
unsafe fn table_addr(cx: *mut Ctx, index: u32) -> usize {
    // SAFETY: the caller's contract.
    unsafe {
        (&mut *(*cx).inner).instances[(*cx).instance as usize].tables[index as usize] as usize
    }
}

/// A table index as a `usize` for `get`: one the host cannot address
/// becomes `usize::MAX`, past the end of any table.
#[inline(always)]
fn table_index(index: u64) -> usize {
    usize::try_from(index).unwrap_or(usize::MAX)
}

/// Whether table `addr` of the store is 64-bit: its index, size and
/// length operands are `i64`.
///
/// # Safety
/// `cx` must be live and `addr` a table of its store.
unsafe fn table_wide(cx: *mut Ctx, addr: usize) -> bool {
    // SAFETY: the caller's contract.
    unsafe { (&*(*cx).inner).tables[addr].ty.table64 }
}

handler! {
    /// `table.get`. Lanes: dst, index, tableidx.
    fn table_get(ip, fp, mem, mem_len, cx, acc) {
        let table = table_addr(cx, lane(ip, 2));
        let index = table_index(index_operand(fp, lane(ip, 1), table_wide(cx, table)));
        match (&mut *(*cx).inner).tables[table].elements.get(index) {
            Some(&value) => fp.add(lane(ip, 0) as usize).write(value),
            None => trap!(cx, ip, TrapCode::TableOutOfBounds),
        }
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `table.set`. Lanes: index, value, tableidx.
    fn table_set(ip, fp, mem, mem_len, cx, acc) {
        let table = table_addr(cx, lane(ip, 2));
        let index = table_index(index_operand(fp, lane(ip, 0), table_wide(cx, table)));
        let value = fp.add(lane(ip, 1) as usize).read();
        match (&mut *(*cx).inner).tables[table].elements.get_mut(index) {
            Some(slot) => *slot = value,
            None => trap!(cx, ip, TrapCode::TableOutOfBounds),
        }
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `table.size`. Lanes: dst, tableidx.
    fn table_size(ip, fp, mem, mem_len, cx, acc) {
        let table = &(&*(*cx).inner).tables[table_addr(cx, lane(ip, 1))];
        let size = table.elements.len();
        match table.ty.table64 {
            true => set(fp, lane(ip, 0), size as i64),
            false => set(fp, lane(ip, 0), size as i32),
        }
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `table.grow`. Lanes: dst, init, delta, tableidx.
    fn table_grow(ip, fp, mem, mem_len, cx, acc) {
        let init = fp.add(lane(ip, 1) as usize).read();
        let table = table_addr(cx, lane(ip, 3));
        let wide = table_wide(cx, table);
        let delta = index_operand(fp, lane(ip, 2), wide);
        // The embedder's resource limiter may refuse, or trap.
        let Ok(old) = (&mut *(*cx).inner).grow_table(table as u32, delta, init) else {
            trap!(cx, ip, TrapCode::HostError)
        };
        match wide {
            true => set(fp, lane(ip, 0), old.map_or(-1, |size| size as i64)),
            false => set(fp, lane(ip, 0), old.map_or(-1, |size| size as i32)),
        }
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `table.fill`. Lanes: dst, value, len, tableidx.
    fn table_fill(ip, fp, mem, mem_len, cx, acc) {
        let table = table_addr(cx, lane(ip, 3));
        let wide = table_wide(cx, table);
        let dst = index_operand(fp, lane(ip, 0), wide);
        let value = fp.add(lane(ip, 1) as usize).read();
        let len = index_operand(fp, lane(ip, 2), wide);
        let elements = &mut (&mut *(*cx).inner).tables[table].elements;
        match range(dst, len, elements.len()) {
            Some(dst) => elements[dst].fill(value),
            None => trap!(cx, ip, TrapCode::TableOutOfBounds),
        }
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `table.copy`. Lanes: dst, src, len, dst tableidx, src tableidx.
    fn table_copy(ip, fp, mem, mem_len, cx, acc) {
        let dst_table = table_addr(cx, lane(ip, 3));
        let src_table = table_addr(cx, lane(ip, 4));
        let (dst_wide, src_wide) = (table_wide(cx, dst_table), table_wide(cx, src_table));
        let dst = index_operand(fp, lane(ip, 0), dst_wide);
        let src = index_operand(fp, lane(ip, 1), src_wide);
        // The length is 64-bit only between two 64-bit tables.
        let len = index_operand(fp, lane(ip, 2), dst_wide && src_wide);
        let tables = &mut (&mut *(*cx).inner).tables;
        let src_range = range(src, len, tables[src_table].elements.len());
        let dst_range = range(dst, len, tables[dst_table].elements.len());
        let (Some(src_range), Some(dst_range)) = (src_range, dst_range) else {
            trap!(cx, ip, TrapCode::TableOutOfBounds)
        };
        if dst_table == src_table {
            tables[dst_table].elements.copy_within(src_range, dst_range.start);
        } else {
            let items: alloc::vec::Vec<u64> = tables[src_table].elements[src_range].to_vec();
            tables[dst_table].elements[dst_range].copy_from_slice(&items);
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `table.init`. Lanes: dst, src, len, elemidx, tableidx.
    fn table_init(ip, fp, mem, mem_len, cx, acc) {
        let table = table_addr(cx, lane(ip, 4));
        let dst = index_operand(fp, lane(ip, 0), table_wide(cx, table));
        // Offsets into the segment and the length are i32 for any table.
        let src = get::<i32>(fp, lane(ip, 1)) as u32;
        let len = get::<i32>(fp, lane(ip, 2)) as u32;
        let inner = &mut *(*cx).inner;
        // A raw slice (segment and table are separate allocations), so
        // nothing needs dropping at the tail call below.
        let segment: *const [u64] =
            &inner.instances[(*cx).instance as usize].elems[lane(ip, 3) as usize][..];
        let segment = &*segment;
        let Some(src) = range(u64::from(src), u64::from(len), segment.len()) else {
            trap!(cx, ip, TrapCode::TableOutOfBounds)
        };
        let elements = &mut inner.tables[table].elements;
        match range(dst, u64::from(len), elements.len()) {
            Some(dst) => elements[dst].copy_from_slice(&segment[src]),
            None => trap!(cx, ip, TrapCode::TableOutOfBounds),
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `elem.drop`. Lanes: elemidx.
    fn elem_drop(ip, fp, mem, mem_len, cx, acc) {
        let inner = &mut *(*cx).inner;
        inner.instances[(*cx).instance as usize].elems[lane(ip, 0) as usize] =
            alloc::vec::Vec::new();
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `ref.null`. Lanes: dst, reftype.
    fn ref_null(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(0);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `ref.is_null`. Lanes: dst, reference.
    fn ref_is_null(ip, fp, mem, mem_len, cx, acc) {
        let is_null = fp.add(lane(ip, 1) as usize).read() == 0;
        set(fp, lane(ip, 0), i32::from(is_null));
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `ref.as_non_null`. Lanes: dst, reference.
    fn ref_as_non_null(ip, fp, mem, mem_len, cx, acc) {
        let reference = fp.add(lane(ip, 1) as usize).read();
        if reference == 0 {
            trap!(cx, ip, TrapCode::NullReference);
        }
        fp.add(lane(ip, 0) as usize).write(reference);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `ref.func`. Lanes: dst, funcidx.
    fn ref_func(ip, fp, mem, mem_len, cx, acc) {
        let addr = *(*cx).inst_funcs.add(lane(ip, 1) as usize);
        fp.add(lane(ip, 0) as usize).write(u64::from(addr) + 1);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

// ---- exceptions ----

/// Throws exception `exn` from the instruction at `ip`: continues at the
/// catch clause that takes it, or leaves the code when none does.
macro_rules! throw_exn {
    ($exn:expr, $ip:ident, $fp:ident, $cx:ident, $acc:ident) => {{
        let exn: u32 = $exn;
        match unwind($cx, $ip, $fp, exn, false) {
            Some((target, fp)) => {
                let (mem, mem_len) = refresh($cx);
                next!(target, fp, mem, mem_len, $cx, $acc)
            }
            None => {
                (*$cx).exit = Exit::Exception { exn, ip: $ip };
                exit!()
            }
        }
    }};
}

handler! {
    /// `throw`. Lanes: tagidx, first payload slot, payload slots.
    #[inline(never)]
    fn throw(ip, fp, mem, mem_len, cx, acc) {
        let inner = &mut *(*cx).inner;
        let tag = inner.instances[(*cx).instance as usize].tags[lane(ip, 0) as usize];
        let payload = core::slice::from_raw_parts(fp.add(lane(ip, 1) as usize), lane(ip, 2) as usize);
        let exn = inner.new_exn(tag, payload);
        throw_exn!(exn, ip, fp, cx, acc)
    }
}

handler! {
    /// `throw_ref`. Lanes: exnref slot.
    #[inline(never)]
    fn throw_ref(ip, fp, mem, mem_len, cx, acc) {
        let exn = fp.add(lane(ip, 0) as usize).read();
        if exn == 0 {
            trap!(cx, ip, TrapCode::NullExceptionReference);
        }
        throw_exn!((exn - 1) as u32, ip, fp, cx, acc)
    }
}

/// The handler that moves a value of type `ty` between slots.
pub(crate) fn copy_handler(ty: ValType) -> Handler {
    if ty == ValType::V128 {
        copy_v128
    } else {
        copy
    }
}
