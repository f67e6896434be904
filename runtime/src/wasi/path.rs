//! The `path_*` functions: operations on a path beneath a directory
//! descriptor.
//!
//! Every path goes to cap-std relative to the directory's handle, and cap-std
//! refuses any resolution — through `..`, an absolute path or a symbolic
//! link — that would leave that directory. Such a refusal reaches the guest
//! as `perm`, the errno wasmtime gives.

use std::sync::Arc;

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use cap_std::fs::{Dir, OpenOptions};

use super::errno::Errno;
use super::fd::{time_specs, Filestat};
use super::fd_table::{Descriptor, OpenDir, OpenFile, Rights};
use super::guest_memory::GuestMemory;
use super::types::{fdflags, lookupflags, oflags, rights};
use super::{Args, HostResult, WasiCtx};

/// The directory `fd`, which must still have the rights in `needed`, and
/// the path at `ptr`/`len`, checked in that order (as in wasmtime).
fn dir_and_path<'a>(
    cx: &'a WasiCtx,
    mem: &'a GuestMemory<'_>,
    (fd, needed): (u32, u64),
    ptr: u32,
    len: u32,
) -> Result<(&'a Arc<Dir>, &'a str), Errno> {
    cx.fds.require(fd, needed)?;
    let dir = &cx.fds.dir(fd)?.dir;
    Ok((dir, mem.read_str(ptr, len)?))
}

fn follow(flags: u32) -> bool {
    flags & lookupflags::SYMLINK_FOLLOW != 0
}

pub(crate) fn path_create_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (dir, path) = dir_and_path(
        cx,
        mem,
        (a.u32(0), rights::PATH_CREATE_DIRECTORY),
        a.u32(1),
        a.u32(2),
    )?;
    dir.create_dir(path)?;
    Ok(())
}

pub(crate) fn path_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, flags, ptr, len, buf) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
    let (dir, path) = dir_and_path(cx, mem, (fd, rights::PATH_FILESTAT_GET), ptr, len)?;
    let meta = if follow(flags) {
        dir.metadata(path)?
    } else {
        dir.symlink_metadata(path)?
    };
    Filestat::from(&meta).write(mem, buf)?;
    Ok(())
}

pub(crate) fn path_filestat_set_times(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, flags, ptr, len) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    let (atim, mtim) = time_specs(a.u64(4), a.u64(5), a.u32(6))?;
    let (dir, path) = dir_and_path(cx, mem, (fd, rights::PATH_FILESTAT_SET_TIMES), ptr, len)?;
    if follow(flags) {
        dir.set_times(path, atim, mtim)?;
    } else {
        dir.set_symlink_times(path, atim, mtim)?;
    }
    Ok(())
}

pub(crate) fn path_link(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (old_fd, old_flags, old_ptr, old_len) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    let (new_fd, new_ptr, new_len) = (a.u32(4), a.u32(5), a.u32(6));
    let (old_dir, old_path) = dir_and_path(
        cx,
        mem,
        (old_fd, rights::PATH_LINK_SOURCE),
        old_ptr,
        old_len,
    )?;
    let (new_dir, new_path) = dir_and_path(
        cx,
        mem,
        (new_fd, rights::PATH_LINK_TARGET),
        new_ptr,
        new_len,
    )?;
    // Linking the target of a symbolic link is not supported by cap-std;
    // wasmtime refuses it the same way.
    if follow(old_flags) {
        return Err(Errno::INVAL.into());
    }
    old_dir.hard_link(old_path, new_dir, new_path)?;
    Ok(())
}

