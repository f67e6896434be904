/* Standard streams: reads stdin to its end, writes what it read to stdout
 * in capitals, and a line to stderr. Checks what isatty says and the file
 * types WASI reports for the streams. */
#include <ctype.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
    char buf[1024];
    size_t total = 0;
    ssize_t n;
    while ((n = read(0, buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    for (size_t i = 0; i < total; i++) buf[i] = toupper((unsigned char)buf[i]);
    printf("stdin had %zu bytes: %s", total, buf);
    if (total == 0 || buf[total - 1] != '\n') putchar('\n');
    fprintf(stderr, "this goes to stderr\n");
    check(n == 0, "read ends with end of file");
    check(!isatty(0) && !isatty(1), "neither stdin nor stdout is a terminal here");
    __wasi_fdstat_t st;
    check(__wasi_fd_fdstat_get(1, &st) == 0 && (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE), "stdout can be written");
    check(__wasi_fd_fdstat_get(0, &st) == 0 && (st.fs_rights_base & __WASI_RIGHTS_FD_READ), "stdin can be read");
    __wasi_filesize_t pos;
    check(__wasi_fd_tell(1, &pos) == __WASI_ERRNO_SPIPE, "stdout cannot seek: ESPIPE");
    check(write(0, "x", 1) == -1 && errno == EBADF, "writing to stdin: EBADF");
    return finish();
}
