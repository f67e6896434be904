//! The internal register code the executor runs.
//!
//! Validation translates each function body, in the same pass, into a flat
//! sequence of 64-bit words: every instruction is a word holding its
//! handler's address, then 32-bit lanes (frame slots, immediates, branch
//! offsets) padded to whole words. Locals, temporaries and stored constants
//! are frame slots, so `local.get`, `local.set` and constants mostly become
//! operands of other instructions; one value at a time may travel in the
//! accumulator register from one instruction to the next.
//!
//! A frame is `[parameters | locals | temporaries]`; a callee's frame starts
//! at its caller's first argument slot, so arguments are never copied and
//! results come back where the arguments were. This module holds the code's
//! container and encoder; `validate::func` decides what to emit and
//! `exec::handlers` what each handler does.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::exec::dispatch::{Handler, Ip};
use crate::validate::ModuleContext;

/// A function translated for the executor.
#[derive(Debug)]
pub(crate) struct CompiledFunc {
    /// Index in the module's function index space (imports first).
    pub(crate) func_index: u32,
    /// The code; it always ends in a return.
    pub(crate) code: Box<[u64]>,
    /// Where each wasm instruction's code starts.
    pub(crate) offsets: OffsetTable,
    /// Slots taken by the parameters (the caller has already written them).
    pub(crate) param_slots: u32,
    /// Slots of declared locals beyond the parameters, zeroed on entry.
    pub(crate) local_slots: u32,
    /// Slots the whole frame needs: parameters, locals and temporaries.
    pub(crate) frame_slots: u32,
    /// The `try_table` bodies, innermost first (empty for most functions:
    /// only the unwinder reads this, never a call or return).
    pub(crate) handlers: Box<[TryHandler]>,
    /// Where the frame holds heap references, for the collector.
    pub(crate) stack_maps: StackMaps,
}

/// Which frame slots may hold heap references (GC) at each point where a
/// collection can happen: allocations, and calls (a collection in a callee
/// sees this frame waiting at the call). Empty for functions that never
/// hold such a reference, which is most functions of most modules.
#[derive(Debug, Default)]
pub(crate) struct StackMaps {
    /// `(word, first entry of slots, entries)` at each allocation, keyed by
    /// the instruction's first word, in code order.
    pub(crate) allocations: Box<[(u32, u32, u32)]>,
    /// The same at each call, keyed by the word of its return address.
    pub(crate) calls: Box<[(u32, u32, u32)]>,
    /// The slot lists the entries point into.
    pub(crate) slots: Box<[u32]>,
}

impl StackMaps {
    /// Whether there is no map at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.allocations.is_empty() && self.calls.is_empty()
    }

    /// The slots that may hold heap references when the frame stopped at
    /// word `word` (`call`: a return address).
    pub(crate) fn at(&self, word: u32, call: bool) -> &[u32] {
        let entries = if call { &self.calls } else { &self.allocations };
        match entries.binary_search_by_key(&word, |e| e.0) {
            Ok(i) => {
                let (_, start, len) = entries[i];
                &self.slots[start as usize..(start + len) as usize]
            }
            Err(_) => &[],
        }
    }
}

/// A `try_table` body's code and what catches exceptions thrown in it.
#[derive(Debug)]
pub(crate) struct TryHandler {
    /// First word of the body's code.
    pub(crate) start: u32,
    /// One past its last word.
    pub(crate) end: u32,
    /// The catch clauses, in the order they are tried.
    pub(crate) catches: Box<[CatchTarget]>,
}

/// Where one catch clause lands.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CatchTarget {
    pub(crate) kind: crate::binary::CatchKind,
    /// The module's tag index (for `catch` and `catch_ref`).
    pub(crate) tag: u32,
    /// The frame slot where the label's values start.
    pub(crate) dst: u32,
    /// The word of the landing pad: a branch to the label, or a return.
    pub(crate) target: u32,
}

impl CompiledFunc {
    /// The wasm byte offset of the instruction whose code contains `ip`
    /// (or, for a return address, of the call just before it).
    pub(crate) fn wasm_offset(&self, ip: Ip, return_address: bool) -> u32 {
        let word = (ip as usize).wrapping_sub(self.code.as_ptr() as usize) / 8;
        let word = word.saturating_sub(usize::from(return_address)) as u32;
        let index = self.offsets.partition_point(|(start, _)| *start <= word);
        index
            .checked_sub(1)
            .map_or(0, |index| self.offsets[index].1)
    }
}

/// The code of one defined function, translated on its first call.
pub(crate) struct LazyFunc(AtomicPtr<CompiledFunc>);

impl LazyFunc {
    /// Not translated yet.
    pub(crate) fn new() -> Self {
        LazyFunc(AtomicPtr::new(core::ptr::null_mut()))
    }

    /// The code, or null if it is not translated yet.
    #[inline(always)]
    pub(crate) fn get(&self) -> *const CompiledFunc {
        self.0.load(Ordering::Acquire)
    }
}

