//! The `fd_*` functions: operations on an open descriptor.

use cap_fs_ext::{FileTypeExt, MetadataExt};
use cap_std::fs::Metadata;

use super::errno::Errno;
use super::fd_table::{Descriptor, OpenFile, Rights};
use super::guest_memory::{GuestMemory, IoVec};
use super::types::{advice, fdflags, filetype, fstflags, preopentype, rights, whence};
use super::{Args, HostResult, WasiCtx};

/// A `filestat`, ready to be written into guest memory.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Filestat {
    pub(crate) dev: u64,
    pub(crate) ino: u64,
    pub(crate) filetype: u8,
    pub(crate) nlink: u64,
    pub(crate) size: u64,
    pub(crate) atim: u64,
    pub(crate) mtim: u64,
    pub(crate) ctim: u64,
}

impl Filestat {
    pub(crate) fn write(&self, mem: &mut GuestMemory<'_>, ptr: u32) -> Result<(), Errno> {
        let mut bytes = [0u8; 64];
        bytes[0..8].copy_from_slice(&self.dev.to_le_bytes());
        bytes[8..16].copy_from_slice(&self.ino.to_le_bytes());
        bytes[16] = self.filetype;
        bytes[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        bytes[32..40].copy_from_slice(&self.size.to_le_bytes());
        bytes[40..48].copy_from_slice(&self.atim.to_le_bytes());
        bytes[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        bytes[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        mem.write(ptr, &bytes)
    }
}

/// The preview1 file type of host metadata. FIFOs have no preview1 name.
pub(crate) fn filetype_of(ty: cap_std::fs::FileType) -> u8 {
    if ty.is_dir() {
        filetype::DIRECTORY
    } else if ty.is_file() {
        filetype::REGULAR_FILE
    } else if ty.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ty.is_char_device() {
        filetype::CHARACTER_DEVICE
    } else if ty.is_block_device() {
        filetype::BLOCK_DEVICE
    } else if ty.is_socket() {
        filetype::SOCKET_STREAM
    } else {
        filetype::UNKNOWN
    }
}

/// Nanoseconds since the epoch; times before it (rare, and invalid for
/// preview1's unsigned timestamps) are clamped to 0.
fn nanos(seconds: i64, nanoseconds: i64) -> u64 {
    let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanoseconds);
    total.clamp(0, i128::from(u64::MAX)) as u64
}

impl From<&Metadata> for Filestat {
    fn from(meta: &Metadata) -> Filestat {
        #[cfg(unix)]
        let (atim, mtim, ctim) = {
            use cap_fs_ext::OsMetadataExt;
            (
                nanos(meta.atime(), meta.atime_nsec()),
                nanos(meta.mtime(), meta.mtime_nsec()),
                nanos(meta.ctime(), meta.ctime_nsec()),
            )
        };
        #[cfg(not(unix))]
        let (atim, mtim, ctim) = {
            let since_epoch = |t: std::io::Result<cap_std::time::SystemTime>| {
                t.ok()
                    .and_then(|t| t.into_std().duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as u64)
            };
            let mtim = since_epoch(meta.modified());
            (since_epoch(meta.accessed()), mtim, mtim)
        };
        Filestat {
            dev: meta.dev(),
            ino: meta.ino(),
            filetype: filetype_of(meta.file_type()),
            nlink: meta.nlink(),
            size: meta.len(),
            atim,
            mtim,
            ctim,
        }
    }
}

/// Positional reads and writes: the guest's offset lives in [`OpenFile`].
#[cfg(unix)]
mod positional {
    use std::os::unix::fs::FileExt;

    pub(crate) fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        file.read_at(buf, at)
    }

    pub(crate) fn write_at(file: &std::fs::File, buf: &[u8], at: u64) -> std::io::Result<usize> {
        file.write_at(buf, at)
    }
}

#[cfg(windows)]
mod positional {
    use std::os::windows::fs::FileExt;

