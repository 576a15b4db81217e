#!/usr/bin/env bash
# Benchmarks `flowc check` against libyaml's raw event parse of the same files, in one run.
#
#   bench/run.sh                      # 1x, 4x, 16x = 5,000 / 20,000 / 80,000 nodes
#   SIZES="2000 8000" bench/run.sh    # other sizes (smallest first; ratios are to the first)
#   ROUNDS=7 HF_RUNS=3 bench/run.sh   # in-process rounds (medians/mins), hyperfine runs per command
#   NO_BUILD=1 bench/run.sh           # reuse the current release binaries
#
# Writes everything under bench/out/ (gitignored); the report is bench/out/report.md.
# See bench/README.md for what each figure measures.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
BIN=$ROOT/.build/release
SIZES=${SIZES:-"5000 20000 80000"}
ROUNDS=${ROUNDS:-5}
HF_RUNS=${HF_RUNS:-5}
# The 16x file is over the reader's default 32 MiB limit: raise it explicitly, for every tool.
MAX_FILE=${MAX_FILE:-268435456}
# YAMLLimits.maxExpandedNodes for the in-process bench (it once counted every YAML node, not only
# alias expansions; see README). `flowc check` has no option for it.
MAX_YAML_NODES=${MAX_YAML_NODES:-1000000000}
mkdir -p "$OUT"

log() { printf '== %s\n' "$*" >&2; }

build() {
    # Other people edit Sources/ concurrently; SwiftPM then stops with "was modified during the
    # build". Retry a few times.
    local product=$1 attempt
    for attempt in 1 2 3 4 5 6; do
        if swift build -c release --product "$product" >"$OUT/build-$product.log" 2>&1; then return 0; fi
        if grep -q "modified during the build" "$OUT/build-$product.log"; then
            log "build of $product: sources changed during the build, retrying ($attempt)"
            sleep 10
            continue
        fi
        cat "$OUT/build-$product.log" >&2
        return 1
    done
    cat "$OUT/build-$product.log" >&2
    return 1
}

if [[ -z "${NO_BUILD:-}" ]]; then
    log "swift build -c release --product flowc / --product flowc-bench"
    build flowc
    # Seen here: after other modules changed, SwiftPM only relinked flowc-bench against their new
    # layouts (no recompile) and it crashed in a deinit. Recompiling the bench's own files is cheap.
    touch "$ROOT"/bench/Sources/flowc-bench/*.swift
    build flowc-bench
fi
log "gcc -O2 bench/yaml_events.c -lyaml"
gcc -O2 -Wall -o "$OUT/yaml_events" "$ROOT/bench/yaml_events.c" $(pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)

have_hyperfine=1
command -v hyperfine >/dev/null || { have_hyperfine=0; log "hyperfine not found: whole-process times are single runs (apt-get install -y hyperfine)"; }

for n in $SIZES; do
    f=$OUT/bench-$n.flow.yaml
    log "generate --nodes $n"
    "$BIN/flowc-bench" generate --nodes "$n" --out "$f" >&2

    log "validity: flowc check $f"
    set +e
    "$BIN/flowc" check "$f" --quiet --color never --max-file-size "$MAX_FILE" >"$OUT/cli-$n.out" 2>&1
    rc=$?
    set -e
    first=$(grep -m1 -E 'error|warning' "$OUT/cli-$n.out" | sed -E 's/^[^:]*:[0-9]+:[0-9]+: //' || true)
    if [[ $rc -eq 0 ]]; then echo "exit 0 (no errors)" >"$OUT/cli-$n.txt"; else echo "exit $rc: ${first:-see cli-$n.out}" >"$OUT/cli-$n.txt"; fi
    log "  $(cat "$OUT/cli-$n.txt")"

    # Rounds interleave the three programs (one measured repetition each per round), so that a
    # burst of load from other users hits all of them rather than one; report.py takes medians
    # and minimums over the rounds.
    log "C floor, Swift floor, flowc check phases: $ROUNDS interleaved rounds (in-process CPU time)"
    : >"$OUT/c-$n.jsonl"; : >"$OUT/swift-$n.jsonl"; : >"$OUT/check-$n.jsonl"
    for ((round = 1; round <= ROUNDS; round++)); do
        "$OUT/yaml_events" "$f" 1 | tail -1 >>"$OUT/c-$n.jsonl"
        "$BIN/flowc-bench" raw "$f" --repeat 1 --json >>"$OUT/swift-$n.jsonl"
        "$BIN/flowc-bench" check "$f" --repeat 1 --json --max-file-size "$MAX_FILE" \
            --max-yaml-nodes "$MAX_YAML_NODES" >>"$OUT/check-$n.jsonl"
    done

    log "whole processes"
    if [[ $have_hyperfine -eq 1 ]]; then
        hyperfine -N -i --style none --warmup 1 --runs "$HF_RUNS" --export-json "$OUT/hyperfine-$n.json" \
            -n c_floor "$OUT/yaml_events $f" \
            -n swift_floor "$BIN/flowc-bench raw $f --repeat 1" \
            -n flowc_check "$BIN/flowc check $f --quiet --color never --max-file-size $MAX_FILE" >"$OUT/hyperfine-$n.txt" 2>&1
    else
        python3 - "$OUT/hyperfine-$n.json" "$OUT/yaml_events $f" "$BIN/flowc-bench raw $f --repeat 1" \
            "$BIN/flowc check $f --quiet --color never --max-file-size $MAX_FILE" <<'EOF'
import json, subprocess, sys, time
res = []
for name, cmd in zip(["c_floor", "swift_floor", "flowc_check"], sys.argv[2:]):
    t = time.monotonic(); subprocess.run(cmd.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); t = time.monotonic() - t
    res.append({"command": name, "median": t, "min": t})
json.dump({"results": res}, open(sys.argv[1], "w"))
EOF
    fi
done

python3 "$ROOT/bench/report.py" "$OUT" $SIZES | tee "$OUT/report.md"
