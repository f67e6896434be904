/* Clocks: wall time, monotonic time, resolutions, CPU time and sleeping. */
#include <time.h>
#include <wasi/api.h>

#include "check.h"

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec t, t2, res;
    check(clock_gettime(CLOCK_REALTIME, &t) == 0, "clock_gettime REALTIME");
    check(t.tv_sec > 1577836800, "wall time is after 2020-01-01");
    time_t now = time(NULL);
    check(now >= t.tv_sec && now - t.tv_sec < 5, "time() agrees");
    check(clock_getres(CLOCK_REALTIME, &res) == 0 && ns(res) > 0 && ns(res) <= 1000000, "REALTIME resolution at most 1 ms");
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(res) > 0 && ns(res) <= 1000000, "MONOTONIC resolution at most 1 ms");

    check(clock_gettime(CLOCK_MONOTONIC, &t) == 0, "clock_gettime MONOTONIC");
    int steady = 1;
    for (int i = 0; i < 1000; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &t2) != 0 || ns(t2) < ns(t)) steady = 0;
        t = t2;
    }
    check(steady, "MONOTONIC never goes back (1000 readings)");

    struct timespec nap = {0, 50 * 1000000};
    check(clock_gettime(CLOCK_MONOTONIC, &t) == 0 && nanosleep(&nap, NULL) == 0 && clock_gettime(CLOCK_MONOTONIC, &t2) == 0,
          "nanosleep 50 ms");
    long long slept = ns(t2) - ns(t);
    check(slept >= 50000000 && slept < 2000000000, "monotonic time advanced by at least 50 ms");

    struct timespec cpu;
    check(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0 && ns(cpu) > 0, "process CPU time is running");
    __wasi_timestamp_t stamp;
    check(__wasi_clock_time_get(99, 0, &stamp) == __WASI_ERRNO_INVAL, "an unknown clock: EINVAL");
    return finish();
}