    pub(crate) fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        file.seek_read(buf, at)
    }

    pub(crate) fn write_at(file: &std::fs::File, buf: &[u8], at: u64) -> std::io::Result<usize> {
        file.seek_write(buf, at)
    }
}

/// Reads into `iovs` in order from offset `at`, stopping at a short read.
fn read_file_at(
    file: &std::fs::File,
    mem: &mut GuestMemory<'_>,
    iovs: &[IoVec],
    mut at: u64,
) -> Result<u32, Errno> {
    let mut total = 0u32;
    for iov in iovs {
        let buf = mem.slice_mut(iov.ptr, iov.len)?;
        let mut filled = 0;
        while filled < buf.len() {
            match positional::read_at(file, &mut buf[filled..], at) {
                Ok(0) => break,
                Ok(n) => {
                    filled += n;
                    at += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // Bytes already read are the result; the error comes next time.
                Err(_) if total > 0 || filled > 0 => break,
                Err(e) => return Err(e.into()),
            }
        }
        total += filled as u32;
        if filled < buf.len() {
            break;
        }
    }
    Ok(total)
}

/// Writes all of `bytes` at offset `at`.
fn write_file_at(file: &std::fs::File, mut bytes: &[u8], mut at: u64) -> Result<u32, Errno> {
    let mut total = 0u32;
    while !bytes.is_empty() {
        match positional::write_at(file, bytes, at) {
            Ok(0) => return Err(Errno::IO),
            Ok(n) => {
                bytes = &bytes[n..];
                at += n as u64;
                total += n as u32;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(total)
}

/// Where a write to `file` goes: its end in append mode, else `at`.
fn write_offset(file: &OpenFile, at: u64) -> Result<u64, Errno> {
    if file.append {
        Ok(file.file.metadata()?.len())
    } else {
        Ok(at)
    }
}

pub(crate) fn fd_advise(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, offset, len, advice) = (a.u32(0), a.u64(1), a.u64(2), a.u32(3));
    if advice > u32::from(advice::LAST) {
        return Err(Errno::INVAL.into());
    }
    cx.fds.require(fd, rights::FD_ADVISE)?;
    let file = cx.fds.file(fd)?;
    // Advice is only advice: where the host has no `posix_fadvise`, ignoring
    // it is a correct implementation.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::Advice;
        let advice = match advice {
            0 => Advice::Normal,
            1 => Advice::Sequential,
            2 => Advice::Random,
            3 => Advice::WillNeed,
            4 => Advice::DontNeed,
            _ => Advice::NoReuse,
        };
        rustix::fs::fadvise(&file.file, offset, core::num::NonZeroU64::new(len), advice)
            .map_err(std::io::Error::from)?;
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = (file, offset, len);
    Ok(())
}

pub(crate) fn fd_allocate(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, offset, len) = (a.u32(0), a.u64(1), a.u64(2));
    cx.fds.require(fd, rights::FD_ALLOCATE)?;
    let file = cx.fds.file(fd)?;
    let end = offset.checked_add(len).ok_or(Errno::FBIG)?;
    if end > i64::MAX as u64 {
        return Err(Errno::FBIG.into());
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::FallocateFlags;
        match rustix::fs::fallocate(&file.file, FallocateFlags::empty(), offset, len) {
            Ok(()) => return Ok(()),
            // Some file systems cannot reserve space; growing the file still
            // gives what `posix_fallocate` promises the program.
            Err(rustix::io::Errno::OPNOTSUPP) => {}
            Err(e) => return Err(std::io::Error::from(e).into()),
        }
    }
    if file.file.metadata()?.len() < end {
        file.file.set_len(end)?;
    }
    Ok(())
}

pub(crate) fn fd_close(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    cx.fds.remove(a.u32(0))?;
    Ok(())
}

pub(crate) fn fd_datasync(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    cx.fds.require(a.u32(0), rights::FD_DATASYNC)?;
    cx.fds.file(a.u32(0))?.file.sync_data()?;
    Ok(())
}

pub(crate) fn fd_sync(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    cx.fds.require(a.u32(0), rights::FD_SYNC)?;
    cx.fds.file(a.u32(0))?.file.sync_all()?;
    Ok(())
}

/// The file type and flags `fd_fdstat_get` reports, as wasmtime computes them.
fn fdstat(descriptor: &Descriptor) -> Result<(u8, u16), Errno> {
    let tty = |yes: bool| {
        if yes {
            filetype::CHARACTER_DEVICE
        } else {
            filetype::UNKNOWN
        }
    };
    Ok(match descriptor {
        Descriptor::Stdin(stdin) => (tty(stdin.is_terminal()), 0),
        Descriptor::Stdout(out) => (tty(out.is_terminal(false)), 0),
        Descriptor::Stderr(out) => (tty(out.is_terminal(true)), 0),
        Descriptor::Dir(_) => (filetype::DIRECTORY, 0),
        Descriptor::File(file) => {
            let ty = filetype_of(Metadata::from_file(&file.file)?.file_type());
            let mut flags = 0;
            if file.append {
                flags |= fdflags::APPEND;
            }
            if file.nonblock {
                flags |= fdflags::NONBLOCK;
            }
            (ty, flags)
        }
    })
}

pub(crate) fn fd_fdstat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, ptr) = (a.u32(0), a.u32(1));
    let entry = cx.fds.entry(fd)?;
    let (ty, flags) = fdstat(&entry.descriptor)?;
    let mut bytes = [0u8; 24];
    bytes[0] = ty;
    bytes[2..4].copy_from_slice(&flags.to_le_bytes());
    bytes[8..16].copy_from_slice(&entry.rights.base.to_le_bytes());
    bytes[16..24].copy_from_slice(&entry.rights.inheriting.to_le_bytes());
    mem.write(ptr, &bytes)?;
    Ok(())
}

