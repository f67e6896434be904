//! Clocks: `clock_res_get`, `clock_time_get`, and the time `poll_oneoff`
//! waits by.

use std::time::{SystemTime, UNIX_EPOCH};

use super::errno::Errno;
use super::guest_memory::GuestMemory;
use super::types::clockid;
use super::{Args, HostResult, WasiCtx};

/// Nanoseconds since the Unix epoch.
pub(crate) fn realtime() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(unix)]
fn host_clock(id: rustix::time::ClockId) -> u64 {
    let time = rustix::time::clock_gettime(id);
    (time.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(time.tv_nsec as u64)
}

/// The host's monotonic clock, in nanoseconds from an arbitrary start (one
/// second before the first reading, so that it is never zero). Read through
/// `std`'s `Instant` (libc's `clock_gettime`) rather than rustix's vDSO
/// call, which valgrind cannot follow: the speed work measures WASI programs
/// by their instruction counts under valgrind.
pub(crate) fn monotonic() -> u64 {
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    (start.elapsed() + Duration::from_secs(1)).as_nanos() as u64
}

/// The value of clock `id` now.
pub(crate) fn now(id: u32) -> Result<u64, Errno> {
    match id {
        clockid::REALTIME => Ok(realtime()),
        clockid::MONOTONIC => Ok(monotonic()),
        // The guest runs on the calling thread, so both CPU-time clocks
        // are the host's own.
        #[cfg(unix)]
        clockid::PROCESS_CPUTIME_ID => Ok(host_clock(rustix::time::ClockId::ProcessCPUTime)),
        #[cfg(unix)]
        clockid::THREAD_CPUTIME_ID => Ok(host_clock(rustix::time::ClockId::ThreadCPUTime)),
        // wasmtime's errno for a clock it does not provide.
        #[cfg(not(unix))]
        clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => Err(Errno::BADF),
        _ => Err(Errno::INVAL),
    }
}

/// The resolution of clock `id`.
fn resolution(id: u32) -> Result<u64, Errno> {
    #[cfg(unix)]
    {
        use rustix::time::ClockId;
        let clock = match id {
            clockid::REALTIME => ClockId::Realtime,
            clockid::MONOTONIC => ClockId::Monotonic,
            clockid::PROCESS_CPUTIME_ID => ClockId::ProcessCPUTime,
            clockid::THREAD_CPUTIME_ID => ClockId::ThreadCPUTime,
            _ => return Err(Errno::INVAL),
        };
        let res = rustix::time::clock_getres(clock);
        Ok(((res.tv_sec as u64) * 1_000_000_000 + res.tv_nsec as u64).max(1))
    }
    #[cfg(not(unix))]
    {
        now(id).map(|_| 1)
    }
}

pub(crate) fn clock_res_get(
    _: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (id, result) = (a.u32(0), a.u32(1));
    mem.write_u64(result, resolution(id)?)?;
    Ok(())
}

pub(crate) fn clock_time_get(
    _: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    // The precision argument (a.u64(1)) is a hint the host may ignore.
    let (id, result) = (a.u32(0), a.u32(2));
    mem.write_u64(result, now(id)?)?;
    Ok(())
}
