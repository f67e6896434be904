//! The handlers of the GC instructions: struct and array allocation and
//! access, casts, and the `any`/`extern` conversions; and the root walk a
//! collection starts from.
//!
//! Objects live in the store's [`GcHeap`](super::gc::GcHeap), addressed by
//! reference words. Every access goes through bounds-checked slices, so
//! even a reference a collector bug had freed could not reach memory
//! outside the heap. A field or element is described by an access code
//! ([`access`]): its size in bytes, plus a flag for a sign-extending read.

#[cfg(tabula_tail_calls)]
use super::dispatch::Handler;
#[cfg(not(tabula_tail_calls))]
use super::dispatch::Next;
use super::dispatch::{exit, get, handler, lane, next, raise, set, trap, Ip};
use super::gc::{any_word_matches, may_hold_object, AllocError, GcHeap, Layout};
use super::interp::{Ctx, Frame};
use super::store::{FuncEntity, StoreInner};
use super::trap::TrapCode;
use crate::ir::CompiledFunc;
use crate::types::{CompositeKind, HeapType, StorageType, TypeSpace, ValType};

/// An access code's sign-extension flag (see the module docs).
const SIGNED: u32 = 0x100;

/// The access code of a field or element stored as `storage` (`signed`:
/// read by `get_s`).
pub(crate) fn access(storage: StorageType, signed: bool) -> u32 {
    storage.size() | if signed { SIGNED } else { 0 }
}

/// Marks a heap type lane holding an abstract type's byte.
const ABSTRACT: u32 = 0x8000_0000;

/// How a heap type travels in a lane: a concrete type index as it is, an
/// abstract type as [`ABSTRACT`] plus its one-byte encoding.
pub(crate) fn heap_lane(heap: HeapType) -> u32 {
    match heap {
        HeapType::Concrete(index) => index,
        // The abstract heap types' bytes are 0x69..=0x74.
        abstract_type => (0x69..=0x74u8)
            .find(|byte| HeapType::from_byte(*byte) == Some(abstract_type))
            .map_or(0, |byte| ABSTRACT | u32::from(byte)),
    }
}

/// The store of the running call.
///
/// # Safety
/// `cx` must be the live context of a call.
#[inline]
unsafe fn store<'a>(cx: *mut Ctx) -> &'a mut StoreInner {
    // SAFETY: the caller's contract; the store outlives the call.
    unsafe { &mut *(*cx).inner }
}

/// The store type id of the running instance's type `typeidx`.
///
/// # Safety
/// As for [`store`].
#[inline]
unsafe fn type_id(cx: *mut Ctx, typeidx: u32) -> u32 {
    // SAFETY: the caller's contract.
    unsafe {
        let inner = store(cx);
        inner.instances[(*cx).instance as usize].type_ids[typeidx as usize]
    }
}

/// Reads `size` bytes (1, 2, 4, 8 or 16) at `at` of `data`, zero-extended
/// (a `v128` is two slots: the low then the high half).
#[inline(always)]
fn read(data: &[u8], at: usize, size: usize) -> Option<[u64; 2]> {
    let bytes = data.get(at..at.checked_add(size)?)?;
    Some(match *bytes {
        [a] => [u64::from(a), 0],
        [a, b] => [u64::from(u16::from_le_bytes([a, b])), 0],
        [a, b, c, d] => [u64::from(u32::from_le_bytes([a, b, c, d])), 0],
        _ if size == 8 => [u64::from_le_bytes(bytes.try_into().ok()?), 0],
        _ => {
            let (low, high) = bytes.split_at(8);
            [
                u64::from_le_bytes(low.try_into().ok()?),
                u64::from_le_bytes(high.try_into().ok()?),
            ]
        }
    })
}

/// Writes the low `size` bytes (1, 2, 4, 8 or 16) of `value` at `at` of
/// `data`.
#[inline(always)]
fn write(data: &mut [u8], at: usize, size: usize, value: [u64; 2]) -> Option<()> {
    let target = data.get_mut(at..at.checked_add(size)?)?;
    match size {
        16 => {
            target[..8].copy_from_slice(&value[0].to_le_bytes());
            target[8..].copy_from_slice(&value[1].to_le_bytes());
        }
        8 => target.copy_from_slice(&value[0].to_le_bytes()),
        4 => target.copy_from_slice(&(value[0] as u32).to_le_bytes()),
        2 => target.copy_from_slice(&(value[0] as u16).to_le_bytes()),
        _ => target.copy_from_slice(&[value[0] as u8]),
    }
    Some(())
}

