/* A chained hash map whose every node is its own malloc: rounds of inserts,
 * lookups and deletes, so malloc and free (wasi-libc's dlmalloc) and
 * pointer chasing dominate. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
    uint32_t key;
    uint32_t value;
    struct node *next;
};

struct map {
    struct node **buckets;
    uint32_t mask;
    uint32_t len;
};

static uint32_t hash(uint32_t key) {
    key ^= key >> 16;
    key *= 0x7feb352d;
    key ^= key >> 15;
    key *= 0x846ca68b;
    return key ^ (key >> 16);
}

static struct node **slot(struct map *m, uint32_t key) {
    struct node **p = &m->buckets[hash(key) & m->mask];
    while (*p && (*p)->key != key) p = &(*p)->next;
    return p;
}

static void insert(struct map *m, uint32_t key, uint32_t value) {
    struct node **p = slot(m, key);
    if (*p) {
        (*p)->value = value;
        return;
    }
    struct node *n = malloc(sizeof *n);
    if (!n) abort();
    n->key = key;
    n->value = value;
    n->next = NULL;
    *p = n;
    m->len++;
}

static int lookup(struct map *m, uint32_t key, uint32_t *value) {
    struct node *n = *slot(m, key);
    if (!n) return 0;
    *value = n->value;
    return 1;
}

static int erase(struct map *m, uint32_t key) {
    struct node **p = slot(m, key);
    struct node *n = *p;
    if (!n) return 0;
    *p = n->next;
    free(n);
    m->len--;
    return 1;
}

static uint32_t next(uint32_t *seed) {
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 60;
    int per_round = argc > 2 ? atoi(argv[2]) : 50000;
    struct map m = {calloc(1 << 16, sizeof(struct node *)), (1 << 16) - 1, 0};
    if (!m.buckets) return 1;
    uint32_t seed = 7, checksum = 0, found = 0, erased = 0;
    for (int r = 0; r < rounds; r++) {
        /* Keys from a range that grows slower than the inserts, so some
         * inserts overwrite and some lookups and deletes miss. */
        uint32_t range = (uint32_t)per_round * 2;
        for (int i = 0; i < per_round; i++) {
            uint32_t key = next(&seed) % range;
            insert(&m, key, key * 2654435761u + (uint32_t)r);
        }
        for (int i = 0; i < per_round; i++) {
            uint32_t value;
            if (lookup(&m, next(&seed) % range, &value)) {
                found++;
                checksum = checksum * 31 + value;
            }
        }
        for (int i = 0; i < per_round; i++) erased += erase(&m, next(&seed) % range);
    }
    /* Free what is left, walking every bucket. */
    uint32_t left = m.len;
    for (uint32_t b = 0; b <= m.mask; b++)
        while (m.buckets[b]) erase(&m, m.buckets[b]->key);
    free(m.buckets);
    printf("hashmap: %u found, %u erased, %u left, checksum %08x\n", found, erased, left, checksum);
    return 0;
}
