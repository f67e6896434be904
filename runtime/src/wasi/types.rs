//! The preview1 ABI: the values of its enums and flags, and the layouts of
//! the structs the host writes into guest memory, as `typenames.witx` (and
//! wasi-libc's `wasi/api.h`) define them.

/// `filetype`: what a descriptor or directory entry refers to.
pub mod filetype {
    /// Unknown, or something preview1 has no name for (a FIFO).
    pub const UNKNOWN: u8 = 0;
    /// A block device.
    pub const BLOCK_DEVICE: u8 = 1;
    /// A character device (a terminal).
    pub const CHARACTER_DEVICE: u8 = 2;
    /// A directory.
    pub const DIRECTORY: u8 = 3;
    /// A regular file.
    pub const REGULAR_FILE: u8 = 4;
    /// A datagram socket.
    pub const SOCKET_DGRAM: u8 = 5;
    /// A byte-stream socket.
    pub const SOCKET_STREAM: u8 = 6;
    /// A symbolic link.
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `rights` (u64 flags). `fd_fdstat_get` reports them, and every `fd_*`
/// and `path_*` function fails with `notcapable` on a descriptor that lost
/// a right it needs (see the README for how this compares with wasmtime).
pub mod rights {
    /// `fd_datasync`.
    pub const FD_DATASYNC: u64 = 1 << 0;
    /// `fd_read`.
    pub const FD_READ: u64 = 1 << 1;
    /// `fd_seek`.
    pub const FD_SEEK: u64 = 1 << 2;
    /// `fd_fdstat_set_flags`.
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    /// `fd_sync`.
    pub const FD_SYNC: u64 = 1 << 4;
    /// `fd_tell`.
    pub const FD_TELL: u64 = 1 << 5;
    /// `fd_write`.
    pub const FD_WRITE: u64 = 1 << 6;
    /// `fd_advise`.
    pub const FD_ADVISE: u64 = 1 << 7;
    /// `fd_allocate`.
    pub const FD_ALLOCATE: u64 = 1 << 8;
    /// `path_create_directory`.
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    /// `path_open` with `oflags::creat`.
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    /// `path_link` from this directory.
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    /// `path_link` into this directory.
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    /// `path_open`.
    pub const PATH_OPEN: u64 = 1 << 13;
    /// `fd_readdir`.
    pub const FD_READDIR: u64 = 1 << 14;
    /// `path_readlink`.
    pub const PATH_READLINK: u64 = 1 << 15;
    /// `path_rename` from this directory.
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    /// `path_rename` into this directory.
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    /// `path_filestat_get`.
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    /// Changing a file's size through a path.
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    /// `path_filestat_set_times`.
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    /// `fd_filestat_get`.
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    /// `fd_filestat_set_size`.
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    /// `fd_filestat_set_times`.
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    /// `path_symlink`.
    pub const PATH_SYMLINK: u64 = 1 << 24;
    /// `path_remove_directory`.
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    /// `path_unlink_file`.
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    /// `poll_oneoff` on the descriptor.
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// `sock_shutdown`.
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    /// `sock_accept`.
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right.
    pub const ALL: u64 = (1 << 30) - 1;

    /// What a directory can do itself: the path operations, listing, and
    /// its own metadata (wasmtime reports the same for a pre-opened one).
    pub const DIRECTORY_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;

    /// What descriptors opened through a directory may have: a directory's
    /// rights and a file's.
    pub const DIRECTORY_INHERITING: u64 = DIRECTORY_BASE | FILE_BASE;

