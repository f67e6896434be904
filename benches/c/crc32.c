/* Table-driven CRC-32 (IEEE) over a pseudo-random buffer, many passes:
 * byte loads, table lookups, shifts and xors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *data, size_t len) {
    crc = ~crc;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv) {
    size_t len = argc > 1 ? (size_t)atoi(argv[1]) : 1 << 20;
    int rounds = argc > 2 ? atoi(argv[2]) : 100;
    uint8_t *buffer = malloc(len);
    if (!buffer) return 1;
    uint32_t seed = 12345;
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        buffer[i] = (uint8_t)(seed >> 16);
    }
    make_table();
    uint32_t crc = 0;
    for (int r = 0; r < rounds; r++) {
        crc = crc32(crc, buffer, len);
        buffer[r % len] ^= (uint8_t)crc;
    }
    printf("crc32 of %zu bytes x%d: %08x\n", len, rounds, crc);
    free(buffer);
    return 0;
}
