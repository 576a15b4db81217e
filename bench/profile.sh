#!/usr/bin/env bash
# Profiles `flowc check` (read + TemplateChecker.check, via `flowc-bench profile`) on a generated
# template: callgrind (instruction counts, file:line) and, when the kernel allows it, perf
# (cpu-clock samples, real time including cache misses).
#
#   bench/profile.sh                  # 5,000 nodes (the 1x file)
#   NODES=20000 bench/profile.sh      # superlinear costs show better on bigger files
#   NO_BUILD=1 bench/profile.sh
#
# Output under bench/out/profile/: callgrind.out, callgrind-inclusive.txt, callgrind-self.txt,
# callgrind-lines.txt, perf-children.txt, and src/ — a copy of Sources/ taken just before the
# build, so that file:line in the reports can be matched even while others keep editing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out/profile
NODES=${NODES:-5000}
mkdir -p "$OUT"
log() { printf '== %s\n' "$*" >&2; }

rm -rf "$OUT/src"
cp -r "$ROOT/Sources" "$OUT/src"
if [[ -z "${NO_BUILD:-}" ]]; then
    touch "$ROOT"/bench/Sources/flowc-bench/*.swift
    for attempt in 1 2 3 4 5 6; do
        if swift build -c release --product flowc-bench >"$OUT/build.log" 2>&1; then break; fi
        grep -q "modified during the build" "$OUT/build.log" || { cat "$OUT/build.log" >&2; exit 1; }
        log "sources changed during the build, retrying ($attempt)"
        rm -rf "$OUT/src"; cp -r "$ROOT/Sources" "$OUT/src"
        sleep 10
    done
fi
BIN=$ROOT/.build/release/flowc-bench
FILE=$OUT/profile-$NODES.flow.yaml
"$BIN" generate --nodes "$NODES" --out "$FILE" >&2
"$BIN" profile "$FILE" >&2

demangle() { if command -v swift >/dev/null; then swift demangle --simplified; else cat; fi; }

log "callgrind"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" "$BIN" profile "$FILE" >/dev/null 2>"$OUT/valgrind.log"
callgrind_annotate --inclusive=yes "$OUT/callgrind.out" 2>/dev/null | demangle | sed -E "s#\[/[^]]*\]##; s#$ROOT/##g" >"$OUT/callgrind-inclusive.txt"
callgrind_annotate "$OUT/callgrind.out" 2>/dev/null | demangle | sed -E "s#\[/[^]]*\]##; s#$ROOT/##g" >"$OUT/callgrind-self.txt"
# Line-level costs (auto-annotation reads the current Sources/; see the check below).
callgrind_annotate --inclusive=yes --auto=yes --context=0 "$OUT/callgrind.out" 2>/dev/null | demangle >"$OUT/callgrind-lines.txt"

if perf record -e cpu-clock -F 999 -g -o "$OUT/perf.data" true >/dev/null 2>&1; then
    log "perf"
    perf record -e cpu-clock -F 999 -g -o "$OUT/perf.data" "$BIN" profile "$FILE" >/dev/null 2>&1
    perf report -i "$OUT/perf.data" --children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' \
        | awk '{print $1, $2, substr($0, index($0, $4))}' | demangle | cut -c1-200 >"$OUT/perf-children.txt"
else
    log "perf record not permitted here; callgrind only"
fi

if diff -rq "$ROOT/Sources" "$OUT/src" >/dev/null; then
    log "Sources/ unchanged since the build: line numbers match Sources/"
else
    log "WARNING: Sources/ changed since the build; match lines against bench/out/profile/src/"
fi
log "top inclusive costs (callgrind, flowc code):"
grep -E 'Sources/Flow' "$OUT/callgrind-inclusive.txt" | grep -v 'compiler-generated' | head -40 | cut -c1-180
if [[ -f "$OUT/perf-children.txt" ]]; then
    log "top inclusive samples (perf):"
    head -45 "$OUT/perf-children.txt"
fi
