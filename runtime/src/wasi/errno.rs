//! preview1 `errno` values, and how host I/O errors map onto them.

use std::fmt;
use std::io;

/// A preview1 error number (`errno`, a `u16` in the witx spec).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($name:ident = $value:literal, $text:literal;)*) => {
        impl Errno {
            $(
                #[doc = $text]
                pub const $name: Errno = Errno($value);
            )*

            /// The witx name of the value (`badf`, `noent`, ...), if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0, "No error occurred.";
    TOOBIG = 1, "Argument list too long (`2big`).";
    ACCES = 2, "Permission denied.";
    ADDRINUSE = 3, "Address in use.";
    ADDRNOTAVAIL = 4, "Address not available.";
    AFNOSUPPORT = 5, "Address family not supported.";
    AGAIN = 6, "Resource unavailable, or operation would block.";
    ALREADY = 7, "Connection already in progress.";
    BADF = 8, "Bad file descriptor.";
    BADMSG = 9, "Bad message.";
    BUSY = 10, "Device or resource busy.";
    CANCELED = 11, "Operation canceled.";
    CHILD = 12, "No child processes.";
    CONNABORTED = 13, "Connection aborted.";
    CONNREFUSED = 14, "Connection refused.";
    CONNRESET = 15, "Connection reset.";
    DEADLK = 16, "Resource deadlock would occur.";
    DESTADDRREQ = 17, "Destination address required.";
    DOM = 18, "Mathematics argument out of domain of function.";
    DQUOT = 19, "Reserved.";
    EXIST = 20, "File exists.";
    FAULT = 21, "Bad address.";
    FBIG = 22, "File too large.";
    HOSTUNREACH = 23, "Host is unreachable.";
    IDRM = 24, "Identifier removed.";
    ILSEQ = 25, "Illegal byte sequence.";
    INPROGRESS = 26, "Operation in progress.";
    INTR = 27, "Interrupted function.";
    INVAL = 28, "Invalid argument.";
    IO = 29, "I/O error.";
    ISCONN = 30, "Socket is connected.";
    ISDIR = 31, "Is a directory.";
    LOOP = 32, "Too many levels of symbolic links.";
    MFILE = 33, "File descriptor value too large.";
    MLINK = 34, "Too many links.";
    MSGSIZE = 35, "Message too large.";
    MULTIHOP = 36, "Reserved.";
    NAMETOOLONG = 37, "Filename too long.";
    NETDOWN = 38, "Network is down.";
    NETRESET = 39, "Connection aborted by network.";
    NETUNREACH = 40, "Network unreachable.";
    NFILE = 41, "Too many files open in system.";
    NOBUFS = 42, "No buffer space available.";
    NODEV = 43, "No such device.";
    NOENT = 44, "No such file or directory.";
    NOEXEC = 45, "Executable file format error.";
    NOLCK = 46, "No locks available.";
    NOLINK = 47, "Reserved.";
    NOMEM = 48, "Not enough space.";
    NOMSG = 49, "No message of the desired type.";
    NOPROTOOPT = 50, "Protocol not available.";
    NOSPC = 51, "No space left on device.";
    NOSYS = 52, "Function not supported.";
    NOTCONN = 53, "The socket is not connected.";
    NOTDIR = 54, "Not a directory or a symbolic link to a directory.";
    NOTEMPTY = 55, "Directory not empty.";
    NOTRECOVERABLE = 56, "State not recoverable.";
    NOTSOCK = 57, "Not a socket.";
    NOTSUP = 58, "Not supported, or operation not supported on socket.";
    NOTTY = 59, "Inappropriate I/O control operation.";
    NXIO = 60, "No such device or address.";
    OVERFLOW = 61, "Value too large to be stored in data type.";
    OWNERDEAD = 62, "Previous owner died.";
    PERM = 63, "Operation not permitted.";
    PIPE = 64, "Broken pipe.";
    PROTO = 65, "Protocol error.";
    PROTONOSUPPORT = 66, "Protocol not supported.";
    PROTOTYPE = 67, "Protocol wrong type for socket.";
    RANGE = 68, "Result too large.";
    ROFS = 69, "Read-only file system.";
    SPIPE = 70, "Invalid seek.";
    SRCH = 71, "No such process.";
    STALE = 72, "Reserved.";
    TIMEDOUT = 73, "Connection timed out.";
    TXTBSY = 74, "Text file busy.";
    XDEV = 75, "Cross-device link.";
    NOTCAPABLE = 76, "Extension: capabilities insufficient.";
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name}({})", self.0),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<io::Error> for Errno {
    fn from(error: io::Error) -> Errno {
        Errno::from(&error)
    }
}

impl From<&io::Error> for Errno {
    /// The host's own errno when there is one; otherwise the error's kind.
    /// cap-std reports a path that would leave the sandbox as
    /// `PermissionDenied` with no OS errno: that becomes `perm`, as in wasmtime.
    fn from(error: &io::Error) -> Errno {
        if let Some(errno) = error.raw_os_error().and_then(from_host_errno) {
            return errno;
        }
        match error.kind() {
            io::ErrorKind::NotFound => Errno::NOENT,
            io::ErrorKind::PermissionDenied => Errno::PERM,
            io::ErrorKind::AlreadyExists => Errno::EXIST,
            io::ErrorKind::InvalidInput => Errno::INVAL,
            io::ErrorKind::Interrupted => Errno::INTR,
            io::ErrorKind::WouldBlock => Errno::AGAIN,
            io::ErrorKind::BrokenPipe => Errno::PIPE,
            io::ErrorKind::Unsupported => Errno::NOTSUP,
            io::ErrorKind::OutOfMemory => Errno::NOMEM,
            _ => Errno::IO,
        }
    }
}