/// The value in slot `slot` (and the next, for 16 bytes).
///
/// # Safety
/// The slots must be in the frame.
#[inline]
unsafe fn slot_value(fp: *mut u64, slot: u32, size: usize) -> [u64; 2] {
    // SAFETY: the caller's contract.
    unsafe {
        let low = fp.add(slot as usize).read();
        let high = if size == 16 {
            fp.add(slot as usize + 1).read()
        } else {
            0
        };
        [low, high]
    }
}

/// Writes a field's value, read with access code `code`, to slot `dst`.
///
/// # Safety
/// The slots must be in the frame.
#[inline]
unsafe fn put(fp: *mut u64, dst: u32, value: [u64; 2], code: u32) {
    let low = value[0];
    // SAFETY: the caller's contract.
    unsafe {
        match (code & 0xFF, code & SIGNED != 0) {
            (1, true) => set(fp, dst, i32::from(low as u8 as i8)),
            (2, true) => set(fp, dst, i32::from(low as u16 as i16)),
            (16, _) => {
                fp.add(dst as usize).write(low);
                fp.add(dst as usize + 1).write(value[1]);
            }
            _ => fp.add(dst as usize).write(low),
        }
    }
}

/// Bounds-checks `[start, start + len)` against `size`.
fn range(start: u64, len: u64, size: u64) -> Option<core::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size).then_some(start as usize..end as usize)
}

/// Collects garbage if enough was allocated since the last collection (or
/// an object of `bytes` would pass the heap's limit). Called by every
/// allocating handler before it reads its reference operands.
///
/// # Safety
/// `cx` must be live, `ip` the running allocation instruction and `fp` its
/// frame.
#[inline]
unsafe fn before_allocation(cx: *mut Ctx, ip: Ip, fp: *mut u64, bytes: u64) {
    let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
    // SAFETY: the caller's contract.
    unsafe {
        if store(cx).gc.wants_collection(bytes) {
            collect(cx, ip, fp);
        }
    }
}

/// Runs a collection from the allocation at `ip` in frame `fp`.
///
/// # Safety
/// As for [`before_allocation`].
#[cold]
#[inline(never)]
pub(crate) unsafe fn collect(cx: *mut Ctx, ip: Ip, fp: *mut u64) {
    // SAFETY: the caller's contract.
    unsafe { collect_in(store(cx), Some((&*cx, ip, fp))) }
}

/// Collects the store's garbage. `running`: the running call's context,
/// stopped at the allocation `ip` in frame `fp`; `None` when no wasm code
/// runs at this moment (the host asked, maybe from inside a host function:
/// the calls waiting for it are scanned either way).
///
/// # Safety
/// `running` must describe the live running call, and every entry of the
/// store's `suspended` list a call waiting for a host function.
pub(crate) unsafe fn collect_in(inner: &mut StoreInner, running: Option<(&Ctx, Ip, *mut u64)>) {
    let mut words: alloc::vec::Vec<u64> = alloc::vec::Vec::new();
    // SAFETY: the caller's contract.
    unsafe { frame_roots(inner, running, &mut words) };
    let GcHeapAndRest { heap, rest } = split(inner);
    heap.collect(rest.types, |mark| {
        words.iter().for_each(|w| mark(*w));
        store_roots(&rest, mark);
    });
}

/// The heap, and what the roots are read from.
struct GcHeapAndRest<'a> {
    heap: &'a mut GcHeap,
    rest: StoreView<'a>,
}

/// The parts of a store that hold roots.
struct StoreView<'a> {
    types: &'a crate::types::TypeRegistry,
    globals: &'a [super::store::GlobalEntity],
    tables: &'a [super::store::TableEntity],
    instances: &'a [super::store::InstanceEntity],
    exns: &'a [super::store::ExnEntity],
    free_exns: &'a [u32],
    tags: &'a [super::store::TagEntity],
}

fn split(inner: &mut StoreInner) -> GcHeapAndRest<'_> {
    GcHeapAndRest {
        heap: &mut inner.gc,
        rest: StoreView {
            types: &inner.types,
            globals: &inner.globals,
            tables: &inner.tables,
            instances: &inner.instances,
            exns: &inner.exns,
            free_exns: &inner.free_exns,
            tags: &inner.tags,
        },
    }
}

