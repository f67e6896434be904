//! `poll_oneoff`: wait for clocks and for descriptors to become ready.
//!
//! Files and output streams are always ready, as in wasmtime; captured or
//! given stdin is ready at once. The only things that can make the guest
//! wait are clocks and the host's own stdin, which is polled with the
//! nearest clock's timeout.

use super::clock;
use super::errno::Errno;
use super::fd_table::Descriptor;
use super::guest_memory::GuestMemory;
use super::types::{clockid, eventrwflags, eventtype, rights, size, subclockflags};
use super::{Args, HostResult, WasiCtx};

/// An event to report: for subscription `index`, with its userdata.
struct Event {
    index: usize,
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn write(&self, mem: &mut GuestMemory<'_>, ptr: u32) -> Result<(), Errno> {
        let mut bytes = [0u8; 32];
        bytes[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        bytes[8..10].copy_from_slice(&self.error.0.to_le_bytes());
        bytes[10] = self.kind;
        bytes[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        bytes[24..26].copy_from_slice(&self.flags.to_le_bytes());
        mem.write(ptr, &bytes)
    }
}

/// When a clock subscription fires, on the monotonic clock.
fn deadline(id: u32, timeout: u64, flags: u16) -> Result<u64, Errno> {
    let now = clock::monotonic();
    if flags & subclockflags::ABSTIME == 0 {
        return match id {
            clockid::REALTIME | clockid::MONOTONIC => Ok(now.saturating_add(timeout)),
            _ => Err(Errno::INVAL),
        };
    }
    match id {
        clockid::MONOTONIC => Ok(timeout),
        // Wall-clock deadlines become delays: the wall clock can jump.
        clockid::REALTIME => Ok(now.saturating_add(timeout.saturating_sub(clock::realtime()))),
        _ => Err(Errno::INVAL),
    }
}

/// Waits until the host's stdin has input (or end of file) or `timeout`
/// nanoseconds pass (`None`: no limit); whether it is ready.
#[cfg(unix)]
fn wait_host_stdin(timeout: Option<u64>) -> bool {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let timeout = timeout.map(|ns| Timespec {
        tv_sec: (ns / 1_000_000_000) as _,
        tv_nsec: (ns % 1_000_000_000) as _,
    });
    loop {
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(n) => return n > 0,
            Err(rustix::io::Errno::INTR) => continue,
            // Let the read report whatever is wrong.
            Err(_) => return true,
        }
    }
}

/// Without a way to poll, stdin counts as ready: the read will wait.
#[cfg(not(unix))]
fn wait_host_stdin(_timeout: Option<u64>) -> bool {
    true
}

pub(crate) fn poll_oneoff(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (subs, out, count, nevents) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    // Waiting on nothing would wait forever; wasmtime refuses it too.
    if count == 0 {
        return Err(Errno::INVAL.into());
    }
    let subs_len = count.checked_mul(size::SUBSCRIPTION).ok_or(Errno::FAULT)?;
    let events_len = count.checked_mul(size::EVENT).ok_or(Errno::FAULT)?;
    mem.slice(subs, subs_len)?;
    mem.slice(out, events_len)?;

    let mut events = Vec::new();
    let mut clocks = Vec::new();
    let mut stdin_waiters = Vec::new();
    for index in 0..count as usize {
        let at = subs + index as u32 * size::SUBSCRIPTION;
        let userdata = mem.read_u64(at)?;
        let kind = mem.read_u8(at + 8)?;
        let ready = |error: Errno, nbytes: u64, flags: u16| Event {
            index,
            userdata,
            error,
            kind,
            nbytes,
            flags,
        };
        match kind {
            eventtype::CLOCK => {
                let id = mem.read_u32(at + 16)?;
                let timeout = mem.read_u64(at + 24)?;
                let flags = mem.read_u16(at + 40)?;
                clocks.push((index, userdata, deadline(id, timeout, flags)?));
            }
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd = mem.read_u32(at + 16)?;
                let read = kind == eventtype::FD_READ;
                if let Err(errno) = cx.fds.require(fd, rights::POLL_FD_READWRITE) {
                    events.push(ready(errno, 0, 0));
                    continue;
                }
                match cx.fds.get(fd) {
                    Ok(Descriptor::Stdin(stdin)) if read => match stdin.ready_bytes() {
                        Some(0) => events.push(ready(Errno::SUCCESS, 0, eventrwflags::HANGUP)),
                        Some(n) => events.push(ready(Errno::SUCCESS, n, 0)),
                        None => stdin_waiters.push((index, userdata)),
                    },
                    Ok(Descriptor::File(file)) if read => {
                        let size = file.file.metadata().map_or(0, |m| m.len());
                        events.push(ready(Errno::SUCCESS, size.saturating_sub(file.position), 0));
                    }
                    Ok(Descriptor::File(_) | Descriptor::Stdout(_) | Descriptor::Stderr(_))
                        if !read =>
                    {
                        events.push(ready(Errno::SUCCESS, 0, 0));
                    }
                    // Not open, or not readable/writable this way: the
                    // subscription's event carries the error.
                    _ => events.push(ready(Errno::BADF, 0, 0)),
                }
            }
            _ => return Err(Errno::INVAL.into()),
        }
    }

    // Report what is ready now; if nothing is, wait for the nearest clock
    // or for the host's stdin, then look again.
    let due = |clocks: &[(usize, u64, u64)]| -> Vec<Event> {
        let now = clock::monotonic();
        clocks
            .iter()
            .filter(|&&(_, _, deadline)| deadline <= now)
            .map(|&(index, userdata, _)| Event {
                index,
                userdata,
                error: Errno::SUCCESS,
                kind: eventtype::CLOCK,
                nbytes: 0,
                flags: 0,
            })
            .collect()
    };
    loop {
        let now = clock::monotonic();
        let ready_now = !events.is_empty() || !due(&clocks).is_empty();
        let nearest = clocks
            .iter()
            .map(|&(_, _, deadline)| deadline.saturating_sub(now))
            .min();
        if !stdin_waiters.is_empty() {
            // Even when something else is ready, stdin is reported if it is.
            let timeout = if ready_now { Some(0) } else { nearest };
            if wait_host_stdin(timeout) {
                events.extend(stdin_waiters.drain(..).map(|(index, userdata)| Event {
                    index,
                    userdata,
                    error: Errno::SUCCESS,
                    kind: eventtype::FD_READ,
                    nbytes: 1,
                    flags: 0,
                }));
            }
        } else if let (false, Some(nearest)) = (ready_now, nearest) {
            std::thread::sleep(std::time::Duration::from_nanos(nearest));
        }
        let due = due(&clocks);
        if !events.is_empty() || !due.is_empty() {
            events.extend(due);
            break;
        }
    }
    events.sort_by_key(|event| event.index);
    for (i, event) in events.iter().enumerate() {
        event.write(mem, out + i as u32 * size::EVENT)?;
    }
    mem.write_u32(nevents, events.len() as u32)?;
    Ok(())
}
