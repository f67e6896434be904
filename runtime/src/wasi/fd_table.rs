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

/// A descriptor's rights: what it may do itself (`base`), and what
/// descriptors opened through it may have (`inheriting`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rights {
    pub(crate) base: u64,
    pub(crate) inheriting: u64,
}

impl Rights {
    /// Both sets limited to `other`'s.
    pub(crate) fn intersect(self, other: Rights) -> Rights {
        Rights {
            base: self.base & other.base,
            inheriting: self.inheriting & other.inheriting,
        }
    }
}

impl Descriptor {
    /// Everything this kind of descriptor can do: the rights it starts with.
    pub(crate) fn full_rights(&self) -> Rights {
        let stream = |own: u64| Rights {
            base: own | rights::FD_FILESTAT_GET | rights::POLL_FD_READWRITE,
            inheriting: 0,
        };
        match self {
            Descriptor::Stdin(_) => stream(rights::FD_READ),
            Descriptor::Stdout(_) | Descriptor::Stderr(_) => stream(rights::FD_WRITE),
            Descriptor::Dir(_) => Rights {
                base: rights::DIRECTORY_BASE,
                inheriting: rights::DIRECTORY_INHERITING,
            },
            Descriptor::File(file) => {
                let mut base = rights::FILE_BASE;
                if !file.readable {
                    base &= !rights::FD_READ;
                }
                if !file.writable {
                    base &= !rights::FILE_WRITING;
                }
                Rights {
                    base,
                    inheriting: 0,
                }
            }
        }
    }
}

/// One slot of the table.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) descriptor: Descriptor,
    /// The rights the descriptor has now: at most its
    /// [`full_rights`](Descriptor::full_rights), fewer when it was opened
    /// with fewer or the guest dropped some with `fd_fdstat_set_rights`.
    pub(crate) rights: Rights,
}

impl Entry {
    /// Fails with `notcapable` if the descriptor lost any of `needed`.
    ///
    /// Only rights this kind of descriptor could have count: for an
    /// operation it can never do (a seek on stdout, a read from a
    /// directory) the caller's own check gives the errno wasmtime gives.
    pub(crate) fn require(&self, needed: u64) -> Result<(), Errno> {
        let lost = self.descriptor.full_rights().base & needed & !self.rights.base;
        if lost == 0 {
            Ok(())
        } else {
            Err(Errno::NOTCAPABLE)
        }
    }
}

/// The descriptor table.
#[derive(Debug, Default)]
pub(crate) struct FdTable {
    used: BTreeMap<u32, Entry>,
    free: BTreeSet<u32>,
}

impl FdTable {
    /// Adds `descriptor` under the next number, with all its rights.
    pub(crate) fn push(&mut self, descriptor: Descriptor) -> Result<u32, Errno> {
        let rights = descriptor.full_rights();
        self.push_with_rights(descriptor, rights)
    }

    /// Adds `descriptor` under the next number with at most `rights`.
    pub(crate) fn push_with_rights(
        &mut self,
        descriptor: Descriptor,
        rights: Rights,
    ) -> Result<u32, Errno> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                Some((&last, _)) => last.checked_add(1).ok_or(Errno::MFILE)?,
                None => 0,
            },
        };
        let entry = Entry {
            rights: descriptor.full_rights().intersect(rights),
            descriptor,
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

    /// The entry `fd`, if it still has every right in `needed`.
    pub(crate) fn with_rights(&self, fd: u32, needed: u64) -> Result<&Entry, Errno> {
        let entry = self.entry(fd)?;
        entry.require(needed)?;
        Ok(entry)
    }

    /// Fails unless `fd` is open and still has every right in `needed`.
    pub(crate) fn require(&self, fd: u32, needed: u64) -> Result<(), Errno> {
        self.with_rights(fd, needed).map(|_| ())
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
