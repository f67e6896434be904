//! The process: arguments, environment, exit, signals, scheduling and
//! randomness.

use super::errno::Errno;
use super::guest_memory::GuestMemory;
use super::types::signal::{self, Action};
use super::{Args, HostError, HostResult, WasiCtx};
use crate::exec::trap::Trap;

/// Writes NUL-terminated `strings` into the buffer at `buf` and a pointer
/// to each into the array at `ptrs` (as `argv`/`environ` are laid out).
fn write_strings(
    mem: &mut GuestMemory<'_>,
    ptrs: u32,
    buf: u32,
    strings: impl Iterator<Item = Vec<u8>>,
) -> HostResult {
    let mut at = buf;
    for (i, mut string) in strings.enumerate() {
        let slot = (i as u32)
            .checked_mul(4)
            .and_then(|o| ptrs.checked_add(o))
            .ok_or(Errno::FAULT)?;
        mem.write_u32(slot, at)?;
        string.push(0);
        mem.write(at, &string)?;
        at = at.checked_add(string.len() as u32).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

/// Writes the count of `strings` and the bytes they take with their NULs.
fn write_sizes(
    mem: &mut GuestMemory<'_>,
    count_ptr: u32,
    size_ptr: u32,
    sizes: &[usize],
) -> HostResult {
    let total: usize = sizes.iter().map(|len| len + 1).sum();
    let total = u32::try_from(total).map_err(|_| Errno::OVERFLOW)?;
    mem.write_u32(count_ptr, sizes.len() as u32)?;
    mem.write_u32(size_ptr, total)?;
    Ok(())
}

fn env_strings(cx: &WasiCtx) -> impl Iterator<Item = Vec<u8>> + '_ {
    cx.env
        .iter()
        .map(|(name, value)| format!("{name}={value}").into_bytes())
}

pub(crate) fn args_get(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    write_strings(
        mem,
        a.u32(0),
        a.u32(1),
        cx.args.iter().map(|s| s.clone().into_bytes()),
    )
}

pub(crate) fn args_sizes_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let sizes: Vec<usize> = cx.args.iter().map(String::len).collect();
    write_sizes(mem, a.u32(0), a.u32(1), &sizes)
}

pub(crate) fn environ_get(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    write_strings(mem, a.u32(0), a.u32(1), env_strings(cx))
}

pub(crate) fn environ_sizes_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let sizes: Vec<usize> = env_strings(cx).map(|s| s.len()).collect();
    write_sizes(mem, a.u32(0), a.u32(1), &sizes)
}

/// Unwinds the guest: the embedder's call returns `Error::Exit(status)`.
pub(crate) fn proc_exit(_: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    Err(HostError::Trap(Trap::exit(a.u32(0) as i32)))
}

/// Raises a signal in the guest's own process. A guest installs no
/// handlers, so each signal does its default action: one that terminates
/// ends the guest like a killed process, with status 128 + the signal's
/// number; the others change nothing.
pub(crate) fn proc_raise(_: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let sig = u8::try_from(a.u32(0)).map_err(|_| Errno::INVAL)?;
    match signal::action(sig).ok_or(Errno::INVAL)? {
        Action::Ignore | Action::Stop => Ok(()),
        Action::Terminate => {
            let mut trap = Trap::exit(128 + i32::from(sig));
            trap.message = Some(format!(
                "terminated by signal SIG{}",
                signal::NAMES[usize::from(sig)].to_uppercase()
            ));
            Err(HostError::Trap(trap))
        }
    }
}

pub(crate) fn sched_yield(_: &mut WasiCtx, _: &mut GuestMemory<'_>, _: &Args<'_>) -> HostResult {
    std::thread::yield_now();
    Ok(())
}

pub(crate) fn random_get(_: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let buf = mem.slice_mut(a.u32(0), a.u32(1))?;
    getrandom::fill(buf).map_err(|_| Errno::IO)?;
    Ok(())
}
