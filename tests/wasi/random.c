/* Randomness: random_get fills buffers with bytes that differ each time. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

int main(void) {
    unsigned char a[32] = {0}, b[32] = {0};
    check(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0, "getentropy twice");
    int zero = 1;
    for (size_t i = 0; i < sizeof a; i++) zero &= a[i] == 0;
    check(!zero, "the bytes are not all zero");
    check(memcmp(a, b, sizeof a) != 0, "two draws differ");
    unsigned char big[4096];
    arc4random_buf(big, sizeof big);
    int counts[256] = {0}, seen = 0;
    for (size_t i = 0; i < sizeof big; i++) counts[big[i]]++;
    for (int i = 0; i < 256; i++) seen += counts[i] > 0;
    check(seen > 200, "4096 random bytes take more than 200 distinct values (%d)", seen);
    return finish();
}
