/// The report page's inline stylesheet: system fonts only (Noto CJK, PingFang or YaHei for
/// Chinese, whichever the machine has), a 1200 px column for 1280-wide screens, and print rules
/// (white background, colours kept, sections not split across pages). On a narrow screen the
/// charts keep 860 px and scroll sideways in their section, whose edges shade where there is
/// more to scroll to (QA round 39, H6: on a phone the charts shrank to a third, their text under
/// 4 px): up to 980 px, below which the desktop column (its padding and the section's) leaves
/// them less than 860 (QA round 43, F9: from 801 to 930 px their text was 7.6 to 7.9 px).
///
/// Kept free of `<` and `&` so the page stays well-formed XML.
enum ReportHTMLStyle {
    static let css = """
    :root { --ink: #1f2430; --muted: #5b6472; --line: #e3e6ec; --bg: #f5f6fa; --card: #ffffff;
      --blue: #2f5bd3; --blue-light: #a9c0f2; --green: #1f9d6b; --red: #d14343; --amber: #e0952a;
      --violet: #7d6bc7; --grey: #8a94a6; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--ink);
      font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC",
        "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
    main { max-width: 1200px; margin: 0 auto; padding: 28px 32px 40px; }
    h1 { font-size: 26px; margin: 0 0 4px; }
    h2 { font-size: 18px; margin: 0 0 4px; }
    .en { color: var(--muted); font-size: 0.8em; font-weight: normal; margin-left: 0.35em; }
    th .en, .card .en, td .en { display: block; margin-left: 0; }
    .tag .en, th[scope="rowgroup"] .en { display: inline; margin-left: 0.3em; }
    .note { color: var(--muted); font-size: 12px; margin: 0 0 12px; }
    .meta { color: var(--muted); margin: 0; }
    .templates { list-style: none; padding: 0; margin: 6px 0 0; }
    .templates li { display: inline-block; margin-right: 18px; }
    section { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
      padding: 18px 24px 20px; margin-top: 18px; overflow-x: auto; }
    section.overview { background: none; border: 0; border-radius: 0; padding: 0; margin: 0; overflow: visible; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
      overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
    .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin-top: 18px; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
    .card .label { color: var(--muted); font-size: 13px; }
    .card .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
    .card .amount { font-size: 14px; font-variant-numeric: tabular-nums; }
    table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
    th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
    thead th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fafbfc; white-space: nowrap; }
    th.num, td.num { text-align: right; white-space: nowrap; }
    td.nowrap { white-space: nowrap; }
    td.text { max-width: 420px; overflow-wrap: break-word; }
    tfoot td, tfoot th { font-weight: 600; border-top: 2px solid var(--line); border-bottom: none; }
    tbody.owner th[scope="rowgroup"] { background: #f1f4fa; font-size: 13px; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", "Noto Sans Mono", monospace; font-size: 12px; color: #4b5563; }
    td.text code { overflow-wrap: anywhere; }
    a { color: var(--blue); }
    .tag { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; white-space: nowrap; }
    .tag.blocked, .tag.lost { background: #fde8e8; color: #a61b1b; }
    .tag.overdue, .tag.idle { background: #fff1db; color: #8a5200; }
    .tag.released { background: #eeebfa; color: #4f3f99; }
    .tag.created, .tag.note, .tag.link { background: #eef0f4; color: #475063; }
    .soon { color: var(--red); font-weight: 600; }
    .empty { color: var(--muted); margin: 6px 0 0; }
    .more, tr.more td { color: var(--muted); font-style: italic; }
    details.data summary { cursor: pointer; color: var(--muted); font-size: 13px; }
    details.data table { margin-top: 8px; }
    svg.chart { display: block; width: 100%; height: auto; margin: 6px 0 14px; }
    svg text { fill: var(--ink); font-size: 13px; }
    svg text.label { font-size: 14px; }
    svg text.head { font-size: 12px; font-weight: 600; fill: var(--muted); }
    svg text.sub { font-size: 11px; fill: var(--muted); }
    svg text.tick, svg text.legend { font-size: 12px; fill: var(--muted); }
    svg text.value { font-size: 12px; font-weight: 600; }
    svg .axis { stroke: #b8bfcc; stroke-width: 1; }
    svg .grid { stroke: #edf0f5; stroke-width: 1; }
    svg .band { fill: #f7f8fb; }
    .bar-deals, .bar-weighted { fill: var(--blue); }
    .bar-forecast { fill: var(--blue-light); }
    .bar-amount { fill: var(--green); }
    .arr-lost { fill: var(--red); }
    .arr-idle { fill: var(--amber); }
    .arr-released { fill: var(--violet); }
    .arr-created { fill: var(--grey); }
    footer { color: var(--muted); font-size: 12px; margin-top: 22px; }
    @media (max-width: 800px) {
      .cards { grid-template-columns: repeat(2, 1fr); }
      main { padding: 16px; }
      section { padding: 14px 16px 16px; }
    }
    @media (max-width: 980px) {
      svg.chart { width: 860px; max-width: none; }
      section { background: linear-gradient(90deg, #ffffff 30%, rgba(255, 255, 255, 0)) left / 28px 100% no-repeat local,
          linear-gradient(270deg, #ffffff 30%, rgba(255, 255, 255, 0)) right / 28px 100% no-repeat local,
          linear-gradient(90deg, rgba(31, 36, 48, 0.18), rgba(31, 36, 48, 0)) left / 12px 100% no-repeat scroll,
          linear-gradient(270deg, rgba(31, 36, 48, 0.18), rgba(31, 36, 48, 0)) right / 12px 100% no-repeat scroll, #ffffff; }
    }
    @media print {
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      body { background: #ffffff; font-size: 10pt; }
      main { max-width: none; padding: 0; }
      .cards { grid-template-columns: repeat(4, 1fr); }
      section, .card { border: 1px solid #d0d4dc; break-inside: avoid; }
      section { padding: 10pt 12pt; margin-top: 10pt; overflow: visible; }
      table { font-size: 9pt; }
      th, td { padding: 3pt 5pt; }
      .tag { white-space: normal; }
      thead { display: table-header-group; }
      tr { break-inside: avoid; }
      a { color: inherit; }
    }
    """
}
