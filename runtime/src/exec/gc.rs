//! The GC heap (WebAssembly 3.0's structs and arrays), the encoding of
//! references in a frame slot, and the collector.
//!
//! # References in a slot
//! Every reference is one 64-bit word, 0 for null. Function and exception
//! references are store addresses plus one. The `any` and `extern`
//! hierarchies share one encoding, so `any.convert_extern` and
//! `extern.convert_any` move a word without changing it:
//! - low bit 1: an `i31`, its 31 bits above the tag bit;
//! - low bits `10`: host data (an [`ExternRef`](crate::ExternRef) made by
//!   the embedder), its index plus one above the tag;
//! - low bits `00`: a struct or array, its heap index plus one above.
//!
//! # The collector
//! A non-moving mark-and-sweep collector over a table of objects. It runs
//! only at an allocation, when the bytes allocated since the last collection
//! pass the live bytes found by that collection (at least
//! [`MIN_THRESHOLD`]): the heap stays within about twice its live size.
//!
//! Roots are precise. The translator records, at every allocation and every
//! call, which frame slots hold references that may point into the heap
//! (the `any` and `extern` hierarchies; see [`crate::ir::StackMaps`]); the
//! collector walks every live frame of every running call and reads only
//! those slots. Globals, tables, element segments, exception payloads of
//! those types, and objects handed to the host are the other roots. Marking
//! uses an explicit work list, so a deep object graph cannot overflow the
//! native stack.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::types::{CompositeKind, CompositeType, HeapType, StorageType, TypeRegistry, ValType};

/// The word of `i31` value `value` (its low 31 bits).
#[inline]
pub(crate) const fn i31_word(value: u32) -> u64 {
    (((value & 0x7FFF_FFFF) as u64) << 1) | 1
}

/// Whether `word` is an `i31`.
#[inline]
pub(crate) const fn is_i31(word: u64) -> bool {
    word & 1 == 1
}

/// The 31 bits of an `i31` word, zero-extended.
#[inline]
pub(crate) const fn i31_value(word: u64) -> u32 {
    (word >> 1) as u32 & 0x7FFF_FFFF
}

/// The word of the embedder's host data `index`.
#[inline]
pub(crate) const fn host_word(index: u32) -> u64 {
    ((index as u64 + 1) << 2) | 2
}

/// The host data index of `word`, if it is host data.
#[inline]
pub(crate) const fn host_index(word: u64) -> Option<u32> {
    if word & 3 == 2 {
        Some(((word >> 2) - 1) as u32)
    } else {
        None
    }
}

/// The word of heap object `index`.
#[inline]
pub(crate) const fn object_word(index: u32) -> u64 {
    (index as u64 + 1) << 2
}

/// The heap index of `word`, if it is a struct or array.
#[inline]
pub(crate) const fn object_index(word: u64) -> Option<u32> {
    if word != 0 && word & 3 == 0 {
        Some(((word >> 2) - 1) as u32)
    } else {
        None
    }
}

/// The heap never collects before this many bytes were allocated since the
/// last collection.
pub(crate) const MIN_THRESHOLD: usize = 4 << 20;

/// Bytes counted per object besides its fields: the table entry and the
/// allocator's header.
const OBJECT_OVERHEAD: usize = 48;

/// The largest object, in bytes: an allocation beyond it traps rather than
/// asking the system for it.
pub(crate) const MAX_OBJECT_BYTES: usize = 1 << 31;

