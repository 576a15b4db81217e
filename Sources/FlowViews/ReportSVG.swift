import Foundation
import FlowDiagnostics

/// Small building blocks for the report's hand-written inline SVG charts. The charts draw in a
/// fixed coordinate system (`viewBox`, 1000 units wide) and the page scales them to its width;
/// colours come from CSS classes in the page, so the palette and print rules live in one place.
enum ReportSVG {
    static let width: Double = 1000

    /// A coordinate with at most one decimal (`12`, `12.5`): short and locale-independent.
    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int64(r)) : String(format: "%.1f", r)
    }

    /// An estimate of the width of `text` at `size` px, from its display cells (CJK counts two):
    /// enough to size label columns and to clip labels that would overlap a bar.
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(DisplayWidth.of(text)) * size * 0.56
    }

    /// Clips `text` to about `room` px at `size` px.
    static func fit(_ text: String, room: Double, size: Double) -> String {
        let cells = Int(room / (size * 0.56))
        return ReportTextFormat.clip(text, width: max(cells, 2))
    }

    /// A step of 1, 2 or 5 × 10ⁿ that divides `maxValue` into about `ticks` intervals.
    static func niceStep(_ maxValue: Double, ticks: Int) -> Double {
        guard maxValue.isFinite, maxValue > 0, ticks > 0 else { return 1 }
        let raw = maxValue / Double(ticks)
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// The opening tag of a chart: scalable, announced to screen readers as one image with a
    /// label (`role="img"`, `aria-label`) and a `<title>`.
    static func open(height: Double, label: String, id: String) -> String {
        let l = ReportHTMLEscape.text(label)
        return #"<svg class="chart" id="\#(id)" viewBox="0 0 \#(n(width)) \#(n(height))" role="img" aria-label="\#(l)" "#
            + #"preserveAspectRatio="xMinYMin meet"><title>\#(l)</title>"#
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String = "start", cls: String? = nil) -> String {
        let c = cls.map { #" class="\#($0)""# } ?? ""
        let a = anchor == "start" ? "" : #" text-anchor="\#(anchor)""#
        return #"<text x="\#(n(x))" y="\#(n(y))"\#(a)\#(c)>\#(ReportHTMLEscape.text(content))</text>"#
    }

    /// A bar with a tooltip (`<title>`, shown on hover without any script).
    static func rect(x: Double, y: Double, w: Double, h: Double, cls: String, tip: String) -> String {
        #"<rect x="\#(n(x))" y="\#(n(y))" width="\#(n(max(w, 0)))" height="\#(n(max(h, 0)))" rx="2" class="\#(cls)">"#
            + "<title>\(ReportHTMLEscape.text(tip))</title></rect>"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, cls: String) -> String {
        #"<line x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))" class="\#(cls)"/>"#
    }

    /// A legend entry: a swatch and its label; returns the markup and the x after it.
    static func legend(_ label: String, cls: String, x: Double, y: Double) -> (String, Double) {
        let swatch = #"<rect x="\#(n(x))" y="\#(n(y - 10))" width="12" height="12" rx="2" class="\#(cls)"/>"#
        let t = text(label, x: x + 18, y: y, cls: "legend")
        return (swatch + t, x + 18 + textWidth(label, size: 12) + 24)
    }

    /// A vertical value axis with grid lines from `top` to `bottom`, ticks every `step`.
    static func valueAxis(maxValue: Double, step: Double, left: Double, right: Double, top: Double, bottom: Double,
                          label: (Double) -> String) -> String {
        var out = ""
        let scale = (bottom - top) / maxValue
        var v = 0.0
        var guardCount = 0
        while v <= maxValue + step / 2, guardCount < 50 {
            let y = bottom - v * scale
            out += line(x1: left, y1: y, x2: right, y2: y, cls: v == 0 ? "axis" : "grid")
            out += text(label(v), x: left - 8, y: y + 4, anchor: "end", cls: "tick")
            v += step
            guardCount += 1
        }
        return out
    }
}
