#!/usr/bin/env bash
# Builds flowrun with sanitizers and runs tests under them.
#   scripts/sanitize.sh address [CTEST ARGS]  AddressSanitizer + UBSan, the whole suite (build-asan/)
#   scripts/sanitize.sh thread  [CTEST ARGS]  ThreadSanitizer, the engine's tests: the oneTBB graph runner,
#                                             scheduling, back edges, cancellation, plugins (build-tsan/)
# ThreadSanitizer needs oneTBB itself built with -fsanitize=thread: Debian's
# libtbb.so is not instrumented, so TSan cannot see its scheduler's
# synchronisation and reports every flow graph as racy. TBB_TSAN_DIR names
# the install prefix of such a build, made once from oneTBB's sources at
# Debian's version (v2021.8.0):
#   cmake -S oneTBB -B oneTBB/build-tsan -G Ninja -DTBB_TEST=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF \
#     -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_C_FLAGS=-fsanitize=thread \
#     -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DCMAKE_INSTALL_PREFIX=/opt/tbb-tsan
#   cmake --build oneTBB/build-tsan && cmake --install oneTBB/build-tsan
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
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan.supp}
    ctest --test-dir build-asan --output-on-failure -j"$jobs" "$@"
    ;;
  thread)
    tbb=${TBB_TSAN_DIR:-/opt/tbb-tsan}
    if [[ ! -f $tbb/lib/cmake/TBB/TBBConfig.cmake ]]; then
      echo "sanitize.sh thread: no oneTBB built with -fsanitize=thread at $tbb (set TBB_TSAN_DIR; see the top of this script)" >&2
      exit 2
    fi
    [[ -f build-tsan/build.ninja ]] ||
      cmake -S . -B build-tsan "${common[@]}" -DFLOWRUN_SANITIZE=thread -DTBB_DIR="$tbb/lib/cmake/TBB"
    cmake --build build-tsan -j"$jobs" --target test_core flowrun_testnodes flowrun_badabi flowrun_nullreg flowrun_throwing
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^(Execution|Plugins|Registry|Dot|Params|Validation|ValidationBackEdges|ValidationKeys|GraphDocument|Extends|Overrides)\.' "$@"
    ;;
  *)
    echo "usage: scripts/sanitize.sh address|thread [ctest arguments]" >&2
    exit 2
    ;;
esac
