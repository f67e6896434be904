//! How handlers are called, and what they read and write.
//!
//! Compiled code is a sequence of 64-bit words. Each instruction is a word
//! holding its handler's address followed by 32-bit lanes (slots, immediates,
//! branch offsets), padded to whole words. Every handler has one signature:
//! the instruction pointer, the frame pointer, linear memory 0's base and
//! length, the execution context and the accumulator, so all hot state
//! travels in argument registers.
//!
//! Two backends run the same handler bodies, chosen by `build.rs`:
//! - **tail calls** (`tabula_tail_calls`): each handler ends by calling the
//!   next one in tail position, which LLVM turns into a jump in optimised
//!   builds on the targets it is known to do so;
//! - **loop**: each handler returns the next state to a loop. Debug builds and
//!   other targets use it, so they never grow the native stack per instruction.
//!
//! Handler bodies are written against the macros below (`handler!`, `next!`,
//! `exit!`, `trap!`), the only place the backends differ.

use super::interp::Ctx;
use super::trap::TrapCode;

/// Points at the first word of an instruction.
pub(crate) type Ip = *const u64;

/// A handler: runs one instruction and continues with the next.
#[cfg(all(tabula_tail_calls, target_arch = "x86_64"))]
pub(crate) type Handler = unsafe extern "sysv64" fn(Ip, *mut u64, *mut u8, usize, *mut Ctx, u64);

/// A handler: runs one instruction and continues with the next.
#[cfg(all(tabula_tail_calls, not(target_arch = "x86_64")))]
pub(crate) type Handler = unsafe extern "C" fn(Ip, *mut u64, *mut u8, usize, *mut Ctx, u64);

/// A handler: runs one instruction and returns the state to continue with.
#[cfg(not(tabula_tail_calls))]
pub(crate) type Handler = unsafe fn(Ip, *mut u64, *mut u8, usize, *mut Ctx, u64) -> Next;

/// The loop backend's state between two handlers; a null `ip` stops the loop.
#[cfg(not(tabula_tail_calls))]
pub(crate) struct Next {
    pub(crate) ip: Ip,
    pub(crate) fp: *mut u64,
    pub(crate) mem: *mut u8,
    pub(crate) mem_len: usize,
    pub(crate) acc: u64,
}

/// Defines a handler. The body sees `ip`, `fp`, `mem`, `mem_len`, `cx` and
/// `acc` under the names given, all mutable, and must end in `next!`,
/// `exit!` or `trap!`. Tail-call handlers use `extern "sysv64"` on x86-64
/// (six integer argument registers on every OS) and the C ABI elsewhere.
#[cfg(all(tabula_tail_calls, target_arch = "x86_64"))]
macro_rules! handler {
    ($($item:tt)*) => { $crate::exec::dispatch::tail_handler! { "sysv64" $($item)* } };
}

/// Defines a handler: see the x86-64 version.
#[cfg(all(tabula_tail_calls, not(target_arch = "x86_64")))]
macro_rules! handler {
    ($($item:tt)*) => { $crate::exec::dispatch::tail_handler! { "C" $($item)* } };
}