/// Reports the store's roots outside frames: globals, tables, element
/// segments and live exceptions' payloads of types that may hold objects.
fn store_roots(store: &StoreView<'_>, mark: &mut dyn FnMut(u64)) {
    let kind = |i: u32| store.types.kind(i);
    let holds = |ty: ValType| may_hold_object(ty, kind);
    for global in store.globals {
        if holds(global.ty.content) {
            mark(global.value as u64);
        }
    }
    for table in store.tables {
        if holds(table.ty.element.into()) {
            table.elements.iter().for_each(|w| mark(*w));
        }
    }
    for instance in store.instances {
        let module = &instance.module.module;
        for (segment, elements) in module.elements.iter().zip(&instance.elems) {
            let ty = ValType::Ref(segment.ty).map_indices(|i| instance.type_ids[i as usize]);
            if holds(ty) {
                elements.iter().for_each(|w| mark(*w));
            }
        }
    }
    let mut free = alloc::vec![false; store.exns.len()];
    for index in store.free_exns {
        free[*index as usize] = true;
    }
    for (exn, _) in store.exns.iter().zip(&free).filter(|(_, free)| !**free) {
        let ty = store.types.get(store.tags[exn.tag as usize].type_id);
        let mut at = 0;
        for param in ty.params() {
            if holds(*param) {
                mark(exn.payload.get(at).copied().unwrap_or(0));
            }
            at += param.slots() as usize;
        }
    }
}

/// Appends the words of every frame slot that a stack map lists, in every
/// live frame: the running call's (if any, stopped at an allocation) and
/// those of calls waiting for a host function.
///
/// # Safety
/// As for [`collect_in`].
unsafe fn frame_roots(
    inner: &mut StoreInner,
    running: Option<(&Ctx, Ip, *mut u64)>,
    out: &mut alloc::vec::Vec<u64>,
) {
    // Translated functions that have maps, by code address.
    let mut code: alloc::vec::Vec<(usize, usize, *const CompiledFunc)> = alloc::vec::Vec::new();
    let mut seen: alloc::vec::Vec<*const crate::ir::CompiledModule> = alloc::vec::Vec::new();
    for instance in &inner.instances {
        let module: &crate::ir::CompiledModule = &instance.module;
        let ptr: *const crate::ir::CompiledModule = module;
        if seen.contains(&ptr)
            || !module
                .has_stack_maps
                .load(core::sync::atomic::Ordering::Acquire)
        {
            continue;
        }
        seen.push(ptr);
        for lazy in module.funcs.iter() {
            let func = lazy.get();
            if func.is_null() {
                continue;
            }
            // SAFETY: translated code lives as long as its module.
            let translated = unsafe { &*func };
            if !translated.stack_maps.is_empty() {
                let start = translated.code.as_ptr() as usize;
                code.push((start, start + translated.code.len() * 8, func));
            }
        }
    }
    if code.is_empty() {
        return;
    }
    code.sort_unstable_by_key(|entry| entry.0);
    let mut scan = |address: usize, fp: *mut u64, call: bool| {
        let index = code.partition_point(|entry| entry.0 <= address);
        let Some(&(start, end, func)) = index.checked_sub(1).and_then(|i| code.get(i)) else {
            return;
        };
        if address > end {
            return;
        }
        // SAFETY: `func` is translated code of a live module, and `fp` the
        // frame of a call stopped in it.
        unsafe {
            let word = ((address - start) / 8) as u32;
            for slot in (*func).stack_maps.at(word, call) {
                out.push(fp.add(*slot as usize).read());
            }
        }
    };
    let walk = |frames: &[Frame],
                rebase: &dyn Fn(*mut u64) -> *mut u64,
                scan: &mut dyn FnMut(usize, *mut u64, bool)| {
        for frame in frames {
            scan(frame.ret_ip as usize & !1, rebase(frame.fp), true);
        }
    };
    if let Some((cx, ip, fp)) = running {
        scan(ip as usize, fp, false);
        walk(&cx.frames, &|fp| fp, &mut scan);
    }
    let base = inner
        .stack
        .as_mut()
        .map_or(core::ptr::null_mut(), |s| s.base());
    for suspended in &inner.suspended {
        let old = suspended.stack_base;
        let rebase = |fp: *mut u64| base.wrapping_add((fp as usize - old as usize) / 8);
        if !suspended.tail {
            scan(suspended.resume as usize, rebase(suspended.fp), true);
        }
        // SAFETY: the suspended call's context lives until its host call
        // returns, which is after this nested call.
        let frames = unsafe { &(*suspended.cx).frames };
        walk(frames, &rebase, &mut scan);
    }
}

