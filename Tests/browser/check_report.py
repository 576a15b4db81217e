#!/usr/bin/env python3
"""Open flowc's HTML report and SVG flow diagram in a real headless browser (Debian's chromium,
driven by Playwright) with the network blocked, check what a manager would see, and save
screenshots. Run it through scripts/browser-check, which installs chromium, a CJK font and
Playwright when they are missing.

Steps:
  1. build the debug flowc (or take --flowc PATH);
  2. run the bundled example deals into a temporary SQLite store (the README's main job);
  3. `flowc report --db STORE --now NOW --html report.html` (and its text and JSON forms), and
     `flowc graph templates/standard-sale.flow.yaml --format svg -o flow.svg`;
     while a command does not exist yet in this build, the page falls back to the sample page that
     the Swift test ReportHTMLSampleTests writes to .build/report-sample/ (said loudly), and a
     missing `flowc graph` is skipped with a warning;
  4. open each page at 1280x900: no console errors, no failed or outside requests, every chart
     <svg role="img"> has a non-zero box, key texts (a Chinese node name, a deal id) are visible,
     Chinese glyphs really render (not boxes), nothing is wider than the window;
  5. save full-page screenshots report.png and flow.svg.png (and report-print.pdf, the page as
     printed) into the output directory, printed at the end.

Exit status: 0 when every check passed, 1 otherwise, 2 on a usage or setup error.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "templates/standard-sale.flow.yaml"
DEALS = "examples/standard-sale.deals.jsonl"
SAMPLE_DIR = ROOT / ".build" / "report-sample"
# A fixed report time, so the example deals' ages and due dates are the same on every run, and the
# offset the report's dates are shown in (the example deals are in China).
DEFAULT_NOW = "2024-07-01T09:00:00+08:00"
UTC_OFFSET = "8h"
VIEWPORT = {"width": 1280, "height": 900}


class Checks:
    """Collects failures instead of stopping at the first, so one run shows everything wrong."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.warnings: list[str] = []

    def expect(self, ok: bool, what: str) -> bool:
        print(("  ok    " if ok else "  FAIL  ") + what)
        if not ok:
            self.failures.append(what)
        return ok

    def warn(self, what: str) -> None:
        print("  WARN  " + what)
        self.warnings.append(what)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


def build_flowc() -> Path:
    print("building flowc (debug)…", flush=True)
    built = run(["swift", "build", "--product", "flowc"])
    if built.returncode != 0:
        sys.stderr.write(built.stdout[-4000:] + built.stderr[-4000:])
        raise SystemExit("browser-check: swift build --product flowc failed")
    bin_path = run(["swift", "build", "--show-bin-path"]).stdout.strip()
    return Path(bin_path) / "flowc"


def has_command(flowc: Path, name: str) -> bool:
    # An unknown subcommand with --help prints the root help (exit 0), so look at the usage line.
    helped = run([str(flowc), name, "--help"])
    return helped.returncode == 0 and f"USAGE: flowc {name}" in helped.stdout


def sample_page(checks: Checks) -> tuple[Path, dict]:
    """The page and model that the Swift test ReportHTMLSampleTests writes."""
    page, model = SAMPLE_DIR / "report.html", SAMPLE_DIR / "model.json"
    if not page.exists() or not model.exists():
        print("writing the sample page (swift test --filter ReportHTMLSampleTests)…", flush=True)
        done = run(["swift", "test", "--filter", "ReportHTMLSampleTests"])
        if done.returncode != 0 or not page.exists():
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            raise SystemExit("browser-check: could not write the sample report page")
    checks.warn(f"`flowc report` is not in this build: checking the sample page {page.relative_to(ROOT)} instead")
    return page, json.loads(model.read_text(encoding="utf-8"))