    /// What a regular file opened for reading and writing can do.
    pub const FILE_BASE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// The rights of [`FILE_BASE`] that only a file open for writing has
    /// (the ones wasi-libc leaves out for `O_RDONLY`).
    pub const FILE_WRITING: u64 = FD_DATASYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;
}

/// `whence` for `fd_seek`.
pub mod whence {
    /// From the start of the file.
    pub const SET: u8 = 0;
    /// From the current offset.
    pub const CUR: u8 = 1;
    /// From the end of the file.
    pub const END: u8 = 2;
}

/// `lookupflags` (u32).
pub mod lookupflags {
    /// Follow a symbolic link in the last component of the path.
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

/// `oflags` (u16) for `path_open`.
pub mod oflags {
    /// Create the file if it does not exist.
    pub const CREAT: u16 = 1 << 0;
    /// Fail if it is not a directory.
    pub const DIRECTORY: u16 = 1 << 1;
    /// Fail if it already exists.
    pub const EXCL: u16 = 1 << 2;
    /// Truncate it to size 0.
    pub const TRUNC: u16 = 1 << 3;
}

/// `fdflags` (u16).
pub mod fdflags {
    /// Every write appends to the end of the file.
    pub const APPEND: u16 = 1 << 0;
    /// Synchronized data writes.
    pub const DSYNC: u16 = 1 << 1;
    /// Non-blocking mode.
    pub const NONBLOCK: u16 = 1 << 2;
    /// Synchronized reads.
    pub const RSYNC: u16 = 1 << 3;
    /// Synchronized data and metadata writes.
    pub const SYNC: u16 = 1 << 4;
}

/// `fstflags` (u16): which timestamps `*_set_times` changes.
pub mod fstflags {
    /// Set the access time to the given value.
    pub const ATIM: u16 = 1 << 0;
    /// Set the access time to now.
    pub const ATIM_NOW: u16 = 1 << 1;
    /// Set the modification time to the given value.
    pub const MTIM: u16 = 1 << 2;
    /// Set the modification time to now.
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// `clockid` (u32).
pub mod clockid {
    /// Wall-clock time since 1970-01-01T00:00:00Z.
    pub const REALTIME: u32 = 0;
    /// A clock that never goes back; its epoch means nothing.
    pub const MONOTONIC: u32 = 1;
    /// CPU time of the process.
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    /// CPU time of the thread.
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `advice` for `fd_advise`.
pub mod advice {
    /// `dontneed`... `noreuse` are 1..=5; anything above is invalid.
    pub const LAST: u8 = 5;
}

/// `eventtype` (u8) of a subscription or event.
pub mod eventtype {
    /// A clock reached its timeout.
    pub const CLOCK: u8 = 0;
    /// A descriptor has data to read.
    pub const FD_READ: u8 = 1;
    /// A descriptor can take writes.
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags` (u16).
pub mod subclockflags {
    /// The timeout is an absolute time of the clock, not a delay.
    pub const ABSTIME: u16 = 1 << 0;
}

/// `eventrwflags` (u16).
pub mod eventrwflags {
    /// The peer hung up (or a file is at its end).
    pub const HANGUP: u16 = 1 << 0;
}

/// `preopentype` (u8).
pub mod preopentype {
    /// A pre-opened directory.
    pub const DIR: u8 = 0;
}

/// Sizes of the structs in guest memory, in bytes.
pub mod size {
    /// `iovec` / `ciovec`: buf (u32), buf_len (u32).
    pub const IOVEC: u32 = 8;
    /// `fdstat`.
    pub const FDSTAT: u32 = 24;
    /// `filestat`.
    pub const FILESTAT: u32 = 64;
    /// `dirent`, without the name that follows it.
    pub const DIRENT: u32 = 24;
    /// `prestat`.
    pub const PRESTAT: u32 = 8;
    /// `subscription`.
    pub const SUBSCRIPTION: u32 = 48;
    /// `event`.
    pub const EVENT: u32 = 32;
}

/// `signal` (u8) for `proc_raise`, numbered as in the witx enum.
pub mod signal {
    /// Names of the signals, indexed by their value (`none` is 0).
    pub const NAMES: [&str; 31] = [
        "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv",
        "usr2", "pipe", "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg",
        "xcpu", "xfsz", "vtalrm", "prof", "winch", "poll", "pwr", "sys",
    ];

    /// What a signal's default action does to a process.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Action {
        /// Nothing (`none`, `chld`, `urg`, `winch`; `cont`, as a running
        /// process is never stopped; `pipe`, which the spec lists as ignored).
        Ignore,
        /// Stops the process: a guest cannot be stopped, so nothing either.
        Stop,
        /// Ends the process.
        Terminate,
    }

    /// The default action of signal `sig`, or `None` if there is no such signal.
    pub fn action(sig: u8) -> Option<Action> {
        Some(match NAMES.get(usize::from(sig))? {
            &"none" | &"chld" | &"cont" | &"urg" | &"winch" | &"pipe" => Action::Ignore,
            &"stop" | &"tstp" | &"ttin" | &"ttou" => Action::Stop,
            _ => Action::Terminate,
        })
    }
}
