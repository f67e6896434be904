/* Quicksort of pseudo-random 32-bit integers, several arrays: recursion,
 * data-dependent branches and i32 loads/stores with swaps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void quicksort(int32_t *a, int lo, int hi) {
    while (lo < hi) {
        /* Median of three keeps the depth logarithmic on any input. */
        int mid = lo + (hi - lo) / 2;
        int32_t x = a[lo], y = a[mid], z = a[hi];
        int32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                int32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* Recurse into the smaller half, loop on the larger. */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    int32_t *a = malloc(sizeof(int32_t) * n);
    if (!a) return 1;
    uint32_t seed = 42, checksum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            seed = seed * 1664525u + 1013904223u;
            a[i] = (int32_t)(seed >> 1) % 1000000;
        }
        quicksort(a, 0, n - 1);
        for (int i = 1; i < n; i++)
            if (a[i - 1] > a[i]) {
                printf("not sorted at %d\n", i);
                return 1;
            }
        for (int i = 0; i < n; i += 997) checksum = checksum * 31 + (uint32_t)a[i];
    }
    printf("quicksort %d x%d: checksum %08x\n", n, rounds, checksum);
    free(a);
    return 0;
}
