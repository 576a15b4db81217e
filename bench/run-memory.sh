#!/usr/bin/env bash
# Peak memory of `flowc run` over generated deals files, JSON Lines and CSV, at several sizes, run
# once and again: a run holds a batch of records, not the file, so the peak should not grow with
# the file, on the first run or a re-run.
#
#   bench/run-memory.sh                    # 100,000 and 300,000 deals
#   SIZES="10000 30000" bench/run-memory.sh
#   NO_BUILD=1 bench/run-memory.sh         # reuse .build/release/flowc
#
# Needs python3 and GNU time (`apt-get install -y time`). Writes under bench/out/run-memory/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/run-memory
mkdir -p "$OUT"
[ -n "${NO_BUILD:-}" ] || swift build -c release --product flowc >&2
command -v /usr/bin/time >/dev/null || { echo "run-memory: needs GNU time (apt-get install -y time)" >&2; exit 2; }

# Each file twice on the same store: the first run creates the deals, the second (the documented
# recovery after an interrupt) finds every record already applied.
printf '| file | records | size | run | peak RSS | wall | rejected | unchanged |\n|---|---:|---:|---|---:|---:|---:|---:|\n'
for n in ${SIZES:-100000 300000}; do
    python3 bench/gen_deals.py "$n" "$OUT/deals-$n.jsonl" "$OUT/leads-$n.csv"
    for file in "$OUT/deals-$n.jsonl" "$OUT/leads-$n.csv"; do
        rm -rf "$OUT/db.sqlite" "$OUT/db.sqlite-wal" "$OUT/db.sqlite-shm" "$OUT/db.sqlite.machines"
        for pass in first again; do
            /usr/bin/time -f '%M %e' -o "$OUT/time.txt" .build/release/flowc run templates/standard-sale.flow.yaml \
                --deals "$file" --db "$OUT/db.sqlite" --now 2024-12-31T00:00:00Z --json >"$OUT/summary.json" 2>"$OUT/stderr.txt" || true
            read -r kib seconds <"$OUT/time.txt"
            read -r rejected unchanged < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["rejected"], r["unchanged"])' "$OUT/summary.json")
            size=$(du -m "$file" | cut -f1)
            printf '| %s | %s | %s MB | %s | %s MB | %s s | %s | %s |\n' "$(basename "$file")" "$n" "$size" "$pass" "$((kib / 1024))" "$seconds" "$rejected" "$unchanged"
        done
    done
done
