/* Attempts to leave the pre-opened directory, each of which must fail.
 * Usage: sandbox.wasm [DIR] (default /sandbox). DIR (fd 3) must hold a
 * directory "sub" and a symbolic link "etc" -> /etc; the directory above it
 * holds "secret.txt". Prints the errno of each attempt made through the raw
 * WASI calls, so that the host's answer is checked, not wasi-libc's. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define PREOPEN 3

static __wasi_errno_t raw_open(const char *path, __wasi_lookupflags_t follow, __wasi_oflags_t oflags) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(PREOPEN, follow, path, oflags,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    if (e == 0) (void)!__wasi_fd_close(fd);
    return e;
}

static void expect_denied(const char *what, __wasi_errno_t e) {
    printf("errno %d: %s\n", e, what);
    check(e != 0, "%s is refused", what);
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : "/sandbox";
    __wasi_prestat_t prestat;
    char name[64] = {0};
    check(__wasi_fd_prestat_get(PREOPEN, &prestat) == 0 && prestat.tag == __WASI_PREOPENTYPE_DIR,
          "fd 3 is a pre-opened directory");
    check(__wasi_fd_prestat_dir_name(PREOPEN, (uint8_t *)name, prestat.u.dir.pr_name_len) == 0 && !strcmp(name, root),
          "named %s", name);
    check(__wasi_fd_prestat_get(PREOPEN + 1, &prestat) == __WASI_ERRNO_BADF, "fd 4 is not open: EBADF");

    expect_denied("open ../secret.txt", raw_open("../secret.txt", 0, 0));
    expect_denied("open sub/../../secret.txt", raw_open("sub/../../secret.txt", 0, 0));
    expect_denied("open /etc/passwd", raw_open("/etc/passwd", 0, 0));
    expect_denied("open etc/passwd (through a symlink to /etc)", raw_open("etc/passwd", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0));
    expect_denied("open etc, following the symlink", raw_open("etc", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, __WASI_OFLAGS_DIRECTORY));
    expect_denied("create ../created.txt", raw_open("../created.txt", 0, __WASI_OFLAGS_CREAT));
    expect_denied("open .. as a directory", raw_open("..", 0, __WASI_OFLAGS_DIRECTORY));

    __wasi_filestat_t st;
    expect_denied("stat ../secret.txt", __wasi_path_filestat_get(PREOPEN, 0, "../secret.txt", &st));
    expect_denied("stat etc/passwd", __wasi_path_filestat_get(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "etc/passwd", &st));
    expect_denied("mkdir ../made", __wasi_path_create_directory(PREOPEN, "../made"));
    expect_denied("unlink ../secret.txt", __wasi_path_unlink_file(PREOPEN, "../secret.txt"));
    expect_denied("rename ../secret.txt into the sandbox", __wasi_path_rename(PREOPEN, "../secret.txt", PREOPEN, "stolen.txt"));
    expect_denied("symlink escape -> /etc/passwd", __wasi_path_symlink("/etc/passwd", PREOPEN, "escape"));
    expect_denied("hard link ../secret.txt", __wasi_path_link(PREOPEN, 0, "../secret.txt", PREOPEN, "linked.txt"));
    uint8_t buf[64];
    __wasi_size_t used;
    expect_denied("readlink etc (an absolute target)", __wasi_path_readlink(PREOPEN, "etc", buf, sizeof buf, &used));

    /* Through wasi-libc: an absolute path outside every pre-open never
     * reaches the host; a relative one after chdir does. */
    int fd = open("/etc/passwd", O_RDONLY);
    check(fd < 0, "libc open(\"/etc/passwd\") fails (errno %d)", errno);
    check(chdir(root) == 0, "chdir %s", root);
    fd = open("../secret.txt", O_RDONLY);
    check(fd < 0, "libc open(\"../secret.txt\") fails (errno %d)", errno);
    fd = open("sub/../inside.txt", O_CREAT | O_WRONLY, 0644);
    check(fd >= 0, "but sub/../inside.txt stays inside and works");
    close(fd);
    check(unlink("inside.txt") == 0, "unlink inside.txt");
    return finish();
}
