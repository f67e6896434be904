#!/usr/bin/env bash
# Builds the WASI test programs (C, against wasi-libc) into the .wasm files
# committed beside them, so that the tests need no C toolchain.
#
# Needs Debian's wasm32 toolchain:
#   apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32
set -euo pipefail
cd "$(dirname "$0")"

for source in *.c; do
    clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-debug -o "${source%.c}.wasm" "$source"
    echo "built ${source%.c}.wasm"
done
