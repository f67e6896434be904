/* Shared by the WASI test programs: each check prints one line, "ok: ..."
 * or "FAIL: ... (errno ...)", and main returns non-zero if any failed. */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failures;

__attribute__((format(printf, 2, 3))) static void check(int ok, const char *what, ...) {
    int saved = errno;
    va_list args;
    va_start(args, what);
    fputs(ok ? "ok: " : "FAIL: ", stdout);
    vprintf(what, args);
    va_end(args);
    if (!ok) {
        printf(" (errno %d: %s)", saved, strerror(saved));
        failures++;
    }
    putchar('\n');
    errno = saved;
}

static int finish(void) {
    printf("%s\n", failures ? "FAILED" : "PASSED");
    return failures ? 1 : 0;
}

#endif
