/* f64 matrix multiply, naive i-k-j order: f64 loads, multiply-adds and
 * stores in a tight triple loop. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    int rounds = argc > 2 ? atoi(argv[2]) : 12;
    double *a = malloc(sizeof(double) * n * n);
    double *b = malloc(sizeof(double) * n * n);
    double *c = malloc(sizeof(double) * n * n);
    if (!a || !b || !c) return 1;
    for (int i = 0; i < n * n; i++) {
        a[i] = (double)(i % 17) / 16.0 - 0.5;
        b[i] = (double)(i % 13) / 12.0 + 0.25;
    }
    double checksum = 0.0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n * n; i++) c[i] = 0.0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
            }
        double trace = 0.0;
        for (int i = 0; i < n; i++) trace += c[i * n + i];
        checksum += trace;
        /* Feed the result back so each round depends on the last. */
        a[r % (n * n)] += c[(r * 7) % (n * n)] * 1e-3;
    }
    printf("matmul %dx%d x%d: checksum %.9f\n", n, n, rounds, checksum);
    free(a);
    free(b);
    free(c);
    return 0;
}
