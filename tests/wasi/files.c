/* Files in a pre-opened directory: create, write, read, seek, stat,
 * readdir, rename, unlink, mkdir, links, times, truncation.
 * Usage: files.wasm [DIR] (default /sandbox); leaves DIR/hello.txt = "Jello". */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int read_all(const char *path, char *buf, size_t len) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = 0;
    return (int)n;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : "/sandbox";
    char buf[256];
    struct stat st;
    ssize_t n;
    int fd;

    check(chdir(root) == 0, "chdir %s", root);

    fd = open("hello.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(fd >= 0, "create hello.txt");
    check(write(fd, "hello, world\n", 13) == 13, "write 13 bytes");
    check(close(fd) == 0, "close");
    fd = open("hello.txt", O_CREAT | O_EXCL | O_WRONLY, 0644);
    check(fd < 0 && errno == EEXIST, "O_CREAT|O_EXCL on an existing file: EEXIST");

    fd = open("hello.txt", O_RDONLY);
    check(fd >= 0, "open hello.txt read-only");
    n = read(fd, buf, sizeof buf);
    check(n == 13 && memcmp(buf, "hello, world\n", 13) == 0, "read back the 13 bytes");
    check(read(fd, buf, sizeof buf) == 0, "then end of file");
    check(lseek(fd, 7, SEEK_SET) == 7, "lseek SEEK_SET 7");
    n = read(fd, buf, 5);
    check(n == 5 && memcmp(buf, "world", 5) == 0, "read \"world\" there");
    check(lseek(fd, -6, SEEK_END) == 7, "lseek SEEK_END -6 is 7");
    check(lseek(fd, 0, SEEK_CUR) == 7, "lseek SEEK_CUR 0 tells 7");
    check(lseek(fd, -100, SEEK_CUR) == -1 && errno == EINVAL, "seek before the start: EINVAL");
    n = pread(fd, buf, 5, 0);
    check(n == 5 && memcmp(buf, "hello", 5) == 0, "pread 5 bytes at 0");
    check(lseek(fd, 0, SEEK_CUR) == 7, "pread leaves the offset alone");
    check(write(fd, "x", 1) == -1 && errno == EBADF, "write to a read-only fd: EBADF");
    check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 13, "fstat: regular file, 13 bytes");
    check(close(fd) == 0, "close");

    check(stat("hello.txt", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 13, "stat: regular file, 13 bytes");
    check(st.st_nlink == 1, "stat: one link");
    check(stat("missing", &st) == -1 && errno == ENOENT, "stat a missing file: ENOENT");
    check(open("missing", O_RDONLY) == -1 && errno == ENOENT, "open a missing file: ENOENT");

    fd = open("hello.txt", O_WRONLY | O_APPEND);
    check(fd >= 0 && write(fd, "more\n", 5) == 5, "append 5 bytes");
    check(lseek(fd, 0, SEEK_CUR) == 18, "append leaves the offset at the end");
    close(fd);
    check(stat("hello.txt", &st) == 0 && st.st_size == 18, "file is now 18 bytes");

    fd = open("hello.txt", O_RDWR);
    check(fd >= 0, "open read-write");
    check(pwrite(fd, "J", 1, 0) == 1, "pwrite 1 byte at 0");
    check(ftruncate(fd, 5) == 0, "ftruncate to 5");
    check(fstat(fd, &st) == 0 && st.st_size == 5, "fstat: 5 bytes");
    n = read(fd, buf, sizeof buf);
    check(n == 5 && memcmp(buf, "Jello", 5) == 0, "read \"Jello\"");
    check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync");
    check(posix_fallocate(fd, 0, 5) == 0, "posix_fallocate within the file");
    check(posix_fadvise(fd, 0, 5, POSIX_FADV_SEQUENTIAL) == 0, "posix_fadvise");
    close(fd);

    struct timespec times[2] = {{1000000000, 0}, {1234567890, 500}};
    check(utimensat(AT_FDCWD, "hello.txt", times, 0) == 0, "utimensat");
    check(stat("hello.txt", &st) == 0 && st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000,
          "stat shows the new times");

    /* Scatter/gather. */
    fd = open("vec.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    check(writev(fd, out, 3) == 8, "writev 3 buffers, 8 bytes");
    char a[2], b[10];
    struct iovec in[2] = {{a, 2}, {b, 10}};
    check(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, in, 2) == 8 && memcmp(a, "ab", 2) == 0 && memcmp(b, "cdefgh", 6) == 0,
          "readv back into 2 buffers");
    close(fd);
    check(unlink("vec.bin") == 0, "unlink vec.bin");

    check(mkdir("dir", 0755) == 0, "mkdir dir");
    check(mkdir("dir", 0755) == -1 && errno == EEXIST, "mkdir again: EEXIST");
    check(mkdir("dir/sub", 0755) == 0, "mkdir dir/sub");
    fd = open("dir/a.txt", O_CREAT | O_WRONLY, 0644);
    close(fd);
    fd = open("dir/b.txt", O_CREAT | O_WRONLY, 0644);
    close(fd);
    check(stat("dir", &st) == 0 && S_ISDIR(st.st_mode), "stat dir: a directory");

    DIR *d = opendir("dir");
    check(d != NULL, "opendir dir");
    char *names[16];
    int count = 0, sub_is_dir = 0, a_is_reg = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && count < 16) {
        names[count++] = strdup(e->d_name);
        if (!strcmp(e->d_name, "sub")) sub_is_dir = e->d_type == DT_DIR;
        if (!strcmp(e->d_name, "a.txt")) a_is_reg = e->d_type == DT_REG;
    }
    if (d) closedir(d);
    qsort(names, count, sizeof *names, cmp);
    buf[0] = 0;
    for (int i = 0; i < count; i++) {
        strcat(buf, i ? " " : "");
        strcat(buf, names[i]);
        free(names[i]);
    }
    check(!strcmp(buf, ". .. a.txt b.txt sub"), "readdir lists: %s", buf);
    check(sub_is_dir && a_is_reg, "readdir gives types: sub a directory, a.txt a file");

    check(rename("dir/a.txt", "dir/c.txt") == 0, "rename a.txt to c.txt");
    check(stat("dir/a.txt", &st) == -1 && errno == ENOENT, "a.txt is gone");
    check(stat("dir/c.txt", &st) == 0, "c.txt is there");
    check(rename("dir/b.txt", "dir/c.txt") == 0, "rename b.txt over c.txt");
    check(rename("dir/nothing", "dir/x") == -1 && errno == ENOENT, "rename a missing file: ENOENT");
    check(unlink("dir/sub") == -1 && errno == EISDIR, "unlink a directory: EISDIR");
    check(rmdir("dir") == -1 && errno == ENOTEMPTY, "rmdir a non-empty directory: ENOTEMPTY");
    check(unlink("dir/c.txt") == 0, "unlink c.txt");
    check(unlink("dir/c.txt") == -1 && errno == ENOENT, "unlink it again: ENOENT");
    check(rmdir("dir/sub") == 0 && rmdir("dir") == 0, "rmdir sub, then dir");

    check(symlink("hello.txt", "link") == 0, "symlink link -> hello.txt");
    n = readlink("link", buf, sizeof buf);
    check(n == 9 && memcmp(buf, "hello.txt", 9) == 0, "readlink gives hello.txt");
    check(lstat("link", &st) == 0 && S_ISLNK(st.st_mode), "lstat: a symbolic link");
    check(stat("link", &st) == 0 && S_ISREG(st.st_mode), "stat follows it to a file");
    check(read_all("link", buf, sizeof buf) == 5 && !strcmp(buf, "Jello"), "open through the link reads Jello");
    check(unlink("link") == 0, "unlink the link");
    check(link("hello.txt", "hard") == 0, "hard link");
    check(stat("hello.txt", &st) == 0 && st.st_nlink == 2, "two links now");
    check(unlink("hard") == 0, "unlink the hard link");

    check(mkdir("d2", 0755) == 0, "mkdir d2");
    check(open("d2", O_WRONLY) == -1 && errno == EISDIR, "open a directory for writing: EISDIR");
    check(open("hello.txt", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR, "O_DIRECTORY on a file: ENOTDIR");
    fd = open("d2", O_RDONLY | O_DIRECTORY);
    check(fd >= 0, "open d2 as a directory");
    int in_dir = openat(fd, "inner.txt", O_CREAT | O_WRONLY, 0644);
    check(in_dir >= 0 && write(in_dir, "x", 1) == 1, "create and write a file through a directory fd");
    close(in_dir);
    check(unlinkat(fd, "inner.txt", 0) == 0, "unlinkat through the directory fd");
    close(fd);
    check(rmdir("d2") == 0, "rmdir d2");

    return finish();
}