def make_report(flowc: Path, tmp: Path, now: str, checks: Checks) -> tuple[Path, dict]:
    store = tmp / "deals.sqlite"
    ran = run([str(flowc), "run", TEMPLATE, "--deals", DEALS, "--db", str(store)])
    checks.expect(ran.returncode == 0, f"flowc run {TEMPLATE} --deals {DEALS} exits 0 (got {ran.returncode})")
    if ran.returncode != 0:
        sys.stderr.write(ran.stdout[-2000:] + ran.stderr[-2000:])
    if not has_command(flowc, "report"):
        return sample_page(checks)
    html = tmp / "report.html"
    made = run([str(flowc), "report", "--db", str(store), "--now", now, "--utc-offset", UTC_OFFSET, "--html", str(html)])
    checks.expect(made.returncode == 0 and html.exists(), f"flowc report --html exits 0 and writes the page (got {made.returncode})")
    if made.returncode != 0:
        sys.stderr.write(made.stdout[-2000:] + made.stderr[-2000:])
    text = run([str(flowc), "report", "--db", str(store), "--now", now, "--utc-offset", UTC_OFFSET, "--color", "never"])
    if text.returncode != 0:  # an older command line without --color
        text = run([str(flowc), "report", "--db", str(store), "--now", now, "--utc-offset", UTC_OFFSET])
    checks.expect(text.returncode == 0 and "漏斗 Funnel" in text.stdout, "flowc report prints the terminal report")
    (tmp / "report.txt").write_text(text.stdout, encoding="utf-8")
    checks.expect("2024-07-01 09:00 (UTC+08:00)" in text.stdout, "flowc report dates the report in the given offset")
    as_json = run([str(flowc), "report", "--db", str(store), "--now", now, "--utc-offset", UTC_OFFSET, "--format", "json"])
    try:
        model = json.loads(as_json.stdout)
    except json.JSONDecodeError:
        checks.expect(False, "flowc report --format json prints the model")
        model = {}
    return html, model


def make_graph(flowc: Path, tmp: Path, checks: Checks) -> Path | None:
    if not has_command(flowc, "graph"):
        checks.warn("`flowc graph` is not in this build: the flow diagram is not checked")
        return None
    svg = tmp / "flow.svg"
    made = run([str(flowc), "graph", TEMPLATE, "--format", "svg", "-o", str(svg)])
    checks.expect(made.returncode == 0 and svg.exists(), f"flowc graph --format svg exits 0 and writes the file (got {made.returncode})")
    if made.returncode != 0:
        sys.stderr.write(made.stdout[-2000:] + made.stderr[-2000:])
        return None
    return svg


def key_texts(model: dict) -> list[str]:
    """A Chinese node name and a deal id that the page must show."""
    texts = []
    for row in model.get("funnel", []):
        if row.get("nameZh"):
            texts.append(row["nameZh"])
            break
    for section in ("publicPool", "returning", "recentRecords"):
        rows = model.get(section, [])
        if rows:
            texts.append(rows[0]["dealID"])
            break
    else:
        for group in model.get("attention", []):
            if group.get("items"):
                texts.append(group["items"][0]["dealID"])
                break
    return texts


# Draws two different Chinese characters on a canvas in the page's own font: with no CJK font they
# come out as identical "tofu" boxes (or nothing), with one they differ. Also compares the width of
# six Chinese characters with six Latin letters (about 2x with a real CJK font).
GLYPH_PROBE = """
(family) => {
  // createElementNS: the page may be an SVG document, where createElement makes no canvas.
  const canvas = () => document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
  function pixels(ch) {
    const c = canvas(); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#000'; g.font = '48px ' + family; g.textBaseline = 'top'; g.fillText(ch, 4, 4);
    return Array.from(g.getImageData(0, 0, 64, 64).data);
  }
  const a = pixels('标'), b = pixels('准');
  const inked = a.some(v => v < 128);
  let differ = 0; for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
  const c = canvas().getContext('2d'); c.font = '16px ' + family;
  const ratio = c.measureText('标准销售流程').width / c.measureText('abcdef').width;
  return {inked, differ, ratio, noto: document.fonts.check('16px "Noto Sans CJK SC"')};
}
"""


