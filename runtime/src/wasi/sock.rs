//! The `sock_*` functions.
//!
//! A preview1 guest gets sockets only from the host, pre-opened, and Tabula
//! (like `wasmtime run`) pre-opens none: every descriptor the guest can name
//! is something else. So each call answers `badf` for a number that is not
//! open and `notsock` for one that is, exactly as wasmtime does.

use super::errno::Errno;
use super::guest_memory::GuestMemory;
use super::{Args, HostResult, WasiCtx};

fn not_a_socket(cx: &WasiCtx, fd: u32) -> HostResult {
    cx.fds.get(fd)?;
    Err(Errno::NOTSOCK.into())
}

pub(crate) fn sock_accept(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    not_a_socket(cx, a.u32(0))
}

pub(crate) fn sock_recv(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    not_a_socket(cx, a.u32(0))
}

pub(crate) fn sock_send(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    not_a_socket(cx, a.u32(0))
}

pub(crate) fn sock_shutdown(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    not_a_socket(cx, a.u32(0))
}
