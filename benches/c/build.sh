#!/usr/bin/env bash
# Rebuilds the benchmark programs: each NAME.c here into the NAME.wasm
# committed beside it (a wasm32-wasip1 command), so that the benchmarks
# need no C toolchain.
#
# Needs Debian's wasm32 toolchain (clang 14 calls the target wasm32-wasi;
# newer clang also accepts wasm32-wasip1):
#   apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32
# Debian's wasi-libc lives in /usr (headers in /usr/include/wasm32-wasi,
# libraries in /usr/lib/wasm32-wasi); set WASI_SYSROOT for another one,
# e.g. a wasi-sdk's share/wasi-sysroot.
set -euo pipefail
cd "$(dirname "$0")"

CC=${CC:-clang}
TARGET=${WASI_TARGET:-wasm32-wasi}
SYSROOT=${WASI_SYSROOT:-/usr}

for source in *.c; do
    "$CC" --target="$TARGET" --sysroot="$SYSROOT" -O2 -Wall -Wextra -Werror \
        -Wl,--strip-debug -o "${source%.c}.wasm" "$source" -lm
    echo "built ${source%.c}.wasm ($(wc -c <"${source%.c}.wasm") bytes)"
done