impl Drop for LazyFunc {
    fn drop(&mut self) {
        let code = *self.0.get_mut();
        if !code.is_null() {
            // SAFETY: a non-null pointer came from `Box::into_raw` in
            // `CompiledModule::translate` and is dropped only here.
            drop(unsafe { Box::from_raw(code) });
        }
    }
}

/// A validated module together with the code of its functions.
pub(crate) struct CompiledModule {
    /// The decoded module.
    pub(crate) module: crate::binary::Module,
    /// What translating a function body needs to know about the module.
    pub(crate) context: ModuleContext,
    /// Code of each defined function, in function index order.
    pub(crate) funcs: Box<[LazyFunc]>,
    /// Each export's position in `module.exports`, by name: built once per
    /// module, so instances keep no map of their own.
    pub(crate) exports: alloc::collections::BTreeMap<alloc::string::String, u32>,
    /// Whether a function translated so far has a `try_table`: the
    /// unwinder skips looking up the frames of a module without one.
    pub(crate) has_handlers: core::sync::atomic::AtomicBool,
    /// Whether a function translated so far has a stack map: the collector
    /// skips looking up the frames of a module without one.
    pub(crate) has_stack_maps: core::sync::atomic::AtomicBool,
}

impl core::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CompiledModule")
            .field("funcs", &self.funcs.len())
            .finish_non_exhaustive()
    }
}

impl CompiledModule {
    /// The code of defined function `defined`, translating it on first use.
    #[inline]
    pub(crate) fn func(&self, defined: u32) -> *const CompiledFunc {
        let code = self.funcs[defined as usize].get();
        if code.is_null() {
            self.translate(defined)
        } else {
            code
        }
    }

    /// Translates defined function `defined`; if another thread got there
    /// first, keeps its code.
    #[cold]
    #[inline(never)]
    pub(crate) fn translate(&self, defined: u32) -> *const CompiledFunc {
        let code = crate::validate::translate(&self.context, &self.module, defined)
            .expect("the body was validated when the module was created");
        // Set before the code is published, so whoever runs it sees them.
        if !code.handlers.is_empty() {
            self.has_handlers.store(true, Ordering::Release);
        }
        if !code.stack_maps.is_empty() {
            self.has_stack_maps.store(true, Ordering::Release);
        }
        let code = Box::into_raw(Box::new(code));
        match self.funcs[defined as usize].0.compare_exchange(
            core::ptr::null_mut(),
            code,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => code,
            Err(existing) => {
                // SAFETY: `code` came from `Box::into_raw` above and was not shared.
                drop(unsafe { Box::from_raw(code) });
                existing
            }
        }
    }

    /// The name of function `func_index` from the name section, if any.
    pub(crate) fn func_name(&self, func_index: u32) -> Option<&str> {
        self.module
            .names
            .functions
            .get(&func_index)
            .map(|s| s.as_str())
    }
}

/// `(first word of an instruction, wasm byte offset)` for each instruction
/// that starts a new wasm instruction, in code order.
pub(crate) type OffsetTable = Box<[(u32, u32)]>;

/// Appends instructions to a function's code.
#[derive(Default)]
pub(crate) struct Encoder {
    code: Vec<u64>,
    offsets: Vec<(u32, u32)>,
}

impl Encoder {
    /// Appends an instruction; returns its first word's index.
    pub(crate) fn emit(&mut self, handler: Handler, lanes: &[u32], wasm_offset: u32) -> u32 {
        let start = self.code.len() as u32;
        self.code.push(handler as usize as u64);
        for pair in lanes.chunks(2) {
            let low = u64::from(pair[0]);
            let high = pair.get(1).map_or(0, |h| u64::from(*h));
            self.code.push(low | (high << 32));
        }
        if self.offsets.last().is_none_or(|(_, o)| *o != wasm_offset) {
            self.offsets.push((start, wasm_offset));
        }
        start
    }

    /// Index of the next instruction's first word.
    pub(crate) fn len(&self) -> u32 {
        self.code.len() as u32
    }

    /// Lane `k` of the instruction at word `start`.
    pub(crate) fn lane(&self, start: u32, k: usize) -> u32 {
        let word = self.code[start as usize + 1 + k / 2];
        (word >> (32 * (k % 2))) as u32
    }

    /// Overwrites lane `k` of the instruction at word `start`.
    pub(crate) fn set_lane(&mut self, start: u32, k: usize, value: u32) {
        let word = &mut self.code[start as usize + 1 + k / 2];
        let shift = 32 * (k % 2);
        *word = (*word & !(0xFFFF_FFFFu64 << shift)) | (u64::from(value) << shift);
    }

    /// Points lane `k` of the branch at word `start` at word `target`.
    pub(crate) fn patch_branch(&mut self, start: u32, k: usize, target: u32) {
        self.set_lane(start, k, target.wrapping_sub(start));
    }

    /// The finished code and offset table.
    pub(crate) fn finish(self) -> (Box<[u64]>, OffsetTable) {
        (
            self.code.into_boxed_slice(),
            self.offsets.into_boxed_slice(),
        )
    }
}