def open_page(browser, url: str, checks: Checks, what: str):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    outside: list[str] = []
    failed: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)

    def finish():
        checks.expect(not errors, f"{what}: no console errors {errors[:3] if errors else ''}")
        checks.expect(not outside, f"{what}: no request leaves the file {outside[:3] if outside else ''}")
        checks.expect(not failed, f"{what}: no failed requests {failed[:3] if failed else ''}")
        context.close()

    return page, finish


def check_glyphs(page, checks: Checks, what: str, selector: str) -> None:
    if not checks.expect(page.locator(selector).count() > 0, f"{what}: has {selector} text to measure"):
        return
    family = page.eval_on_selector(selector, "e => getComputedStyle(e).fontFamily")
    probe = page.evaluate(GLYPH_PROBE, family)
    checks.expect(probe["inked"] and probe["differ"] > 50,
                  f"{what}: Chinese glyphs render as distinct glyphs, not boxes ({probe['differ']} pixels differ)")
    checks.expect(1.6 <= probe["ratio"] <= 2.6, f"{what}: 标准销售流程 is about twice as wide as abcdef (ratio {probe['ratio']:.2f})")
    if not probe["noto"]:
        checks.warn(f"{what}: document.fonts.check('16px \"Noto Sans CJK SC\"') is false")


def check_report(browser, html: Path, model: dict, out: Path, checks: Checks) -> None:
    print(f"report page: {html}")
    page, finish = open_page(browser, html.resolve().as_uri(), checks, "report")
    checks.expect(bool(page.title().strip()), f"report: has a title ({page.title()!r})")
    charts = page.locator("svg[role=img]")
    expected = sum(1 for key in ("funnel", "forecast", "publicPool") if model.get(key))
    checks.expect(charts.count() == expected, f"report: {expected} charts for the non-empty sections (found {charts.count()})")
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        label = chart.get_attribute("aria-label") or ""
        checks.expect(box is not None and box["width"] > 0 and box["height"] > 0,
                      f"report: chart {chart.get_attribute('id')} has a non-zero box ({box and (round(box['width']), round(box['height']))})")
        checks.expect(bool(label.strip()), f"report: chart {chart.get_attribute('id')} has an aria-label")
    for text in key_texts(model):
        checks.expect(page.get_by_text(text, exact=False).filter(visible=True).count() > 0, f"report: {text!r} is visible")
    for heading in ("漏斗", "预测", "需关注", "公海", "即将退回公海", "节点记录"):
        checks.expect(page.get_by_role("heading", name=heading).first.is_visible(), f"report: section heading {heading} is visible")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    checks.expect(widths[0] <= widths[1], f"report: nothing wider than the 1280 px window (page {widths[0]} px)")
    check_glyphs(page, checks, "report", "h1")
    if model.get("funnel"):
        check_glyphs(page, checks, "report chart", "#chart-funnel text")
    page.screenshot(path=str(out / "report.png"), full_page=True)
    check_phone(page, out, checks)
    page.emulate_media(media="print")
    page.pdf(path=str(out / "report-print.pdf"), format="A4", print_background=True)
    checks.expect((out / "report-print.pdf").stat().st_size > 10_000, "report: prints to PDF")
    finish()


# The smallest text a chart may draw on a phone, in CSS pixels (QA round 39, H6: at 390 px the
# charts were scaled down to a third, their 12 px labels drawn 3.7 px high), and at the widths
# between a phone's and a desktop's (QA round 43, F9: 7.6 to 7.9 px from 801 to 930 px, where the
# phone rule had stopped and the charts shrank with the column).
PHONE = {"width": 390, "height": 844}
NARROW_WIDTHS = (390, 801, 930, 975, 981)
PHONE_MIN_TEXT_PX = 9


def check_phone(page, out: Path, checks: Checks) -> None:
    """The page at narrow widths, a phone's first: the charts keep legible text (they scroll
    sideways inside their section instead of shrinking), and the page itself is no wider than
    the screen."""
    for width in NARROW_WIDTHS:
        check_narrow(page, width, out if width == PHONE["width"] else None, checks)
    page.set_viewport_size(VIEWPORT)


