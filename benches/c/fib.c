/* Recursive calls: the naive doubly recursive Fibonacci, so nearly all the
 * time goes to call, return and a compare-and-branch per frame. */
#include <stdio.h>
#include <stdlib.h>

static unsigned fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 38;
    unsigned result = fib(n);
    printf("fib(%u) = %u\n", n, result);
    return 0;
}