/// `len` zeroed bytes, or `None` if the system has no memory for them.
/// They come from the allocator's zeroed path, which for a large object
/// maps fresh pages: an array costs the memory its program touches, as a
/// linear memory does.
fn zeroed_bytes(len: usize) -> Option<Box<[u8]>> {
    if len == 0 {
        return Some(Box::new([]));
    }
    let layout = core::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size.
    let ptr = unsafe { alloc::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` is a fresh allocation of `len` initialised (zero) bytes
    // with the layout `Box<[u8]>` frees with.
    Some(unsafe { Box::from_raw(core::ptr::slice_from_raw_parts_mut(ptr, len)) })
}

/// Marks an entry of the object table as free.
const FREE: u32 = u32::MAX;

/// A struct or an array.
pub(crate) struct Object {
    /// Store type id, or [`FREE`].
    pub(crate) type_id: u32,
    /// Reached by the current collection.
    marked: bool,
    /// Handed to the host: a root until the store is dropped.
    pinned: bool,
    /// Elements of an array (0 for a struct).
    pub(crate) len: u32,
    /// Fields, little-endian, each at its layout offset; or the elements.
    pub(crate) data: Box<[u8]>,
}

/// Where a type's fields are, and which may hold heap references.
pub(crate) struct Layout {
    pub(crate) kind: CompositeKind,
    /// A struct's field offsets (an array has none).
    pub(crate) offsets: Box<[u32]>,
    /// Each field's (or the element's) storage type.
    pub(crate) storage: Box<[StorageType]>,
    /// A struct's size, or an array element's.
    pub(crate) size: u32,
    /// Offsets of struct fields that may hold a heap reference.
    traced: Box<[u32]>,
    /// Whether an array's elements may hold heap references.
    traced_elements: bool,
}

/// Field offsets of a struct with `fields` (packed in order, unaligned)
/// and its size in bytes.
pub(crate) fn struct_offsets(fields: &[StorageType]) -> (Vec<u32>, u32) {
    let mut offsets = Vec::with_capacity(fields.len());
    let mut size = 0u32;
    for field in fields {
        offsets.push(size);
        size += field.size();
    }
    (offsets, size)
}

/// Whether a value of `ty` may be a heap reference: an `any` or `extern`
/// reference (`kind` tells what concrete types are).
pub(crate) fn may_hold_object(ty: ValType, kind: impl Fn(u32) -> CompositeKind) -> bool {
    match ty {
        ValType::Ref(r) => matches!(r.heap.top(kind), HeapType::Any | HeapType::Extern),
        _ => false,
    }
}

/// Collections so far and what they took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcStats {
    /// Collections run.
    pub collections: u64,
    /// Objects allocated in all.
    pub allocated_objects: u64,
    /// Objects freed in all.
    pub freed_objects: u64,
    /// Objects live after the last collection (and allocated since).
    pub live_objects: u64,
    /// Bytes the heap holds now (fields plus per-object overhead).
    pub heap_bytes: u64,
    /// Longest collection, in nanoseconds (0 where no clock is available).
    pub max_pause_ns: u64,
    /// All collections together, in nanoseconds.
    pub total_pause_ns: u64,
}

/// A store's structs and arrays.
pub(crate) struct GcHeap {
    pub(crate) objects: Vec<Object>,
    /// Free entries of `objects`.
    free: Vec<u32>,
    /// Bytes allocated since the last collection.
    allocated: usize,
    /// Bytes live after the last collection (plus what was allocated since).
    bytes: usize,
    /// Collect once `allocated` passes this.
    threshold: usize,
    /// The least `threshold` (see [`MIN_THRESHOLD`]).
    min_threshold: usize,
    /// Most bytes the heap may hold.
    limit: usize,
    /// Layouts by store type id, made on first use.
    layouts: Vec<Option<Box<Layout>>>,
    /// Work list of the marker, kept for its capacity.
    work: Vec<u32>,
    pub(crate) stats: GcStats,
}

/// Why an allocation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AllocError {
    /// The object alone is too large, or the system had no memory for it.
    TooLarge,
    /// The heap's limit would be passed.
    Exhausted,
}

impl AllocError {
    /// The trap the failure ends the call with.
    pub(crate) fn trap(self) -> super::trap::TrapCode {
        match self {
            AllocError::TooLarge => super::trap::TrapCode::AllocationTooLarge,
            AllocError::Exhausted => super::trap::TrapCode::GcHeapExhausted,
        }
    }
}

impl Default for GcHeap {
    fn default() -> Self {
        GcHeap {
            objects: Vec::new(),
            free: Vec::new(),
            allocated: 0,
            bytes: 0,
            threshold: 0,
            min_threshold: MIN_THRESHOLD,
            limit: usize::MAX,
            layouts: Vec::new(),
            work: Vec::new(),
            stats: GcStats::default(),
        }
    }
}

impl GcHeap {
    /// Sets the least bytes between collections and the heap's limit.
    pub(crate) fn set_limits(&mut self, min_threshold: usize, limit: usize) {
        self.min_threshold = min_threshold;
        self.limit = limit;
    }

    /// The layout of type `id`.
    pub(crate) fn layout(&mut self, id: u32, types: &TypeRegistry) -> &Layout {
        let index = id as usize;
        if self.layouts.len() <= index {
            self.layouts.resize_with(index + 1, || None);
        }
        self.layouts[index].get_or_insert_with(|| Box::new(make_layout(id, types)))
    }

    /// Whether an allocation of `bytes` should collect first: enough was
    /// allocated since the last collection, or it would pass the limit.
    #[inline]
    pub(crate) fn wants_collection(&self, bytes: usize) -> bool {
        self.min_threshold == 0
            || self.allocated >= self.threshold.max(self.min_threshold)
            || self
                .bytes
                .saturating_add(bytes)
                .saturating_add(OBJECT_OVERHEAD)
                > self.limit
    }

    /// Allocates an object of type `id` with `bytes` zeroed bytes (`len`
    /// elements for an array): its word.
    pub(crate) fn alloc(&mut self, id: u32, len: u32, bytes: usize) -> Result<u64, AllocError> {
        if bytes > MAX_OBJECT_BYTES {
            return Err(AllocError::TooLarge);
        }
        if self.bytes + bytes + OBJECT_OVERHEAD > self.limit {
            return Err(AllocError::Exhausted);
        }
        let data = zeroed_bytes(bytes).ok_or(AllocError::TooLarge)?;
        let object = Object {
            type_id: id,
            marked: false,
            pinned: false,
            len,
            data,
        };
        let cost = bytes + OBJECT_OVERHEAD;
        self.allocated += cost;
        self.bytes += cost;
        self.stats.allocated_objects += 1;
        self.stats.live_objects += 1;
        self.stats.heap_bytes = self.bytes as u64;
        let index = match self.free.pop() {
            Some(index) => {
                self.objects[index as usize] = object;
                index
            }
            None => {
                if self.objects.len() >= (u32::MAX >> 3) as usize {
                    return Err(AllocError::Exhausted);
                }
                self.objects.push(object);
                (self.objects.len() - 1) as u32
            }
        };
        Ok(object_word(index))
    }

    /// The object `word` refers to (a struct or array word, not null).
    #[inline]
    pub(crate) fn object(&self, word: u64) -> Option<&Object> {
        let object = self.objects.get(object_index(word)? as usize)?;
        (object.type_id != FREE).then_some(object)
    }

    /// The object `word` refers to, to write.
    #[inline]
    pub(crate) fn object_mut(&mut self, word: u64) -> Option<&mut Object> {
        let object = self.objects.get_mut(object_index(word)? as usize)?;
        (object.type_id != FREE).then_some(object)
    }

    /// Keeps the object `word` refers to (if it is one) alive for as long as
    /// the store: the host holds it, and the store cannot tell when the
    /// host lets go of a `Copy` handle.
    pub(crate) fn pin(&mut self, word: u64) {
        if let Some(object) = self.object_mut(word) {
            object.pinned = true;
        }
    }

    /// Marks the object `word` refers to, if it is one not marked yet.
    #[inline]
    fn mark(&mut self, word: u64) {
        let Some(index) = object_index(word) else {
            return;
        };
        if let Some(object) = self.objects.get_mut(index as usize) {
            if object.type_id != FREE && !object.marked {
                object.marked = true;
                self.work.push(index);
            }
        }
    }

    /// Collects: `roots` reports every root word (null and non-object words
    /// are ignored) to the function it is given. Returns the objects freed.
    pub(crate) fn collect(
        &mut self,
        types: &TypeRegistry,
        roots: impl FnOnce(&mut dyn FnMut(u64)),
    ) -> u64 {
        #[cfg(feature = "std")]
        let start = std::time::Instant::now();
        self.work.clear();
        for index in 0..self.objects.len() {
            let object = &mut self.objects[index];
            if object.pinned && object.type_id != FREE && !object.marked {
                object.marked = true;
                self.work.push(index as u32);
            }
        }
        roots(&mut |word| self.mark(word));
        let mut found: Vec<u64> = Vec::new();
        while let Some(index) = self.work.pop() {
            let type_id = self.objects[index as usize].type_id;
            self.layout(type_id, types);
            let layout = self.layouts[type_id as usize]
                .as_deref()
                .expect("made just above");
            let object = &self.objects[index as usize];
            let word_at = |at: usize| {
                object.data.get(at..at + 8).map_or(0, |b| {
                    u64::from_le_bytes(b.try_into().expect("eight bytes"))
                })
            };
            found.clear();
            match layout.kind {
                CompositeKind::Struct => {
                    found.extend(layout.traced.iter().map(|at| word_at(*at as usize)));
                }
                CompositeKind::Array if layout.traced_elements => {
                    found.extend((0..object.len as usize).map(|i| word_at(i * 8)));
                }
                _ => {}
            }
            for word in found.iter().copied() {
                self.mark(word);
            }
        }
        let mut freed = 0u64;
        let mut live_bytes = 0usize;
        for (index, object) in self.objects.iter_mut().enumerate() {
            if object.type_id == FREE {
                continue;
            }
            if object.marked {
                object.marked = false;
                live_bytes += object.data.len() + OBJECT_OVERHEAD;
            } else {
                object.type_id = FREE;
                object.data = Box::new([]);
                self.free.push(index as u32);
                freed += 1;
            }
        }
        self.bytes = live_bytes;
        self.allocated = 0;
        self.threshold = live_bytes;
        let stats = &mut self.stats;
        stats.collections += 1;
        stats.freed_objects += freed;
        stats.live_objects -= freed;
        stats.heap_bytes = live_bytes as u64;
        #[cfg(feature = "std")]
        {
            let pause = start.elapsed().as_nanos() as u64;
            stats.max_pause_ns = stats.max_pause_ns.max(pause);
            stats.total_pause_ns += pause;
        }
        freed
    }
}

impl GcHeap {
    /// Allocates a struct of type `id` holding `values` (slot bits; a
    /// `v128` whole), for constant expressions.
    pub(crate) fn new_struct(
        &mut self,
        id: u32,
        types: &TypeRegistry,
        values: &[u128],
    ) -> Result<u64, AllocError> {
        let layout = self.layout(id, types);
        let fields: Vec<(usize, usize)> = (layout.offsets.iter().zip(layout.storage.iter()))
            .map(|(at, s)| (*at as usize, s.size() as usize))
            .collect();
        let size = layout.size as usize;
        let word = self.alloc(id, 0, size)?;
        let object = self.object_mut(word).expect("just allocated");
        for ((at, size), value) in fields.into_iter().zip(values) {
            object.data[at..at + size].copy_from_slice(&value.to_le_bytes()[..size]);
        }
        Ok(word)
    }

    /// Allocates an array of type `id` with `len` elements, for constant
    /// expressions: each `fill`, or (when `values` is not empty) `values`.
    /// A zero fill writes nothing, so the pages stay untouched.
    pub(crate) fn new_array(
        &mut self,
        id: u32,
        types: &TypeRegistry,
        len: u32,
        fill: u128,
        values: &[u128],
    ) -> Result<u64, AllocError> {
        let size = self.layout(id, types).size as usize;
        let bytes = size.checked_mul(len as usize).ok_or(AllocError::TooLarge)?;
        let word = self.alloc(id, len, bytes)?;
        let object = self.object_mut(word).expect("just allocated");
        let chunks = object.data.chunks_exact_mut(size);
        if !values.is_empty() {
            for (chunk, value) in chunks.zip(values) {
                chunk.copy_from_slice(&value.to_le_bytes()[..size]);
            }
        } else if fill != 0 {
            for chunk in chunks {
                chunk.copy_from_slice(&fill.to_le_bytes()[..size]);
            }
        }
        Ok(word)
    }
}

/// Computes the layout of type `id`.
fn make_layout(id: u32, types: &TypeRegistry) -> Layout {
    let kind = |i: u32| types.composite(i).kind();
    let traced = |storage: StorageType| match storage {
        StorageType::Val(ty) => may_hold_object(ty, kind),
        _ => false,
    };
    match types.composite(id) {
        CompositeType::Struct(fields) => {
            let storage: Vec<StorageType> = fields.iter().map(|f| f.storage).collect();
            let (offsets, size) = struct_offsets(&storage);
            let traced_fields = (storage.iter().zip(&offsets))
                .filter(|(s, _)| traced(**s))
                .map(|(_, at)| *at)
                .collect();
            Layout {
                kind: CompositeKind::Struct,
                offsets: offsets.into_boxed_slice(),
                storage: storage.into_boxed_slice(),
                size,
                traced: traced_fields,
                traced_elements: false,
            }
        }
        CompositeType::Array(element) => Layout {
            kind: CompositeKind::Array,
            offsets: Box::new([]),
            storage: Box::new([element.storage]),
            size: element.storage.size(),
            traced: Box::new([]),
            traced_elements: traced(element.storage),
        },
        CompositeType::Func(_) => Layout {
            kind: CompositeKind::Func,
            offsets: Box::new([]),
            storage: Box::new([]),
            size: 0,
            traced: Box::new([]),
            traced_elements: false,
        },
    }
}

/// Whether the non-null reference `word` of the `any` hierarchy is a value
/// of heap type `heap` (a store type id if concrete) in the store `inner`:
/// the runtime side of `ref.test`, `ref.cast` and `br_on_cast`.
pub(crate) fn any_word_matches(
    inner: &super::store::StoreInner,
    word: u64,
    heap: HeapType,
) -> bool {
    let object = || inner.gc.object(word);
    let kind = || object().map(|o| inner.types.composite(o.type_id).kind());
    match heap {
        HeapType::Any => true,
        HeapType::Eq => is_i31(word) || object().is_some(),
        HeapType::I31 => is_i31(word),
        HeapType::Struct => kind() == Some(CompositeKind::Struct),
        HeapType::Array => kind() == Some(CompositeKind::Array),
        HeapType::Concrete(id) => object().is_some_and(|o| inner.types.is_subtype(o.type_id, id)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_kinds_apart() {
        assert_eq!(i31_value(i31_word(0x7FFF_FFFF)), 0x7FFF_FFFF);
        assert_eq!(i31_value(i31_word(0xFFFF_FFFF)), 0x7FFF_FFFF);
        assert!(is_i31(i31_word(0)));
        assert_eq!(host_index(host_word(7)), Some(7));
        assert_eq!(object_index(object_word(7)), Some(7));
        assert_eq!(object_index(host_word(7)), None);
        assert_eq!(host_index(object_word(7)), None);
        assert_eq!(object_index(0), None);
        assert_eq!(object_index(i31_word(4)), None);
    }
}