/// Allocates an object of type `id`: `bytes` zeroed bytes, `len` elements.
/// `Err`: the trap to end the call with.
///
/// # Safety
/// As for [`store`].
#[inline]
unsafe fn allocate(cx: *mut Ctx, id: u32, len: u32, bytes: u64) -> Result<u64, TrapCode> {
    let bytes = usize::try_from(bytes).map_err(|_| TrapCode::AllocationTooLarge)?;
    // SAFETY: the caller's contract.
    unsafe { store(cx).gc.alloc(id, len, bytes).map_err(AllocError::trap) }
}

handler! {
    /// `struct.new`. Lanes: dst, typeidx, field count, each field's slot
    /// (a `v128`'s low half; the high half follows it).
    #[inline(never)]
    fn struct_new(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 1));
        let count = lane(ip, 2);
        let inner = store(cx);
        // Layouts are boxed and only ever added: collecting or allocating
        // leaves this one where it is.
        let layout: *const Layout = inner.gc.layout(id, &inner.types);
        let size = u64::from((*layout).size);
        before_allocation(cx, ip, fp, size);
        let word = match allocate(cx, id, 0, size) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        let object = store(cx).gc.object_mut(word).expect("just allocated");
        let fields = (*layout).offsets.iter().zip((*layout).storage.iter());
        for (k, (at, storage)) in fields.enumerate() {
            let size = storage.size() as usize;
            write(&mut object.data, *at as usize, size, slot_value(fp, lane(ip, 3 + k), size));
        }
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(1 + (3 + count as usize).div_ceil(2)), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `struct.new_default`. Lanes: dst, typeidx.
    #[inline(never)]
    fn struct_new_default(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 1));
        let inner = store(cx);
        let size = u64::from(inner.gc.layout(id, &inner.types).size);
        before_allocation(cx, ip, fp, size);
        let word = match allocate(cx, id, 0, size) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `struct.get`, `struct.get_s`, `struct.get_u`. Lanes: dst, reference,
    /// byte offset, access code.
    fn struct_get(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 1)) as u64;
        let code = lane(ip, 3);
        let value = store(cx)
            .gc
            .object(word)
            .and_then(|o| read(&o.data, lane(ip, 2) as usize, (code & 0xFF) as usize));
        let Some(value) = value else {
            trap!(cx, ip, TrapCode::NullStructReference)
        };
        put(fp, lane(ip, 0), value, code);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

pub(crate) use struct_get as struct_get_s;
pub(crate) use struct_get as struct_get_u;

handler! {
    /// `struct.set`. Lanes: reference, value, byte offset, access code.
    fn struct_set(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 0)) as u64;
        let size = (lane(ip, 3) & 0xFF) as usize;
        let value = slot_value(fp, lane(ip, 1), size);
        let done = store(cx)
            .gc
            .object_mut(word)
            .and_then(|o| write(&mut o.data, lane(ip, 2) as usize, size, value));
        if done.is_none() {
            trap!(cx, ip, TrapCode::NullStructReference)
        }
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

/// The element size of array type `id`.
///
/// # Safety
/// As for [`store`].
unsafe fn element_size(cx: *mut Ctx, id: u32) -> u32 {
    // SAFETY: the caller's contract.
    let inner = unsafe { store(cx) };
    inner.gc.layout(id, &inner.types).size
}

/// Allocates an array of type `id` with `len` elements, each `value`
/// (read from the frame after any collection); `Err`: the trap.
///
/// # Safety
/// As for [`store`]; a value slot must be in the frame.
unsafe fn new_array(
    cx: *mut Ctx,
    ip: Ip,
    fp: *mut u64,
    id: u32,
    len: u32,
    value: Option<u32>,
) -> Result<u64, TrapCode> {
    // SAFETY: the caller's contract.
    unsafe {
        let size = element_size(cx, id);
        let bytes = u64::from(len) * u64::from(size);
        before_allocation(cx, ip, fp, bytes);
        let value = value.map(|slot| slot_value(fp, slot, size as usize));
        let word = allocate(cx, id, len, bytes)?;
        if let Some(value) = value.filter(|v| *v != [0, 0]) {
            let object = store(cx).gc.object_mut(word).expect("just allocated");
            for chunk in object.data.chunks_exact_mut(size as usize) {
                write(chunk, 0, size as usize, value);
            }
        }
        Ok(word)
    }
}