pub(crate) fn fd_fdstat_set_flags(
    cx: &mut WasiCtx,
    _: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, flags) = (a.u32(0), a.u32(1));
    cx.fds.require(fd, rights::FD_FDSTAT_SET_FLAGS)?;
    let file = cx.fds.file(fd)?;
    // Only append and nonblock can change after opening, as in wasmtime.
    if flags & u32::from(fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 || flags > 0xffff {
        return Err(Errno::INVAL.into());
    }
    file.append = flags & u32::from(fdflags::APPEND) != 0;
    file.nonblock = flags & u32::from(fdflags::NONBLOCK) != 0;
    Ok(())
}

pub(crate) fn fd_fdstat_set_rights(
    cx: &mut WasiCtx,
    _: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, base, inheriting) = (a.u32(0), a.u64(1), a.u64(2));
    let entry = cx.fds.entry_mut(fd)?;
    // Rights can only be dropped, never gained.
    if base & !entry.rights.base != 0 || inheriting & !entry.rights.inheriting != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    entry.rights = Rights { base, inheriting };
    Ok(())
}

pub(crate) fn fd_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, ptr) = (a.u32(0), a.u32(1));
    let stat = match &cx.fds.with_rights(fd, rights::FD_FILESTAT_GET)?.descriptor {
        // Streams have no file behind them: only their type, as in wasmtime.
        descriptor @ (Descriptor::Stdin(_) | Descriptor::Stdout(_) | Descriptor::Stderr(_)) => {
            Filestat {
                filetype: fdstat(descriptor)?.0,
                ..Filestat::default()
            }
        }
        Descriptor::File(file) => Filestat::from(&Metadata::from_file(&file.file)?),
        Descriptor::Dir(dir) => Filestat::from(&dir.dir.dir_metadata()?),
    };
    stat.write(mem, ptr)?;
    Ok(())
}