/// Translates the host's errno (Unix numbering) into preview1's.
#[cfg(unix)]
fn from_host_errno(raw: i32) -> Option<Errno> {
    use rustix::io::Errno as E;
    let errno = E::from_raw_os_error(raw);
    Some(match errno {
        E::TOOBIG => Errno::TOOBIG,
        E::ACCESS => Errno::ACCES,
        E::ADDRINUSE => Errno::ADDRINUSE,
        E::ADDRNOTAVAIL => Errno::ADDRNOTAVAIL,
        E::AFNOSUPPORT => Errno::AFNOSUPPORT,
        E::AGAIN => Errno::AGAIN,
        E::ALREADY => Errno::ALREADY,
        E::BADF => Errno::BADF,
        E::BADMSG => Errno::BADMSG,
        E::BUSY => Errno::BUSY,
        E::CANCELED => Errno::CANCELED,
        E::CHILD => Errno::CHILD,
        E::CONNABORTED => Errno::CONNABORTED,
        E::CONNREFUSED => Errno::CONNREFUSED,
        E::CONNRESET => Errno::CONNRESET,
        E::DEADLK => Errno::DEADLK,
        E::DESTADDRREQ => Errno::DESTADDRREQ,
        E::DOM => Errno::DOM,
        E::DQUOT => Errno::DQUOT,
        E::EXIST => Errno::EXIST,
        E::FAULT => Errno::FAULT,
        E::FBIG => Errno::FBIG,
        E::HOSTUNREACH => Errno::HOSTUNREACH,
        E::IDRM => Errno::IDRM,
        E::ILSEQ => Errno::ILSEQ,
        E::INPROGRESS => Errno::INPROGRESS,
        E::INTR => Errno::INTR,
        E::INVAL => Errno::INVAL,
        E::IO => Errno::IO,
        E::ISCONN => Errno::ISCONN,
        E::ISDIR => Errno::ISDIR,
        E::LOOP => Errno::LOOP,
        E::MFILE => Errno::MFILE,
        E::MLINK => Errno::MLINK,
        E::MSGSIZE => Errno::MSGSIZE,
        E::MULTIHOP => Errno::MULTIHOP,
        E::NAMETOOLONG => Errno::NAMETOOLONG,
        E::NETDOWN => Errno::NETDOWN,
        E::NETRESET => Errno::NETRESET,
        E::NETUNREACH => Errno::NETUNREACH,
        E::NFILE => Errno::NFILE,
        E::NOBUFS => Errno::NOBUFS,
        E::NODEV => Errno::NODEV,
        E::NOENT => Errno::NOENT,
        E::NOEXEC => Errno::NOEXEC,
        E::NOLCK => Errno::NOLCK,
        E::NOLINK => Errno::NOLINK,
        E::NOMEM => Errno::NOMEM,
        E::NOMSG => Errno::NOMSG,
        E::NOPROTOOPT => Errno::NOPROTOOPT,
        E::NOSPC => Errno::NOSPC,
        E::NOSYS => Errno::NOSYS,
        E::NOTCONN => Errno::NOTCONN,
        E::NOTDIR => Errno::NOTDIR,
        E::NOTEMPTY => Errno::NOTEMPTY,
        E::NOTRECOVERABLE => Errno::NOTRECOVERABLE,
        E::NOTSOCK => Errno::NOTSOCK,
        E::NOTSUP => Errno::NOTSUP,
        E::NOTTY => Errno::NOTTY,
        E::NXIO => Errno::NXIO,
        E::OVERFLOW => Errno::OVERFLOW,
        E::OWNERDEAD => Errno::OWNERDEAD,
        E::PERM => Errno::PERM,
        E::PIPE => Errno::PIPE,
        E::PROTO => Errno::PROTO,
        E::PROTONOSUPPORT => Errno::PROTONOSUPPORT,
        E::PROTOTYPE => Errno::PROTOTYPE,
        E::RANGE => Errno::RANGE,
        E::ROFS => Errno::ROFS,
        E::SPIPE => Errno::SPIPE,
        E::SRCH => Errno::SRCH,
        E::STALE => Errno::STALE,
        E::TIMEDOUT => Errno::TIMEDOUT,
        E::TXTBSY => Errno::TXTBSY,
        E::XDEV => Errno::XDEV,
        // Aliases of values above on some systems (EWOULDBLOCK, EOPNOTSUPP).
        #[allow(unreachable_patterns)]
        E::WOULDBLOCK => Errno::AGAIN,
        #[allow(unreachable_patterns)]
        E::OPNOTSUPP => Errno::NOTSUP,
        _ => return None,
    })
}

/// Elsewhere the error's kind is all there is to go by.
#[cfg(not(unix))]
fn from_host_errno(_raw: i32) -> Option<Errno> {
    None
}
