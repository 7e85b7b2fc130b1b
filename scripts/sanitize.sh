#!/usr/bin/env bash
# Memory safety of the native code (issue 8), three steps:
#   1. build the C++ tests and the Node addon with AddressSanitizer + UBSan
#      (GDLN_SANITIZE=address,undefined, RelWithDebInfo, built-in GEMM so every
#      kernel is instrumented) in build-asan/ (git-ignored by build-*/);
#   2. ctest in build-asan/ (leak checking on, any report fails the test);
#   3. Node with the ASan runtime preloaded and GDLN_ADDON_PATH at the ASan addon:
#      a self-check that LeakSanitizer is live (a planted 77-byte leak must be
#      reported), then test/reliability/nativeSmoke.ts and the reliability,
#      conformance and native-binding suites, with ASan/UBSan/LSan reports written
#      to $LOGS and counted.
# Prints "sanitize: ..." with the counts last; exits 1 on any report or failure.
# Env: BUILD (default build-asan), JOBS (default 2), LOGS (default build-asan/sanitizer-logs),
#      SMOKE_CASES (default 40), SKIP_BUILD=1 to reuse an existing build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-asan}
JOBS=${JOBS:-2}
LOGS=${LOGS:-$BUILD/sanitizer-logs}
SMOKE_CASES=${SMOKE_CASES:-40}
fail=0

ASAN_RT=$(gcc -print-file-name=libasan.so)
UBSAN_RT=$(gcc -print-file-name=libubsan.so)
if [ ! -e "$ASAN_RT" ] || [ "$ASAN_RT" = libasan.so ]; then
  echo "sanitize: gcc's libasan is missing (Debian: apt-get install gcc; clang users: libclang-rt-14-dev)"; exit 2
fi

echo "== 1. ASan + UBSan build in $BUILD"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  NAPI_INC=$(node -p "require('node-api-headers').include_dir")
  ADDON_INC=$(node -p "require('path').resolve(require('node-addon-api').include_dir)")
  cmake -S . -B "$BUILD" -G Ninja -DGDLN_CUDA=OFF -DGDLN_BLAS=OFF \
    -DGDLN_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_JS_INC=$NAPI_INC;$ADDON_INC" -DCMAKE_JS_VERSION=sanitize >/dev/null
  cmake --build "$BUILD" -j "$JOBS"
fi
[ -f "$BUILD/gdln.node" ] || { echo "sanitize: $BUILD/gdln.node was not built"; exit 1; }

echo "== 2. ctest under ASan + UBSan"
ctest_ok=1
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$BUILD" --output-on-failure || { ctest_ok=0; fail=1; }
ctest_total=$(ctest --test-dir "$BUILD" -N | sed -n 's/^Total Tests: //p')

echo "== 3. Node under ASan (LD_PRELOAD $ASAN_RT)"
rm -rf "$LOGS"; mkdir -p "$LOGS"
# Self-check: LSan must report a leak planted in a preloaded library, or the run proves nothing.
cat > "$LOGS/planted.c" <<'C'
#include <stdlib.h>
#include <string.h>
void* volatile gdln_planted_sink;
__attribute__((constructor)) static void planted(void) { char* p = malloc(77); memset(p, 1, 77); gdln_planted_sink = p; gdln_planted_sink = 0; }
C
gcc -shared -fPIC -O0 -o "$LOGS/libplanted.so" "$LOGS/planted.c"
planted_out=$(LD_PRELOAD="$ASAN_RT $UBSAN_RT $ROOT/$LOGS/libplanted.so" ASAN_OPTIONS=detect_leaks=1 node -e 0 2>&1 || true)
if grep -q "Direct leak of 77 byte" <<<"$planted_out"; then
  echo "LeakSanitizer is live in Node (planted 77-byte leak reported)"
else
  echo "sanitize: LeakSanitizer did not report the planted leak: the Node run would prove nothing"; exit 1
fi
rm -f "$LOGS/planted.c" "$LOGS/libplanted.so"

export LD_PRELOAD="$ASAN_RT $UBSAN_RT"
export GDLN_ADDON_PATH="$ROOT/$BUILD/gdln.node"
export ASAN_OPTIONS="detect_leaks=1:log_path=$ROOT/$LOGS/asan"
export LSAN_OPTIONS="suppressions=$ROOT/test/reliability/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$ROOT/$LOGS/ubsan"
export GDLN_REQUIRE_BACKENDS=cpu
node_ok=1
node --import tsx test/reliability/nativeSmoke.ts "$SMOKE_CASES" || { node_ok=0; fail=1; }
GDLN_RELIABILITY_CASES=${GDLN_RELIABILITY_CASES:-150} GDLN_RELIABILITY_CANCEL_RUNS=${GDLN_RELIABILITY_CANCEL_RUNS:-40} \
  node --import tsx --test test/reliability/bad-input.test.ts test/reliability/random-conformance.test.ts \
    test/reliability/cancellation.test.ts test/conformance/engine.test.ts test/api/native-binding.test.ts \
  > "$LOGS/node-test.txt" 2>&1 || { node_ok=0; fail=1; }
grep -E '^# (tests|pass|fail|todo)' "$LOGS/node-test.txt" || true
unset LD_PRELOAD

asan_errors=$(cat "$LOGS"/asan.* 2>/dev/null | grep -c 'ERROR: AddressSanitizer' || true)
leaks=$(cat "$LOGS"/asan.* 2>/dev/null | grep -cE '^(Direct|Indirect) leak' || true)
ubsan=$(cat "$LOGS"/ubsan.* "$LOGS"/asan.* 2>/dev/null | grep -c 'runtime error:' || true)
ls "$LOGS"/asan.* "$LOGS"/ubsan.* >/dev/null 2>&1 && { echo "reports in $LOGS:"; ls "$LOGS"; fail=1; }
echo "sanitize: ctest $([ $ctest_ok = 1 ] && echo "$ctest_total/$ctest_total passed" || echo FAILED) under ASan+UBSan; Node: $([ $node_ok = 1 ] && echo 'suites passed' || echo 'suites FAILED'), $asan_errors ASan errors, $leaks leak reports, $ubsan UBSan reports"
exit $fail
