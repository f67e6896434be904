/* poll_oneoff: timeouts, several clocks, and descriptor readiness.
 * Run with stdin given as bytes ("ping\n") and DIR (/sandbox) pre-opened. */
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : "/sandbox";
    long long start = now_ms();
    check(poll(NULL, 0, 100) == 0, "poll with no descriptors and a 100 ms timeout returns 0");
    long long waited = now_ms() - start;
    check(waited >= 100 && waited < 5000, "it waited at least 100 ms");

    /* Two clocks: only the nearer fires. */
    __wasi_subscription_t subs[2] = {0};
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 20 * 1000000ULL;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[1].u.u.clock.timeout = 10 * 1000000000ULL;
    __wasi_event_t events[2];
    __wasi_size_t n = 0;
    start = now_ms();
    check(__wasi_poll_oneoff(subs, events, 2, &n) == 0, "poll_oneoff on a 20 ms and a 10 s clock");
    check(n == 1 && events[0].userdata == 1 && events[0].type == __WASI_EVENTTYPE_CLOCK && events[0].error == 0,
          "only the 20 ms clock fired");
    check(now_ms() - start < 5000, "without waiting for the other");

    /* An absolute deadline already past fires at once. */
    subs[0].u.u.clock.timeout = 0;
    subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    check(__wasi_poll_oneoff(subs, events, 1, &n) == 0 && n == 1, "an absolute deadline in the past fires at once");
    check(__wasi_poll_oneoff(subs, events, 0, &n) == __WASI_ERRNO_INVAL, "no subscriptions: EINVAL");

    /* Descriptors: stdin has bytes, a regular file is always ready. */
    struct pollfd fds[3] = {{0, POLLIN, 0}, {1, POLLOUT, 0}, {-1, 0, 0}};
    check(chdir(root) == 0, "chdir %s", root);
    int fd = open("poll.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "abc", 3) == 3 && lseek(fd, 0, SEEK_SET) == 0, "a file with 3 bytes");
    fds[2].fd = fd;
    fds[2].events = POLLIN;
    int ready = poll(fds, 3, 1000);
    check(ready == 3, "poll: all 3 descriptors ready (%d)", ready);
    check(fds[0].revents & POLLIN, "stdin readable");
    check(fds[1].revents & POLLOUT, "stdout writable");
    check(fds[2].revents & POLLIN, "the file readable");
    char buf[16];
    check(read(0, buf, sizeof buf) == 5 && !memcmp(buf, "ping\n", 5), "stdin reads ping");
    close(fd);
    unlink("poll.txt");

    /* A bad descriptor is reported in its event. */
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = 77;
    check(__wasi_poll_oneoff(subs, events, 1, &n) == 0 && n == 1 && events[0].error == __WASI_ERRNO_BADF,
          "polling fd 77: its event says EBADF");
    return finish();
}
