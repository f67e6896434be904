/* Ways to end: exit.wasm N exits with status N; "trap" executes
 * unreachable; "raise" raises SIGTERM; "return" returns 7 from main. */
#include <stdlib.h>
#include <wasi/api.h>

#include "check.h"

/* wasi-libc no longer declares proc_raise; import it by hand. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t proc_raise(int32_t sig);

enum { SIGNAL_TERM = 15, SIGNAL_CHLD = 16 };

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "0";
    printf("ending: %s\n", how);
    fflush(stdout);
    if (!strcmp(how, "trap")) __builtin_trap();
    if (!strcmp(how, "raise")) {
        int32_t e = proc_raise(SIGNAL_TERM);
        printf("proc_raise returned %d\n", e);
        return 1;
    }
    if (!strcmp(how, "ignored")) {
        check(proc_raise(SIGNAL_CHLD) == 0, "SIGCHLD is ignored");
        check(proc_raise(200) == __WASI_ERRNO_INVAL, "an unknown signal: EINVAL");
        return finish();
    }
    if (!strcmp(how, "return")) return 7;
    exit(atoi(how));
}