pub(crate) fn fd_filestat_set_size(
    cx: &mut WasiCtx,
    _: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, size) = (a.u32(0), a.u64(1));
    cx.fds.require(fd, rights::FD_FILESTAT_SET_SIZE)?;
    cx.fds.file(fd)?.file.set_len(size)?;
    Ok(())
}

/// A timestamp argument of `*_set_times`: the given time, now, or unchanged.
/// Both "given" and "now" is `inval`.
pub(crate) fn time_spec(
    flags: u32,
    set: u16,
    now: u16,
    nanos: u64,
) -> Result<Option<cap_fs_ext::SystemTimeSpec>, Errno> {
    let (set, now) = (flags & u32::from(set) != 0, flags & u32::from(now) != 0);
    Ok(match (set, now) {
        (true, true) => return Err(Errno::INVAL),
        (true, false) => {
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(nanos);
            Some(cap_fs_ext::SystemTimeSpec::Absolute(
                cap_std::time::SystemTime::from_std(time),
            ))
        }
        (false, true) => Some(cap_fs_ext::SystemTimeSpec::SymbolicNow),
        (false, false) => None,
    })
}

/// The access and modification time arguments of `*_set_times`.
pub(crate) fn time_specs(
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<
    (
        Option<cap_fs_ext::SystemTimeSpec>,
        Option<cap_fs_ext::SystemTimeSpec>,
    ),
    Errno,
> {
    if flags > 0xf {
        return Err(Errno::INVAL);
    }
    Ok((
        time_spec(flags, fstflags::ATIM, fstflags::ATIM_NOW, atim)?,
        time_spec(flags, fstflags::MTIM, fstflags::MTIM_NOW, mtim)?,
    ))
}

pub(crate) fn fd_filestat_set_times(
    cx: &mut WasiCtx,
    _: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    use cap_fs_ext::DirExt;
    let (fd, atim, mtim, flags) = (a.u32(0), a.u64(1), a.u64(2), a.u32(3));
    let (atim, mtim) = time_specs(atim, mtim, flags)?;
    match &cx
        .fds
        .with_rights(fd, rights::FD_FILESTAT_SET_TIMES)?
        .descriptor
    {
        Descriptor::File(file) => {
            let mut times = std::fs::FileTimes::new();
            let now = std::time::SystemTime::now();
            let resolve = |spec: cap_fs_ext::SystemTimeSpec| match spec {
                cap_fs_ext::SystemTimeSpec::SymbolicNow => now,
                cap_fs_ext::SystemTimeSpec::Absolute(time) => time.into_std(),
            };
            if let Some(atim) = atim {
                times = times.set_accessed(resolve(atim));
            }
            if let Some(mtim) = mtim {
                times = times.set_modified(resolve(mtim));
            }
            file.file.set_times(times)?;
        }
        // The directory itself, reached as "." beneath itself.
        Descriptor::Dir(dir) => dir.dir.set_times(".", atim, mtim)?,
        _ => return Err(Errno::BADF.into()),
    }
    Ok(())
}

pub(crate) fn fd_pread(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, iovs, iovs_len, offset, nread) = (a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    cx.fds.require(fd, rights::FD_READ | rights::FD_SEEK)?;
    let iovs = mem.iovecs(iovs, iovs_len)?;
    let n = match cx.fds.get_mut(fd)? {
        Descriptor::File(file) => read_file_at(&file.file, mem, &iovs, offset)?,
        Descriptor::Stdin(_) => return Err(Errno::SPIPE.into()),
        _ => return Err(Errno::BADF.into()),
    };
    mem.write_u32(nread, n)?;
    Ok(())
}

pub(crate) fn fd_pwrite(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, iovs, iovs_len, offset, nwritten) = (a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    cx.fds.require(fd, rights::FD_WRITE | rights::FD_SEEK)?;
    let iovs = mem.iovecs(iovs, iovs_len)?;
    let n = match cx.fds.get_mut(fd)? {
        // As on Linux, a file in append mode appends whatever the offset.
        Descriptor::File(file) => {
            let at = write_offset(file, offset)?;
            write_file_at(&file.file, &mem.gather(&iovs), at)?
        }
        Descriptor::Stdout(_) | Descriptor::Stderr(_) => return Err(Errno::SPIPE.into()),
        _ => return Err(Errno::BADF.into()),
    };
    mem.write_u32(nwritten, n)?;
    Ok(())
}

pub(crate) fn fd_read(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, iovs, iovs_len, nread) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    cx.fds.require(fd, rights::FD_READ)?;
    let iovs = mem.iovecs(iovs, iovs_len)?;
    let n = match cx.fds.get_mut(fd)? {
        Descriptor::File(file) => {
            let n = read_file_at(&file.file, mem, &iovs, file.position)?;
            file.position += u64::from(n);
            n
        }
        // One read, into the first buffer with room: a second could block
        // on a terminal after the first returned a line.
        Descriptor::Stdin(stdin) => match iovs.iter().find(|iov| iov.len > 0) {
            Some(iov) => stdin.read(mem.slice_mut(iov.ptr, iov.len)?)? as u32,
            None => 0,
        },
        _ => return Err(Errno::BADF.into()),
    };
    mem.write_u32(nread, n)?;
    Ok(())
}

