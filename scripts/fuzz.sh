#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang under ASan + UBSan in
# build-fuzz and runs each for a bounded time (issue 11). Not part of the
# default test command: 4 targets x 600 s by default.
#
#   scripts/fuzz.sh [--seconds N] [--jobs N] [--no-build] [TARGET...]
#
# TARGET: fuzz_graph fuzz_dataset fuzz_overrides fuzz_volume (default: all,
# one after another). Each run starts from build-fuzz/corpus/<target>, seeded
# from fuzz/corpus/<target> (and kept between runs); reproducers of fixed
# findings in fuzz/regressions/<target> are replayed first. Findings land in
# build-fuzz/artifacts/<target>/ (reproduce: build-fuzz/fuzz/<target> FILE).
# bench/results/fuzz/summary.txt gets a line per target (executions, new
# corpus units, corpus size, coverage, crashes) and <target>.log its log's tail.
# Exit status: 1 when any target found something or a regression failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=600
jobs=1
build=1
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    fuzz_*) targets+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_graph fuzz_dataset fuzz_overrides fuzz_volume)

bdir=$root/build-fuzz
results=$root/bench/results/fuzz
mkdir -p "$results"

if [[ $build == 1 ]]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  [[ -f $bdir/CMakeCache.txt ]] && gen=()
  CC=clang CXX=clang++ cmake -S "$root" -B "$bdir" "${gen[@]}" -DFLOWRUN_FUZZ=ON -DFLOWRUN_TESTS=OFF \
    -DFLOWRUN_BENCH=OFF -DFLOWRUN_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >/dev/null
  nice -n 10 cmake --build "$bdir" -j "$jobs" --target "${targets[@]}"
fi

# Longest input per target: graphs and descriptions are kilobytes; the volume
# seeds are small NIfTI and HDF5 files.
max_len() {
  case "$1" in
    fuzz_graph) echo 16384 ;;
    fuzz_dataset) echo 8192 ;;
    fuzz_overrides) echo 4096 ;;
    fuzz_volume) echo 16384 ;;
  esac
}

# Scratch files of the harnesses go to memory when possible.
if [[ -d /dev/shm && -w /dev/shm ]]; then export TMPDIR=/dev/shm; fi
# An absurd malloc returns NULL, as glibc's does: HDF5 asks for petabytes on
# some corrupt headers and fails cleanly on NULL. An allocation the project
# makes then surfaces as std::bad_alloc, which the harnesses count as a
# finding; real memory growth still hits -rss_limit_mb.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/fuzz/lsan.supp:print_suppressions=0}

# The summary keeps the lines of targets not run this time.
new=$results/summary.txt.new
echo "# scripts/fuzz.sh ($(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(clang --version | head -1))" > "$new"
if [[ -f $results/summary.txt ]]; then
  awk -v run=" ${targets[*]} " '/^#/ {next} /^fuzz_/ {keep = index(run, " " substr($1, 1, length($1) - 1) " ") == 0} keep' \
    "$results/summary.txt" >> "$new"
fi
failed=0
for t in "${targets[@]}"; do
  bin=$bdir/fuzz/$t
  corpus=$bdir/corpus/$t
  artifacts=$bdir/artifacts/$t
  log=$bdir/$t.log
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  cp -n "$root/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  regress="ok"
  if compgen -G "$root/fuzz/regressions/$t/*" >/dev/null; then
    if ! nice -n 10 "$bin" -runs=1 "$root/fuzz/regressions/$t/"* >"$bdir/$t.regressions.log" 2>&1; then
      regress="FAILED (see $bdir/$t.regressions.log)"
      failed=1
    fi
  fi
  dict=()
  [[ -f $root/fuzz/$t.dict ]] && dict=(-dict="$root/fuzz/$t.dict")
  echo "== $t: $seconds s" >&2
  start=$SECONDS
  set +e
  nice -n 10 "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=1048576 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$((SECONDS - start))
  stat() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}'; }
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=$(find "$artifacts" -type f | wc -l)
  [[ $rc == 0 && $crashes == 0 ]] || failed=1
  printf '%s: seconds=%s/%s execs=%s new_units=%s corpus=%s cov=%s ft=%s crashes=%s rc=%s regressions=%s\n' \
    "$t" "$elapsed" "$seconds" "$(stat number_of_executed_units)" "$(stat new_units_added)" "$(find "$corpus" -type f | wc -l)" \
    "${cov:-?}" "${ft:-?}" "$crashes" "$rc" "$regress" >> "$new"
  for a in "$artifacts"/*; do [[ -f $a ]] && echo "  finding: $a" >> "$new"; done
  tail -n 60 "$log" > "$results/$t.log"
done
mv "$new" "$results/summary.txt"
cat "$results/summary.txt"
exit $failed