handler! {
    /// `array.new`. Lanes: dst, value, length, typeidx.
    #[inline(never)]
    fn array_new(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 3));
        let len = get::<i32>(fp, lane(ip, 2)) as u32;
        let word = match new_array(cx, ip, fp, id, len, Some(lane(ip, 1))) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.new_default`. Lanes: dst, length, typeidx.
    #[inline(never)]
    fn array_new_default(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 2));
        let len = get::<i32>(fp, lane(ip, 1)) as u32;
        let word = match new_array(cx, ip, fp, id, len, None) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.new_fixed`. Lanes: dst, typeidx, count, each value's slot (a
    /// `v128`'s low half; the high half follows it).
    #[inline(never)]
    fn array_new_fixed(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 1));
        let len = lane(ip, 2);
        let size = element_size(cx, id) as usize;
        let word = match new_array(cx, ip, fp, id, len, None) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        let object = store(cx).gc.object_mut(word).expect("just allocated");
        for i in 0..len as usize {
            write(&mut object.data, i * size, size, slot_value(fp, lane(ip, 3 + i), size));
        }
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(1 + (3 + len as usize).div_ceil(2)), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.new_data`. Lanes: dst, segment offset, length, typeidx,
    /// dataidx, access code.
    #[inline(never)]
    fn array_new_data(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 3));
        let offset = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let len = get::<i32>(fp, lane(ip, 2)) as u32;
        let size = u64::from(lane(ip, 5) & 0xFF);
        let inner = store(cx);
        let data = inner.instances[(*cx).instance as usize].data(lane(ip, 4) as usize);
        let Some(bytes) = range(offset, u64::from(len) * size, data.len() as u64) else {
            trap!(cx, ip, TrapCode::MemoryOutOfBounds)
        };
        let source: *const [u8] = &data[bytes];
        let word = match new_array(cx, ip, fp, id, len, None) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        let object = store(cx).gc.object_mut(word).expect("just allocated");
        // The segment's bytes belong to the module, not the heap.
        object.data.copy_from_slice(&*source);
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.new_elem`. Lanes: dst, segment offset, length, typeidx, elemidx.
    #[inline(never)]
    fn array_new_elem(ip, fp, mem, mem_len, cx, acc) {
        let id = type_id(cx, lane(ip, 3));
        let offset = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let len = get::<i32>(fp, lane(ip, 2)) as u32;
        let inner = store(cx);
        let segment = &inner.instances[(*cx).instance as usize].elems[lane(ip, 4) as usize];
        let Some(items) = range(offset, u64::from(len), segment.len() as u64) else {
            trap!(cx, ip, TrapCode::TableOutOfBounds)
        };
        let items: alloc::vec::Vec<u64> = segment[items].to_vec();
        let word = match new_array(cx, ip, fp, id, len, None) {
            Ok(word) => word,
            Err(code) => trap!(cx, ip, code),
        };
        let object = store(cx).gc.object_mut(word).expect("just allocated");
        for (chunk, item) in object.data.chunks_exact_mut(8).zip(items) {
            chunk.copy_from_slice(&item.to_le_bytes());
        }
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

/// The array `word` refers to, or the trap for null.
///
/// # Safety
/// As for [`store`].
#[inline]
unsafe fn array<'a>(cx: *mut Ctx, word: u64) -> Result<&'a mut super::gc::Object, TrapCode> {
    // SAFETY: the caller's contract.
    unsafe {
        store(cx)
            .gc
            .object_mut(word)
            .ok_or(TrapCode::NullArrayReference)
    }
}

handler! {
    /// `array.get`, `array.get_s`, `array.get_u`. Lanes: dst, reference,
    /// index, access code.
    fn array_get(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 1)) as u64;
        let index = get::<i32>(fp, lane(ip, 2)) as u32;
        let code = lane(ip, 3);
        let size = (code & 0xFF) as usize;
        let object = match array(cx, word) {
            Ok(object) => object,
            Err(code) => trap!(cx, ip, code),
        };
        if index >= object.len {
            trap!(cx, ip, TrapCode::ArrayOutOfBounds)
        }
        let value = read(&object.data, index as usize * size, size).unwrap_or([0, 0]);
        put(fp, lane(ip, 0), value, code);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

pub(crate) use array_get as array_get_s;
pub(crate) use array_get as array_get_u;

handler! {
    /// `array.set`. Lanes: reference, index, value, access code.
    fn array_set(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 0)) as u64;
        let index = get::<i32>(fp, lane(ip, 1)) as u32;
        let size = (lane(ip, 3) & 0xFF) as usize;
        let value = slot_value(fp, lane(ip, 2), size);
        let object = match array(cx, word) {
            Ok(object) => object,
            Err(code) => trap!(cx, ip, code),
        };
        if index >= object.len {
            trap!(cx, ip, TrapCode::ArrayOutOfBounds)
        }
        write(&mut object.data, index as usize * size, size, value);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.len`. Lanes: dst, reference.
    fn array_len(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 1)) as u64;
        let len = match array(cx, word) {
            Ok(object) => object.len,
            Err(code) => trap!(cx, ip, code),
        };
        set(fp, lane(ip, 0), len as i32);
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.fill`. Lanes: reference, offset, value, length, access code.
    fn array_fill(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 0)) as u64;
        let offset = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let len = u64::from(get::<i32>(fp, lane(ip, 3)) as u32);
        let size = (lane(ip, 4) & 0xFF) as usize;
        let value = slot_value(fp, lane(ip, 2), size);
        let object = match array(cx, word) {
            Ok(object) => object,
            Err(code) => trap!(cx, ip, code),
        };
        let Some(elements) = range(offset, len, u64::from(object.len)) else {
            trap!(cx, ip, TrapCode::ArrayOutOfBounds)
        };
        for index in elements {
            write(&mut object.data, index * size, size, value);
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.copy`. Lanes: destination reference and offset, source
    /// reference and offset, length, element size.
    fn array_copy(ip, fp, mem, mem_len, cx, acc) {
        let dst = get::<i64>(fp, lane(ip, 0)) as u64;
        let dst_offset = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let src = get::<i64>(fp, lane(ip, 2)) as u64;
        let src_offset = u64::from(get::<i32>(fp, lane(ip, 3)) as u32);
        let len = u64::from(get::<i32>(fp, lane(ip, 4)) as u32);
        let size = lane(ip, 5) as usize;
        let heap = &mut store(cx).gc;
        let (Some(dst_len), Some(src_len)) = (heap.object(dst).map(|o| o.len), heap.object(src).map(|o| o.len)) else {
            trap!(cx, ip, TrapCode::NullArrayReference)
        };
        let (Some(to), Some(from)) = (range(dst_offset, len, u64::from(dst_len)), range(src_offset, len, u64::from(src_len))) else {
            trap!(cx, ip, TrapCode::ArrayOutOfBounds)
        };
        let (to, from) = (to.start * size..to.end * size, from.start * size..from.end * size);
        if dst == src {
            let object = heap.object_mut(dst).expect("checked above");
            object.data.copy_within(from, to.start);
        } else {
            let bytes: alloc::vec::Vec<u8> = heap.object(src).expect("checked above").data[from].to_vec();
            heap.object_mut(dst).expect("checked above").data[to].copy_from_slice(&bytes);
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.init_data`. Lanes: reference, array offset, segment offset,
    /// length, dataidx, access code.
    fn array_init_data(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 0)) as u64;
        let dst = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let src = u64::from(get::<i32>(fp, lane(ip, 2)) as u32);
        let len = u64::from(get::<i32>(fp, lane(ip, 3)) as u32);
        let size = u64::from(lane(ip, 5) & 0xFF);
        let inner = store(cx);
        let data: *const [u8] = inner.instances[(*cx).instance as usize].data(lane(ip, 4) as usize);
        // The segment's bytes belong to the module, not the heap.
        let data = &*data;
        let object = match array(cx, word) {
            Ok(object) => object,
            Err(code) => trap!(cx, ip, code),
        };
        let Some(to) = range(dst, len, u64::from(object.len)) else {
            trap!(cx, ip, TrapCode::ArrayOutOfBounds)
        };
        let Some(from) = range(src, len * size, data.len() as u64) else {
            trap!(cx, ip, TrapCode::MemoryOutOfBounds)
        };
        let size = size as usize;
        object.data[to.start * size..to.end * size].copy_from_slice(&data[from]);
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

