#!/usr/bin/env bash
# Instruction counts (valgrind callgrind) of `flowc check`'s in-process pipeline and of libyaml's raw
# event loop (the C floor) on the same generated templates: a figure the shared machine's noise does
# not move, beside the CPU times of bench/run.sh.
#
#   bench/instructions.sh                 # the 1x file (5,000 nodes); run bench/run.sh first
#   SIZES="5000 20000" bench/instructions.sh
#
# Needs valgrind (apt-get install -y valgrind) and the release binaries and files bench/run.sh made.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
SIZES=${SIZES:-"5000"}
count() { valgrind --tool=callgrind --callgrind-out-file="$1" "${@:2}" >/dev/null 2>&1
          callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
printf '| nodes | C floor (instructions) | check (instructions) | ratio |\n|---:|---:|---:|---:|\n'
for n in $SIZES; do
    f=$OUT/bench-$n.flow.yaml
    [[ -f $f ]] || { echo "missing $f: run bench/run.sh first" >&2; exit 1; }
    c=$(count "$OUT/callgrind-c-$n.out" "$OUT/yaml_events" "$f")
    s=$(count "$OUT/callgrind-check-$n.out" .build/release/flowc-bench profile "$f" --max-file-size 268435456 --max-yaml-nodes 1000000000)
    printf '| %s | %s | %s | %s× |\n' "$n" "$c" "$s" "$(python3 -c "print(f'{$s/$c:.2f}')")"
done
