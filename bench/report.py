#!/usr/bin/env python3
"""Prints bench/run.sh's tables from the JSON files it wrote under bench/out/.

usage: report.py OUT_DIR SIZE...   (SIZE = the --nodes values, smallest first)
"""
import json
import os
import sys

out, sizes = sys.argv[1], sys.argv[2:]
MiB = 1048576.0


def load(name):
    """A JSON document, or the last line of a file whose last line is one."""
    with open(os.path.join(out, name)) as f:
        text = f.read().strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.splitlines()[-1])


def rounds(name):
    """One JSON object per line, one line per round -> medians per key, plus `<key>@min`."""
    with open(os.path.join(out, name)) as f:
        recs = [json.loads(line) for line in f if line.strip().startswith("{")]
    agg = {}
    for key, v in recs[0].items():
        if isinstance(v, (int, float)):
            vals = sorted(r[key] for r in recs)
            m = len(vals) // 2
            if isinstance(v, int) or len(vals) % 2:
                agg[key] = vals[(len(vals) - 1) // 2]
            else:
                agg[key] = (vals[m - 1] + vals[m]) / 2
            agg[key + "@min"] = vals[0]
        else:
            agg[key] = v
    agg["rounds"] = len(recs)
    return agg


rows = []
for n in sizes:
    c = rounds(f"c-{n}.jsonl")
    s = rounds(f"swift-{n}.jsonl")
    k = rounds(f"check-{n}.jsonl")
    hf = load(f"hyperfine-{n}.json")
    with open(os.path.join(out, f"cli-{n}.txt")) as f:
        cli_status = f.read().strip()
    proc = {r["command"]: r for r in hf["results"]}
    rows.append(dict(n=n, c=c, s=s, k=k, proc=proc, cli=cli_status, mib=k["bytes"] / MiB))


def ms(x):
    return f"{x * 1000:,.1f}"


lines = []
p = lines.append
p(f"## flowc check vs libyaml's raw event parse (release build, CPU time, median of {rows[0]['c']['rounds']} interleaved rounds)")
p("")
p("| size (MiB) | nodes | YAML nodes | C floor (ms) | Swift floor (ms) | check (ms) | check / C floor | check / Swift floor | check MiB/s | C floor MiB/s | check / C floor, min of rounds |")
p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    c, s, k = r["c"]["cpu_median"], r["s"]["cpu_median"], r["k"]["total_cpu"]
    kmin = r["k"]["total_cpu@min"]
    p(f"| {r['mib']:.2f} | {r['k']['nodes']:,} | {r['k']['yaml_nodes']:,} | {ms(c)} | {ms(s)} | {ms(k)} | "
      f"{k / c:.2f}x | {k / s:.2f}x | {r['mib'] / k:.1f} | {r['mib'] / c:.1f} | {kmin / r['c']['cpu_median@min']:.2f}x |")
p("")
p("check = `flowc-bench check`: read + the whole `TemplateChecker.check` in-process (0 errors required).")
p("")
p("### Where check's time goes (CPU ms, median; share of check)")
p("")
phases = ["read", "source", "yaml", "syntax", "rules", "free"]
p("| size (MiB) | " + " | ".join(phases) + " | total | peak RSS (MiB) | errors | warnings |")
p("|---:|" + "---:|" * (len(phases) + 4))
for r in rows:
    k = r["k"]
    tot = k["total_cpu"]
    cells = [f"{ms(k[ph + '_cpu'])} ({100 * k[ph + '_cpu'] / tot:.0f}%)" for ph in phases]
    p(f"| {r['mib']:.2f} | " + " | ".join(cells) + f" | {ms(tot)} | {k['max_rss_mib']:.0f} | {k['errors']} | {k['warnings']} |")
p("")
p("read = DiskFileSystem.read; source = SourceFile line table; yaml = YAMLReader.read (libyaml + arena);")
p("syntax = TemplateParser.parse; rules = TemplateChecker.check minus source, yaml and syntax")
p("(compose, RuleContext/graph, the 18 rules, suppressions, sorting); free = releasing the CheckResult.")
p("")
p("### Whole processes (hyperfine, wall time: median / min)")
p("")
p("| size (MiB) | C floor process | Swift floor process | `flowc check --quiet` process | flowc check exit / first line |")
p("|---:|---:|---:|---:|---|")
for r in rows:
    cells = []
    for key in ("c_floor", "swift_floor", "flowc_check"):
        x = r["proc"].get(key)
        cells.append(f"{ms(x['median'])} / {ms(x['min'])} ms" if x else "n/a")
    p(f"| {r['mib']:.2f} | " + " | ".join(cells) + f" | {r['cli']} |")
p("")
p("### Linearity (time per MiB relative to the smallest size; 1.00 = linear)")
p("")
base = rows[0]


def per_mib(r, get):
    return get(r) / r["mib"]


series = [
    ("check (in-process)", lambda r: r["k"]["total_cpu"]),
    ("C floor", lambda r: r["c"]["cpu_median"]),
    ("Swift floor", lambda r: r["s"]["cpu_median"]),
] + [(f"  phase {ph}", (lambda ph: lambda r: r["k"][ph + "_cpu"])(ph)) for ph in ["yaml", "syntax", "rules"]]
header = " | ".join(f"{float(r['n']) / float(base['n']):.0f}x ({r['mib']:.1f} MiB)" for r in rows)
p(f"| series | {header} |")
p("|---|" + "---:|" * len(rows))
for name, get in series:
    b = per_mib(base, get)
    p(f"| {name} | " + " | ".join(f"{per_mib(r, get) / b:.2f}" for r in rows) + " |")
p("")
goal = all(r["k"]["total_cpu"] <= 3 * r["c"]["cpu_median"] for r in rows)
p(f"Goal check <= 3x C floor at every size: {'MET' if goal else 'NOT MET'}")
print("\n".join(lines))