pub(crate) fn fd_write(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, iovs, iovs_len, nwritten) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    cx.fds.require(fd, rights::FD_WRITE)?;
    let iovs = mem.iovecs(iovs, iovs_len)?;
    let bytes = mem.gather(&iovs);
    let n = match cx.fds.get_mut(fd)? {
        Descriptor::File(file) => {
            let at = write_offset(file, file.position)?;
            let n = write_file_at(&file.file, &bytes, at)?;
            file.position = at + u64::from(n);
            n
        }
        Descriptor::Stdout(out) => {
            out.write(false, &bytes)?;
            bytes.len() as u32
        }
        Descriptor::Stderr(out) => {
            out.write(true, &bytes)?;
            bytes.len() as u32
        }
        _ => return Err(Errno::BADF.into()),
    };
    mem.write_u32(nwritten, n)?;
    Ok(())
}

pub(crate) fn fd_prestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, ptr) = (a.u32(0), a.u32(1));
    let Descriptor::Dir(dir) = cx.fds.get(fd)? else {
        return Err(Errno::BADF.into());
    };
    let name = dir.preopen.as_ref().ok_or(Errno::BADF)?;
    let mut bytes = [0u8; 8];
    bytes[0] = preopentype::DIR;
    bytes[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
    mem.write(ptr, &bytes)?;
    Ok(())
}

pub(crate) fn fd_prestat_dir_name(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, ptr, len) = (a.u32(0), a.u32(1), a.u32(2));
    // wasmtime's errno for a descriptor that is not a pre-opened directory.
    let name = match cx.fds.get(fd)? {
        Descriptor::Dir(dir) => dir.preopen.as_ref().ok_or(Errno::NOTDIR)?,
        _ => return Err(Errno::NOTDIR.into()),
    };
    if name.len() > len as usize {
        return Err(Errno::NAMETOOLONG.into());
    }
    mem.write(ptr, name.as_bytes())?;
    Ok(())
}

/// One directory entry as `fd_readdir` reports it.
struct DirEntry {
    ino: u64,
    filetype: u8,
    name: Vec<u8>,
}

#[cfg(unix)]
fn entry_ino(entry: &cap_std::fs::DirEntry) -> std::io::Result<u64> {
    Ok(rustix::fs::DirEntryExt::ino(entry))
}

#[cfg(not(unix))]
fn entry_ino(entry: &cap_std::fs::DirEntry) -> std::io::Result<u64> {
    Ok(cap_fs_ext::DirEntryExt::full_metadata(entry)?.ino())
}

#[cfg(unix)]
fn name_bytes(name: std::ffi::OsString) -> Vec<u8> {
    std::os::unix::ffi::OsStringExt::into_vec(name)
}

