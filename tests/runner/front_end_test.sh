#!/usr/bin/env bash
# The flowrun front end (runner/front_main.cpp): it must not link LibTorch (that
# is its whole point: start-up), it answers --help and --version itself with
# the same text as flowrun-torch, it hands other verbs to flowrun-torch with
# their exit codes, and without flowrun-torch beside it it says so, exit 1.
# nodes, describe, validate and dot run in the front end on the plugins'
# contract libraries: their output must be byte for byte flowrun-torch's
# (every shipped graph validated both ways), the contracts must not link
# LibTorch, and a plugin without a contract sends the verb to flowrun-torch.
# usage: front_end_test.sh FLOWRUN_EXE PLUGIN_DIR SOURCE_DIR
set -uo pipefail
exe=$1 plugin_dir=$2 src=$3
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
for verb in run validate nodes describe dot synth eval infer metrics report sweep; do
  "$tmp/flowrun" --help | grep -qE "^  $verb " || fail "--help without flowrun-torch does not list $verb"
done
"$tmp/flowrun" --version | grep -q "^flowrun " || fail "--version without flowrun-torch failed"
out=$("$tmp/flowrun" run x.json 2>&1); rc=$?
[[ $rc == 1 ]] || fail "without flowrun-torch: exit $rc, expected 1 ($out)"
[[ $out == *"cannot start $tmp/flowrun-torch"* ]] || fail "without flowrun-torch the message does not name it: $out"

# The contract libraries: one per shipped plugin, none linking LibTorch.
for p in vnet cotwin train eval; do
  c=$plugin_dir/libflowrun_$p.contract.so
  [[ -f $c ]] || fail "no contract library $c"
  if readelf -d "$c" | grep -E 'NEEDED.*(libtorch|libc10)' >/dev/null; then fail "$c links LibTorch"; fi
done
# same ARGS...: the front end and flowrun-torch print the same and exit alike.
same() {
  local a b ra rb
  a=$("$exe" "$@" 2>&1); ra=$?
  b=$("$torch_exe" "$@" 2>&1); rb=$?
  if [[ $ra != "$rb" || "$a" != "$b" ]]; then
    diff <(echo "$a") <(echo "$b") | head -20 >&2
    fail "flowrun $* (exit $ra) differs from flowrun-torch $* (exit $rb)"
  fi
}
cd "$src"
same nodes
same nodes --json
same nodes --markdown
for t in data.load_case data.collate cotwin.twin_forward eval.validate vnet.model train.optimizer no.such_type; do
  same describe "$t"
  same describe "$t" --json
done
n=0
for g in graphs/*.json graphs/*/*.json; do
  [[ $g == graphs/datasets/* ]] && continue
  same validate "$g"
  ((++n))
done
((n >= 20)) || fail "only $n shipped graphs found under $src/graphs"
for g in graphs/demo.json graphs/la_5.json graphs/baselines/pancreas_10_cps.json; do
  same validate --print "$g"
  same validate --no-file-check "$g"
  same dot "$g"
done
same validate graphs/demo.json --set nodes.loss.alpha=-1
same validate graphs/demo.json --set nodes.pseudo.dynamic=false
same dot graphs/demo.json --profile graphs/demo.json
# They ran in the front end: alone, it still answers.
"$tmp/flowrun" nodes --json >/dev/null 2>&1 || fail "nodes --json without flowrun-torch beside the front end failed"
"$tmp/flowrun" describe cotwin.loss >/dev/null 2>&1 || fail "describe without flowrun-torch failed"
"$tmp/flowrun" validate graphs/demo.json >/dev/null 2>&1 || fail "validate without flowrun-torch failed"
"$tmp/flowrun" dot graphs/demo.json >/dev/null 2>&1 || fail "dot without flowrun-torch failed"
# A plugin without a contract library: the verb goes to flowrun-torch.
mkdir "$tmp/extra"
cp "$plugin_dir/libflowrun_vnet.so" "$tmp/extra/libflowrun_extra.so"
FLOWRUN_PLUGIN_PATH=$tmp/extra same nodes --json
out=$(FLOWRUN_PLUGIN_PATH=$tmp/extra "$tmp/flowrun" nodes 2>&1); rc=$?
[[ $rc == 1 && $out == *"cannot start $tmp/flowrun-torch"* ]] ||
  fail "a plugin without a contract did not send nodes to flowrun-torch (exit $rc): $out"
echo "front_end_test: ok ($n shipped graphs validated both ways)"
