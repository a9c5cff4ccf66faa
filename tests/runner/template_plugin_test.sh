#!/usr/bin/env bash
# Builds plugins/template out of tree against this build's flowrun package,
# runs its test (written with the node harness), then checks that flowrun
# lists and describes its node when
# FLOWRUN_PLUGIN_PATH points at it.
set -euo pipefail
src=$1 flowrun_build=$2 flowrun=$3 build=$4
rm -rf "$build"
cmake -S "$src" -B "$build" -Dflowrun_DIR="$flowrun_build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" >/dev/null
"$build/case_counter_test"
FLOWRUN_PLUGIN_PATH="$build" "$flowrun" nodes | grep -E 'template\.case_counter .*libflowrun_template\.so'
FLOWRUN_PLUGIN_PATH="$build" "$flowrun" describe template.case_counter | grep -q 'file : string = "case_counts.json"'
echo "template plugin builds out of tree and registers template.case_counter"