def check_narrow(page, width: int, out: Path | None, checks: Checks) -> None:
    page.set_viewport_size({"width": width, "height": PHONE["height"]})
    page.wait_for_timeout(100)
    # The size the text is drawn at: its font size in the chart's units times the chart's scale
    # (a text's box is its line's, rounded, and hid 7.6 px text as 9 px).
    smallest = page.evaluate("""() => {
        const out = {};
        for (const chart of document.querySelectorAll('svg.chart')) {
            const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
            let least = Infinity;
            for (const t of chart.querySelectorAll('text')) {
                if (t.getBoundingClientRect().height === 0) continue;
                least = Math.min(least, parseFloat(getComputedStyle(t).fontSize) * scale);
            }
            out[chart.id] = least;
        }
        return out;
    }""")
    for chart, size in smallest.items():
        checks.expect(size >= PHONE_MIN_TEXT_PX,
                      f"report at {width} px: chart {chart}'s smallest text is drawn at least {PHONE_MIN_TEXT_PX} px high ({size:.1f} px)")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    checks.expect(widths[0] <= widths[1], f"report at {width} px: nothing wider than the window (page {widths[0]} px)")
    if out is not None:
        page.screenshot(path=str(out / "report-phone.png"), full_page=True)


def check_graph(browser, svg: Path, out: Path, checks: Checks) -> None:
    print(f"flow diagram: {svg}")
    page, finish = open_page(browser, svg.resolve().as_uri(), checks, "flow.svg")
    box = page.locator("svg").first.bounding_box()
    checks.expect(box is not None and box["width"] > 0 and box["height"] > 0, f"flow.svg: the diagram has a non-zero box ({box})")
    # Tooltips (<title>) hold the same names but are never visible: look at drawn text only.
    drawn = page.locator("svg text").filter(has_text="初步洽谈").filter(visible=True)
    checks.expect(drawn.count() > 0, "flow.svg: the node 初步洽谈 is drawn and visible")
    check_glyphs(page, checks, "flow.svg", "svg")
    # A full-page screenshot of a bare SVG document never settles in chromium: size the window to
    # the drawing instead and take the whole window.
    if box:
        page.set_viewport_size({"width": max(1, int(box["x"] + box["width"] + 0.999)), "height": max(1, int(box["y"] + box["height"] + 0.999))})
    page.screenshot(path=str(out / "flow.svg.png"), timeout=15_000)
    finish()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flowc", type=Path, help="a built flowc (default: swift build --product flowc)")
    parser.add_argument("--out", type=Path, default=ROOT / ".build" / "browser-check", help="where screenshots go")
    parser.add_argument("--now", default=DEFAULT_NOW, help=f"the report's time (default {DEFAULT_NOW})")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright  # installed by scripts/browser-check

    if not Path(args.chromium).exists():
        print(f"browser-check: {args.chromium} not found (scripts/browser-check installs it)", file=sys.stderr)
        return 2
    flowc = args.flowc or build_flowc()
    if not flowc.exists():
        print(f"browser-check: {flowc} not found", file=sys.stderr)
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in ("report.png", "flow.svg.png", "report-print.pdf", "report.html", "report.txt", "flow.svg"):
        (out / old).unlink(missing_ok=True)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="flowc-browser-") as tmp_name:
        tmp = Path(tmp_name)
        html, model = make_report(flowc, tmp, args.now, checks)
        svg = make_graph(flowc, tmp, checks)
        # Keep the pages beside their screenshots.
        shutil.copy(html, out / "report.html")
        if (tmp / "report.txt").exists():
            shutil.copy(tmp / "report.txt", out / "report.txt")
        if svg:
            shutil.copy(svg, out / "flow.svg")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                        args=["--no-sandbox", "--disable-dev-shm-usage"])
            try:
                check_report(browser, out / "report.html", model, out, checks)
                if svg:
                    check_graph(browser, out / "flow.svg", out, checks)
            finally:
                browser.close()
    print()
    for w in checks.warnings:
        print(f"warning: {w}")
    print(f"screenshots: {out}")
    if checks.failures:
        print(f"browser-check: {len(checks.failures)} check(s) failed", file=sys.stderr)
        return 1
    print("browser-check: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
