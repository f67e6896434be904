//! The guest's file descriptors: what each number refers to.
//!
//! Numbers are handed out as wasmtime does, so that programs see the same
//! fds under both: 0, 1 and 2 are stdio, pre-opened directories follow from
//! 3 in order, a closed number is reused (the highest one first), and
//! otherwise a new number is one past the highest in use.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::errno::Errno;
use super::stdio::{Output, Stdin};
use super::types::rights;

/// A regular file (or anything else that is not a directory) the guest opened.
#[derive(Debug)]
pub(crate) struct OpenFile {
    pub(crate) file: std::fs::File,
    /// The guest's offset. Reads and writes are positional, so the host
    /// file's own cursor is never used.
    pub(crate) position: u64,
    /// `fdflags::append`: every write goes to the end.
    pub(crate) append: bool,
    /// `fdflags::nonblock`: reported back only; like wasmtime, file I/O blocks.
    pub(crate) nonblock: bool,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
}

/// A directory: a pre-opened one, or one opened through `path_open`.
#[derive(Debug)]
pub(crate) struct OpenDir {
    /// cap-std resolves every path beneath this directory and nowhere else.
    pub(crate) dir: Arc<cap_std::fs::Dir>,
    /// The guest's name for it, if it was pre-opened.
    pub(crate) preopen: Option<String>,
}

/// What a descriptor refers to.
#[derive(Debug)]
pub(crate) enum Descriptor {
    Stdin(Stdin),
    Stdout(Output),
    Stderr(Output),
    File(OpenFile),
    Dir(OpenDir),
}

/// One slot of the table.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) descriptor: Descriptor,
    /// Rights the guest gave up with `fd_fdstat_set_rights`: (base, inheriting)
    /// masks. Reported by `fd_fdstat_get`, not enforced (as in wasmtime).
    pub(crate) rights_mask: (u64, u64),
}

/// The descriptor table.
#[derive(Debug, Default)]
pub(crate) struct FdTable {
    used: BTreeMap<u32, Entry>,
    free: BTreeSet<u32>,
}

impl FdTable {
    /// Adds `descriptor` under the next number.
    pub(crate) fn push(&mut self, descriptor: Descriptor) -> Result<u32, Errno> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                Some((&last, _)) => last.checked_add(1).ok_or(Errno::MFILE)?,
                None => 0,
            },
        };
        let entry = Entry {
            descriptor,
            rights_mask: (rights::ALL, rights::ALL),
        };
        self.used.insert(fd, entry);
        Ok(fd)
    }

    pub(crate) fn entry(&self, fd: u32) -> Result<&Entry, Errno> {
        self.used.get(&fd).ok_or(Errno::BADF)
    }

    pub(crate) fn entry_mut(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.used.get_mut(&fd).ok_or(Errno::BADF)
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&Descriptor, Errno> {
        Ok(&self.entry(fd)?.descriptor)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        Ok(&mut self.entry_mut(fd)?.descriptor)
    }

    /// The open file `fd`; `badf` for anything else, as in wasmtime.
    pub(crate) fn file(&mut self, fd: u32) -> Result<&mut OpenFile, Errno> {
        match self.get_mut(fd)? {
            Descriptor::File(file) => Ok(file),
            _ => Err(Errno::BADF),
        }
    }

    /// The directory `fd`; `badf` for anything else, as in wasmtime.
    pub(crate) fn dir(&self, fd: u32) -> Result<&OpenDir, Errno> {
        match self.get(fd)? {
            Descriptor::Dir(dir) => Ok(dir),
            _ => Err(Errno::BADF),
        }
    }

    /// Closes `fd`; its number becomes free for reuse.
    pub(crate) fn remove(&mut self, fd: u32) -> Result<Entry, Errno> {
        let entry = self.used.remove(&fd).ok_or(Errno::BADF)?;
        self.free.insert(fd);
        Ok(entry)
    }

    /// Moves `from` to number `to`, closing what `to` held.
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        if !self.used.contains_key(&from) || !self.used.contains_key(&to) {
            return Err(Errno::BADF);
        }
        if from == to {
            return Ok(());
        }
        let entry = self.remove(from)?;
        self.free.remove(&to);
        // Dropping the old entry closes its host file.
        self.used.insert(to, entry);
        Ok(())
    }
}