handler! {
    /// `array.init_elem`. Lanes: reference, array offset, segment offset,
    /// length, elemidx.
    fn array_init_elem(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 0)) as u64;
        let dst = u64::from(get::<i32>(fp, lane(ip, 1)) as u32);
        let src = u64::from(get::<i32>(fp, lane(ip, 2)) as u32);
        let len = u64::from(get::<i32>(fp, lane(ip, 3)) as u32);
        let inner = store(cx);
        let segment: *const [u64] = &inner.instances[(*cx).instance as usize].elems[lane(ip, 4) as usize][..];
        // The segment is the instance's, not the heap's.
        let segment = &*segment;
        let object = match array(cx, word) {
            Ok(object) => object,
            Err(code) => trap!(cx, ip, code),
        };
        let Some(to) = range(dst, len, u64::from(object.len)) else {
            trap!(cx, ip, TrapCode::ArrayOutOfBounds)
        };
        let Some(from) = range(src, len, segment.len() as u64) else {
            trap!(cx, ip, TrapCode::TableOutOfBounds)
        };
        for (index, item) in to.zip(&segment[from]) {
            object.data[index * 8..index * 8 + 8].copy_from_slice(&item.to_le_bytes());
        }
        next!(ip.add(4), fp, mem, mem_len, cx, acc)
    }
}

