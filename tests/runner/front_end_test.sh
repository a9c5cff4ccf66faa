#!/usr/bin/env bash
# The flowrun front end (runner/front_main.cpp): it must not link LibTorch (that
# is its whole point: start-up), it answers --help and --version itself with
# the same text as flowrun-torch, it hands other verbs to flowrun-torch with
# their exit codes, and without flowrun-torch beside it it says so, exit 1.
# usage: front_end_test.sh FLOWRUN_EXE
set -uo pipefail
exe=$1
fail() { echo "front_end_test: $*" >&2; exit 1; }
if readelf -d "$exe" | grep -E 'NEEDED.*(libtorch|libc10)' >/dev/null; then
  fail "$exe links LibTorch: $(readelf -d "$exe" | grep -E 'libtorch|libc10' | head -3)"
fi
"$exe" metrics --help | grep -q "HD95" || fail "metrics --help did not run in the front end"
torch_exe=$(dirname "$exe")/flowrun-torch
[[ "$("$exe" --help)" == "$("$torch_exe" --help)" ]] || fail "--help differs from flowrun-torch --help"
[[ "$("$exe" --version)" == "$("$torch_exe" --version)" ]] || fail "--version differs from flowrun-torch --version"
[[ "$("$exe" --version)" == "flowrun "*"LibTorch"* ]] || fail "--version: $("$exe" --version)"
"$exe" no-such-graph.json 2>/dev/null; rc=$?
[[ $rc == 2 ]] || fail "a missing graph gave exit $rc through the front end, expected 2"
"$exe" metrics 2>/dev/null; rc=$?
[[ $rc == 2 ]] || fail "metrics without arguments gave exit $rc, expected 2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$exe" "$tmp/flowrun"
# Alone, the front end still lists every verb and says its version.
for verb in run validate nodes describe dot synth eval infer metrics; do
  "$tmp/flowrun" --help | grep -qE "^  $verb " || fail "--help without flowrun-torch does not list $verb"
done
"$tmp/flowrun" --version | grep -q "^flowrun " || fail "--version without flowrun-torch failed"
out=$("$tmp/flowrun" validate x.json 2>&1); rc=$?
[[ $rc == 1 ]] || fail "without flowrun-torch: exit $rc, expected 1 ($out)"
[[ $out == *"cannot start $tmp/flowrun-torch"* ]] || fail "without flowrun-torch the message does not name it: $out"
echo "front_end_test: ok"
