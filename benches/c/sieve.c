/* A sieve of Eratosthenes over a byte array, run several times: byte loads
 * and stores in memory-bound strided loops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned sieve(unsigned char *composite, unsigned limit) {
    memset(composite, 0, limit + 1);
    unsigned count = 0;
    for (unsigned i = 2; i <= limit; i++) {
        if (composite[i]) continue;
        count++;
        for (unsigned long long j = (unsigned long long)i * i; j <= limit; j += i) composite[j] = 1;
    }
    return count;
}

int main(int argc, char **argv) {
    unsigned limit = argc > 1 ? (unsigned)atoi(argv[1]) : 4000000;
    unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 12;
    unsigned char *composite = malloc(limit + 1);
    if (!composite) return 1;
    unsigned checksum = 0;
    for (unsigned r = 0; r < rounds; r++) {
        /* Vary the limit so no round can be skipped as a repeat. */
        checksum = checksum * 31 + sieve(composite, limit - r);
    }
    printf("primes below %u: %u, checksum %08x\n", limit, sieve(composite, limit), checksum);
    free(composite);
    return 0;
}