#[cfg(not(unix))]
fn name_bytes(name: std::ffi::OsString) -> Vec<u8> {
    name.to_string_lossy().into_owned().into_bytes()
}

pub(crate) fn fd_readdir(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, buf, buf_len, cookie, bufused) = (a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    cx.fds.require(fd, rights::FD_READDIR)?;
    mem.slice(buf, buf_len)?;
    let dir = &cx.fds.dir(fd)?.dir;
    // The cookie is an index into ".", ".." and then the entries in the
    // host's order, listed afresh on each call (as wasmtime does).
    let own_ino = dir.dir_metadata()?.ino();
    let dots = [".", ".."].map(|name| DirEntry {
        ino: own_ino,
        filetype: filetype::DIRECTORY,
        name: name.as_bytes().to_vec(),
    });
    let mut entries = Vec::new();
    for entry in dots.into_iter().map(Ok).chain(dir.entries()?.map(|entry| {
        let entry = entry?;
        Ok::<_, std::io::Error>(DirEntry {
            ino: entry_ino(&entry)?,
            filetype: filetype_of(entry.file_type()?),
            name: name_bytes(entry.file_name()),
        })
    })) {
        entries.push(entry?);
    }
    // Fill the buffer, cutting the last entry short if it does not fit:
    // the guest sees a full buffer and asks again with a larger one.
    let mut out = Vec::with_capacity(buf_len as usize);
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (index, entry) in entries.iter().enumerate().skip(start) {
        let mut header = [0u8; 24];
        header[0..8].copy_from_slice(&(index as u64 + 1).to_le_bytes());
        header[8..16].copy_from_slice(&entry.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(entry.name.len() as u32).to_le_bytes());
        header[20] = entry.filetype;
        for chunk in [&header[..], &entry.name[..]] {
            let room = buf_len as usize - out.len();
            out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        if out.len() == buf_len as usize {
            break;
        }
    }
    mem.write(buf, &out)?;
    mem.write_u32(bufused, out.len() as u32)?;
    Ok(())
}

pub(crate) fn fd_renumber(cx: &mut WasiCtx, _: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    cx.fds.renumber(a.u32(0), a.u32(1))?;
    Ok(())
}

/// The file behind a seek or tell: streams cannot seek (`spipe`), other
/// descriptors are not files (`badf`), as in wasmtime.
fn seekable(cx: &mut WasiCtx, fd: u32) -> Result<&mut OpenFile, Errno> {
    match cx.fds.get_mut(fd)? {
        Descriptor::File(file) => Ok(file),
        Descriptor::Stdin(_) | Descriptor::Stdout(_) | Descriptor::Stderr(_) => Err(Errno::SPIPE),
        Descriptor::Dir(_) => Err(Errno::BADF),
    }
}

pub(crate) fn fd_seek(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, offset, how, result) = (a.u32(0), a.u64(1) as i64, a.u32(2), a.u32(3));
    // Asking for the offset without moving it is `fd_tell`'s right.
    let needed = if offset == 0 && how == u32::from(whence::CUR) {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    cx.fds.require(fd, needed)?;
    let file = seekable(cx, fd)?;
    let base = match u8::try_from(how) {
        Ok(whence::SET) => 0,
        Ok(whence::CUR) => file.position,
        Ok(whence::END) => file.file.metadata()?.len(),
        _ => return Err(Errno::INVAL.into()),
    };
    let position = base
        .checked_add_signed(offset)
        .filter(|&p| p <= i64::MAX as u64)
        .ok_or(Errno::INVAL)?;
    file.position = position;
    mem.write_u64(result, position)?;
    Ok(())
}

pub(crate) fn fd_tell(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, result) = (a.u32(0), a.u32(1));
    cx.fds.require(fd, rights::FD_TELL)?;
    let position = seekable(cx, fd)?.position;
    mem.write_u64(result, position)?;
    Ok(())
}
