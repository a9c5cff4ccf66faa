#!/usr/bin/env bash
# The layers of docs/architecture.md, checked on every project include:
# core includes only core; lib only core and lib; nodes neither plugins nor
# runner; plugins not runner. Prints each include that runs up a layer.
#
# usage: layering_test.sh SOURCE_DIR
set -uo pipefail
cd "${1:?usage: layering_test.sh SOURCE_DIR}"
allowed() {  # allowed LAYER INCLUDED_TOP_FOLDER
  case $1 in
    core) [[ $2 == core ]] ;;
    lib) [[ $2 == core || $2 == lib ]] ;;
    nodes) [[ $2 == core || $2 == lib || $2 == nodes ]] ;;
    plugins) [[ $2 != runner ]] ;;
    *) true ;;
  esac
}
bad=0 checked=0
for layer in core lib nodes plugins; do
  while IFS=: read -r file line text; do
    inc=${text#*\"}
    inc=${inc%%\"*}
    top=${inc%%/*}
    [[ $inc == */* ]] || continue  # same-folder or system-style includes
    [[ -d $top ]] || continue      # not a folder of this project
    ((checked++))
    if ! allowed "$layer" "$top"; then
      echo "$file:$line: $layer includes $inc (a layer above it)"
      bad=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cpp' --include='*.cu' '^#include "' "$layer")
done
echo "layering: $checked project includes checked"
((checked > 100)) || { echo "layering: too few includes found; did the folders move?"; exit 1; }
exit $bad
