#!/usr/bin/env bash
# Builds flowrun with sanitizers and runs tests under them.
#   scripts/sanitize.sh address [CTEST ARGS]  AddressSanitizer + UBSan, the whole suite (build-asan/)
#   scripts/sanitize.sh thread  [CTEST ARGS]  ThreadSanitizer, the engine's tests: the oneTBB graph runner,
#                                             scheduling, back edges, cancellation, plugins (build-tsan/)
# A finding fails the test that hit it (UBSan does not recover, ASan and TSan
# abort). JOBS overrides the parallelism (default: the core count).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-address}
shift || true
jobs=${JOBS:-$(nproc)}
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOWRUN_BENCH=OFF -DFLOWRUN_CUDA=OFF)
case $mode in
  address)
    [[ -f build-asan/build.ninja ]] || cmake -S . -B build-asan "${common[@]}" -DFLOWRUN_SANITIZE=address,undefined
    cmake --build build-asan -j"$jobs"
    # Leak checking is off: LibTorch, ITK and oneTBB keep process-lifetime
    # allocations that LeakSanitizer reports at exit from code not ours.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ctest --test-dir build-asan --output-on-failure -j"$jobs" "$@"
    ;;
  thread)
    [[ -f build-tsan/build.ninja ]] || cmake -S . -B build-tsan "${common[@]}" -DFLOWRUN_SANITIZE=thread
    cmake --build build-tsan -j"$jobs" --target test_core flowrun_testnodes flowrun_badabi flowrun_nullreg flowrun_throwing
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp}
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^(Execution|Plugins|Registry|Dot|Params|Validation|ValidationBackEdges|ValidationKeys|GraphDocument|Extends|Overrides)\.' "$@"
    ;;
  *)
    echo "usage: scripts/sanitize.sh address|thread [ctest arguments]" >&2
    exit 2
    ;;
esac