/// A tail-call handler with the given ABI (for `handler!`).
#[cfg(tabula_tail_calls)]
macro_rules! tail_handler {
    ($abi:literal $(#[$meta:meta])* fn $name:ident($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) { $($body:tt)* }) => {
        $(#[$meta])*
        #[allow(unused_mut, unused_variables, clippy::missing_safety_doc)]
        pub(crate) unsafe extern $abi fn $name(
            mut $ip: Ip,
            mut $fp: *mut u64,
            mut $mem: *mut u8,
            mut $len: usize,
            $cx: *mut Ctx,
            mut $acc: u64,
        ) {
            // SAFETY: handlers run only on code the translator produced from a
            // validated function, in a frame with the room that function
            // asked for: every lane, slot and branch target is in bounds.
            unsafe { $($body)* }
        }
    };
}

/// Defines a handler (loop backend): see the tail-call version.
#[cfg(not(tabula_tail_calls))]
macro_rules! handler {
    ($(#[$meta:meta])* fn $name:ident($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) { $($body:tt)* }) => {
        $(#[$meta])*
        #[allow(unused_mut, unused_variables, clippy::missing_safety_doc)]
        pub(crate) unsafe fn $name(
            mut $ip: Ip,
            mut $fp: *mut u64,
            mut $mem: *mut u8,
            mut $len: usize,
            $cx: *mut Ctx,
            mut $acc: u64,
        ) -> Next {
            // SAFETY: handlers run only on code the translator produced from a
            // validated function, in a frame with the room that function
            // asked for: every lane, slot and branch target is in bounds.
            unsafe { $($body)* }
        }
    };
}

/// Continues at the instruction `ip` with the given state.
#[cfg(tabula_tail_calls)]
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {{
        #[cfg(feature = "dispatch-counts")]
        {
            (*$cx).dispatches += 1;
        }
        let ip: Ip = $ip;
        let handler: Handler = ip.cast::<Handler>().read();
        return handler(ip, $fp, $mem, $len, $cx, $acc);
    }};
}

/// Continues at the instruction `ip` with the given state (loop backend).
#[cfg(not(tabula_tail_calls))]
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {{
        #[cfg(feature = "dispatch-counts")]
        {
            (*$cx).dispatches += 1;
        }
        return Next {
            ip: $ip,
            fp: $fp,
            mem: $mem,
            mem_len: $len,
            acc: $acc,
        };
    }};
}

/// Leaves the code; the reason is already in the context.
#[cfg(tabula_tail_calls)]
macro_rules! exit {
    () => {
        return
    };
}

/// Leaves the code; the reason is already in the context (loop backend).
#[cfg(not(tabula_tail_calls))]
macro_rules! exit {
    () => {
        return Next {
            ip: core::ptr::null(),
            fp: core::ptr::null_mut(),
            mem: core::ptr::null_mut(),
            mem_len: 0,
            acc: 0,
        }
    };
}

/// Traps at the instruction `ip`.
macro_rules! trap {
    ($cx:expr, $ip:expr, $code:expr) => {{
        raise($cx, $ip, $code);
        exit!()
    }};
}

#[cfg(tabula_tail_calls)]
pub(crate) use tail_handler;
pub(crate) use {exit, handler, next, trap};

/// Records a trap at `ip` in the context.
#[cold]
#[inline(never)]
pub(crate) fn raise(cx: *mut Ctx, ip: Ip, code: TrapCode) {
    // SAFETY: `cx` is the live context of the running call.
    unsafe { (*cx).exit = super::interp::Exit::Trap { code, ip } };
}

/// Runs code from `ip` until a handler exits.
///
/// # Safety
/// `ip` must be compiled code of the function whose frame is `fp`, and `cx`
/// the live context of this call.
#[inline(never)]
pub(crate) unsafe fn run_code(ip: Ip, fp: *mut u64, mem: *mut u8, mem_len: usize, cx: *mut Ctx) {
    #[cfg(tabula_tail_calls)]
    // SAFETY: the caller's contract; the handler word starts every instruction.
    unsafe {
        let handler: Handler = ip.cast::<Handler>().read();
        handler(ip, fp, mem, mem_len, cx, 0);
    }
    #[cfg(not(tabula_tail_calls))]
    // SAFETY: the caller's contract; each handler returns the next valid state.
    unsafe {
        let mut state = Next {
            ip,
            fp,
            mem,
            mem_len,
            acc: 0,
        };
        while !state.ip.is_null() {
            let handler: Handler = state.ip.cast::<Handler>().read();
            state = handler(state.ip, state.fp, state.mem, state.mem_len, cx, state.acc);
        }
    }
}

/// Whether this build dispatches with tail calls (else with a loop).
pub const TAIL_CALLS: bool = cfg!(tabula_tail_calls);

/// A value that lives in a 64-bit slot or the accumulator.
pub(crate) trait Cell: Copy {
    /// The value held in `cell`.
    fn from_cell(cell: u64) -> Self;
    /// The value as slot bits.
    fn into_cell(self) -> u64;
    /// The value of a 32-bit immediate lane.
    fn from_imm(lane: u32) -> Self;
}

impl Cell for i32 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        cell as u32 as i32
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        u64::from(self as u32)
    }
    #[inline(always)]
    fn from_imm(lane: u32) -> Self {
        lane as i32
    }
}

impl Cell for i64 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        cell as i64
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self as u64
    }
    /// An i64 immediate is a sign-extended i32.
    #[inline(always)]
    fn from_imm(lane: u32) -> Self {
        i64::from(lane as i32)
    }
}

impl Cell for f32 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f32::from_bits(cell as u32)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        u64::from(self.to_bits())
    }
    #[inline(always)]
    fn from_imm(lane: u32) -> Self {
        f32::from_bits(lane)
    }
}

impl Cell for f64 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f64::from_bits(cell)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits()
    }
    #[inline(always)]
    fn from_imm(lane: u32) -> Self {
        f64::from_bits(u64::from(lane))
    }
}

/// References: 0 is null, else the store address plus one.
impl Cell for u64 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        cell
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self
    }
    #[inline(always)]
    fn from_imm(lane: u32) -> Self {
        u64::from(lane)
    }
}

/// Lane `k` of the instruction at `ip`.
///
/// # Safety
/// The instruction must have that lane.
#[inline(always)]
pub(crate) unsafe fn lane(ip: Ip, k: usize) -> u32 {
    // SAFETY: the caller's contract; lanes follow the handler word.
    unsafe { ip.cast::<u32>().add(2 + k).read() }
}