/// Whether reference `word` is a value of the heap type in lane `heap`
/// (non-null `nullable` aside): the runtime side of the casts.
///
/// # Safety
/// As for [`store`].
unsafe fn cast_matches(cx: *mut Ctx, word: u64, heap: u32, nullable: bool) -> bool {
    if word == 0 {
        return nullable;
    }
    // SAFETY: the caller's contract.
    let inner = unsafe { store(cx) };
    if heap & ABSTRACT != 0 {
        return match HeapType::from_byte(heap as u8) {
            Some(HeapType::Func | HeapType::Extern | HeapType::Exn) => true,
            Some(
                heap @ (HeapType::Any
                | HeapType::Eq
                | HeapType::I31
                | HeapType::Struct
                | HeapType::Array),
            ) => any_word_matches(inner, word, heap),
            _ => false,
        };
    }
    // SAFETY: the caller's contract.
    let id = unsafe { type_id(cx, heap) };
    match inner.types.kind(id) {
        CompositeKind::Func => {
            let func: &FuncEntity = &inner.funcs[(word - 1) as usize];
            inner.types.is_subtype(func.type_id(), id)
        }
        _ => any_word_matches(inner, word, HeapType::Concrete(id)),
    }
}

handler! {
    /// `ref.test` (and `ref.test null`, and the test of `br_on_cast`).
    /// Lanes: dst, reference, heap type, nullable.
    fn ref_test(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 1)) as u64;
        let matched = cast_matches(cx, word, lane(ip, 2), lane(ip, 3) != 0);
        set(fp, lane(ip, 0), i32::from(matched));
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

pub(crate) use ref_test as ref_test_null;

handler! {
    /// `ref.cast` (and `ref.cast null`). Lanes: dst, reference, heap type,
    /// nullable.
    fn ref_cast(ip, fp, mem, mem_len, cx, acc) {
        let word = get::<i64>(fp, lane(ip, 1)) as u64;
        if !cast_matches(cx, word, lane(ip, 2), lane(ip, 3) != 0) {
            trap!(cx, ip, TrapCode::CastFailure)
        }
        fp.add(lane(ip, 0) as usize).write(word);
        next!(ip.add(3), fp, mem, mem_len, cx, acc)
    }
}

pub(crate) use ref_cast as ref_cast_null;

handler! {
    /// `any.convert_extern` and `extern.convert_any`: both hierarchies
    /// encode references alike, so the word moves unchanged. Lanes: dst,
    /// reference.
    fn any_convert_extern(ip, fp, mem, mem_len, cx, acc) {
        fp.add(lane(ip, 0) as usize).write(fp.add(lane(ip, 1) as usize).read());
        next!(ip.add(2), fp, mem, mem_len, cx, acc)
    }
}

pub(crate) use any_convert_extern as extern_convert_any;