pub(crate) fn path_open(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (fd, dirflags, ptr, len) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    let (oflags, base, inheriting, fdflags, result) =
        (a.u32(4), a.u64(5), a.u64(6), a.u32(7), a.u32(8));
    let has = |flag: u16| oflags & u32::from(flag) != 0;
    let has_fd = |flag: u16| fdflags & u32::from(flag) != 0;
    let mut needed = rights::PATH_OPEN;
    if has(oflags::CREAT) {
        needed |= rights::PATH_CREATE_FILE;
    }
    if has(oflags::TRUNC) {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let entry = cx.fds.with_rights(fd, needed)?;
    // The new descriptor has what was asked for, within what the directory
    // passes on: a right it was made to give up stays given up.
    let asked = Rights { base, inheriting };
    let granted = asked.intersect(Rights {
        base: entry.rights.inheriting,
        inheriting: entry.rights.inheriting,
    });
    let lost = entry.descriptor.full_rights().inheriting & !entry.rights.inheriting;
    if (base | inheriting) & lost != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    let dir = match &entry.descriptor {
        Descriptor::Dir(dir) => &dir.dir,
        Descriptor::File(_) => return Err(Errno::NOTDIR.into()),
        _ => return Err(Errno::BADF.into()),
    };
    let path = mem.read_str(ptr, len)?;

    // The open mode comes from the rights asked for, as in wasmtime:
    // creating or truncating needs writing, and no write means read.
    let mut readable = base & rights::FD_READ != 0;
    let writable = base & rights::FD_WRITE != 0 || has(oflags::CREAT) || has(oflags::TRUNC);
    if !writable {
        readable = true;
    }
    if has(oflags::DIRECTORY) && (has(oflags::CREAT) || has(oflags::EXCL) || has(oflags::TRUNC)) {
        return Err(Errno::INVAL.into());
    }
    // Synchronized I/O flags are refused, as in wasmtime.
    if has_fd(fdflags::DSYNC) || has_fd(fdflags::RSYNC) || has_fd(fdflags::SYNC) {
        return Err(Errno::NOTSUP.into());
    }

    let mut options = OpenOptions::new();
    options
        .read(readable)
        .write(writable)
        .truncate(has(oflags::TRUNC));
    if has(oflags::CREAT) {
        if has(oflags::EXCL) {
            options.create_new(true);
        } else {
            options.create(true);
        }
    }
    options.follow(if follow(dirflags) {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    });
    // Directories open too; which one it was is looked at afterwards.
    options.maybe_dir(true);
    let file = dir.open_with(path, &options)?.into_std();
    let is_dir = file.metadata()?.is_dir();
    let descriptor = if is_dir {
        Descriptor::Dir(OpenDir {
            dir: Arc::new(Dir::from_std_file(file)),
            preopen: None,
        })
    } else if has(oflags::DIRECTORY) {
        return Err(Errno::NOTDIR.into());
    } else {
        Descriptor::File(OpenFile {
            file,
            position: 0,
            append: has_fd(fdflags::APPEND),
            nonblock: has_fd(fdflags::NONBLOCK),
            readable,
            writable,
        })
    };
    let new_fd = cx.fds.push_with_rights(descriptor, granted)?;
    if let Err(errno) = mem.write_u32(result, new_fd) {
        cx.fds.remove(new_fd)?;
        return Err(errno.into());
    }
    Ok(())
}

pub(crate) fn path_readlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (fd, ptr, len, buf, buf_len, bufused) =
        (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4), a.u32(5));
    let (dir, path) = dir_and_path(cx, mem, (fd, rights::PATH_READLINK), ptr, len)?;
    // cap-std will not reveal an absolute target: that would describe the
    // host outside the sandbox (wasmtime gives `perm` too).
    let target = dir.read_link(path)?;
    let target = target
        .into_os_string()
        .into_string()
        .map_err(|_| Errno::ILSEQ)?;
    // Like readlink(2), a long target is cut short to fit.
    let bytes = &target.as_bytes()[..target.len().min(buf_len as usize)];
    mem.write(buf, bytes)?;
    mem.write_u32(bufused, bytes.len() as u32)?;
    Ok(())
}

pub(crate) fn path_remove_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (dir, path) = dir_and_path(
        cx,
        mem,
        (a.u32(0), rights::PATH_REMOVE_DIRECTORY),
        a.u32(1),
        a.u32(2),
    )?;
    dir.remove_dir(path)?;
    Ok(())
}

pub(crate) fn path_rename(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, a: &Args<'_>) -> HostResult {
    let (old_dir, old_path) = dir_and_path(
        cx,
        mem,
        (a.u32(0), rights::PATH_RENAME_SOURCE),
        a.u32(1),
        a.u32(2),
    )?;
    let (new_dir, new_path) = dir_and_path(
        cx,
        mem,
        (a.u32(3), rights::PATH_RENAME_TARGET),
        a.u32(4),
        a.u32(5),
    )?;
    old_dir.rename(old_path, new_dir, new_path)?;
    Ok(())
}

pub(crate) fn path_symlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (target_ptr, target_len, fd, ptr, len) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
    let (dir, path) = dir_and_path(cx, mem, (fd, rights::PATH_SYMLINK), ptr, len)?;
    let target = mem.read_str(target_ptr, target_len)?;
    // cap-std refuses absolute targets: following one could never stay
    // inside the sandbox anyway.
    DirExt::symlink(&**dir, target, path)?;
    Ok(())
}

pub(crate) fn path_unlink_file(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    a: &Args<'_>,
) -> HostResult {
    let (dir, path) = dir_and_path(
        cx,
        mem,
        (a.u32(0), rights::PATH_UNLINK_FILE),
        a.u32(1),
        a.u32(2),
    )?;
    dir.remove_file_or_symlink(path)?;
    Ok(())
}