/// Lanes `k` and `k + 1` as one 64-bit value, low half first.
///
/// # Safety
/// The instruction must have those lanes.
#[inline(always)]
pub(crate) unsafe fn lane64(ip: Ip, k: usize) -> u64 {
    // SAFETY: the caller's contract.
    unsafe { ip.cast::<u32>().add(2 + k).cast::<u64>().read_unaligned() }
}

/// Lanes `k..k + 4` as one 128-bit value, low lane first.
///
/// # Safety
/// The instruction must have those lanes.
#[inline(always)]
pub(crate) unsafe fn lane128(ip: Ip, k: usize) -> u128 {
    // SAFETY: the caller's contract.
    unsafe { ip.cast::<u32>().add(2 + k).cast::<u128>().read_unaligned() }
}

/// Reads slot `slot` of the frame.
///
/// # Safety
/// The slot must be inside the frame.
#[inline(always)]
pub(crate) unsafe fn get<T: Cell>(fp: *mut u64, slot: u32) -> T {
    // SAFETY: the caller's contract.
    T::from_cell(unsafe { fp.add(slot as usize).read() })
}

/// Writes slot `slot` of the frame.
///
/// # Safety
/// The slot must be inside the frame.
#[inline(always)]
pub(crate) unsafe fn set<T: Cell>(fp: *mut u64, slot: u32, value: T) {
    // SAFETY: the caller's contract.
    unsafe { fp.add(slot as usize).write(value.into_cell()) }
}

/// Reads the `v128` in slots `slot` (low half) and `slot + 1`.
///
/// # Safety
/// Both slots must be inside the frame.
#[inline(always)]
pub(crate) unsafe fn get_v128(fp: *mut u64, slot: u32) -> u128 {
    // SAFETY: the caller's contract.
    unsafe {
        let low = fp.add(slot as usize).read();
        let high = fp.add(slot as usize + 1).read();
        (u128::from(high) << 64) | u128::from(low)
    }
}

/// Writes a `v128` to slots `slot` (low half) and `slot + 1`.
///
/// # Safety
/// Both slots must be inside the frame.
#[inline(always)]
pub(crate) unsafe fn set_v128(fp: *mut u64, slot: u32, value: u128) {
    // SAFETY: the caller's contract.
    unsafe {
        fp.add(slot as usize).write(value as u64);
        fp.add(slot as usize + 1).write((value >> 64) as u64);
    }
}

/// Reads `N` bytes at `address + offset` of memory `mem` (`len` bytes long),
/// or `None` if any of them is out of bounds.
///
/// # Safety
/// `mem` must point at `len` readable bytes.
#[inline(always)]
pub(crate) unsafe fn load<const N: usize>(
    mem: *mut u8,
    len: usize,
    address: i32,
    offset: u32,
) -> Option<[u8; N]> {
    let start = u64::from(address as u32) + u64::from(offset);
    if start + N as u64 > len as u64 {
        return None;
    }
    // SAFETY: `start + N <= len`, checked above.
    Some(unsafe { mem.add(start as usize).cast::<[u8; N]>().read_unaligned() })
}

/// Reads `N` bytes at `address + offset` of `data`, or `None` if any of
/// them is out of bounds: the general (any memory, 64-bit) access path.
#[inline]
pub(crate) fn load_at<const N: usize>(data: &[u8], address: u64, offset: u64) -> Option<[u8; N]> {
    let start = usize::try_from(address.checked_add(offset)?).ok()?;
    data.get(start..start.checked_add(N)?)?.try_into().ok()
}

/// Writes `bytes` at `address + offset` of `data`, or returns false (writing
/// nothing) if any byte is out of bounds: the general access path.
#[inline]
pub(crate) fn store_at<const N: usize>(
    data: &mut [u8],
    address: u64,
    offset: u64,
    bytes: [u8; N],
) -> bool {
    let Some(start) = address
        .checked_add(offset)
        .and_then(|a| usize::try_from(a).ok())
    else {
        return false;
    };
    match start
        .checked_add(N)
        .and_then(|end| data.get_mut(start..end))
    {
        Some(window) => {
            window.copy_from_slice(&bytes);
            true
        }
        None => false,
    }
}

/// Writes `bytes` at `address + offset`, or returns false if any byte is out
/// of bounds (then nothing is written).
///
/// # Safety
/// `mem` must point at `len` writable bytes.
#[inline(always)]
pub(crate) unsafe fn store<const N: usize>(
    mem: *mut u8,
    len: usize,
    address: i32,
    offset: u32,
    bytes: [u8; N],
) -> bool {
    let start = u64::from(address as u32) + u64::from(offset);
    if start + N as u64 > len as u64 {
        return false;
    }
    // SAFETY: `start + N <= len`, checked above.
    unsafe {
        mem.add(start as usize)
            .cast::<[u8; N]>()
            .write_unaligned(bytes)
    };
    true
}
