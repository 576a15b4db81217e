/// The funnel chart: one row per node in flow order, the node's name on the left, then two
/// horizontal bars on their own scales, open deals and their amount. Amount bars are drawn for the
/// rows in `currency` only (one scale cannot hold two currencies); other rows show their amount as
/// text.
enum ReportSVGFunnel {
    static func render(_ rows: [ReportModel.FunnelRow], manyTemplates: Bool, currency: String?, language: ReportLanguage = .both) -> String {
        typealias S = ReportSVG
        let rowHeight = 40.0, top = 36.0
        let height = top + Double(rows.count) * rowHeight + 8
        let names = rows.map { language.name(zh: $0.nameZh, en: $0.nameEn, id: $0.node) }
        let subs = rows.map { sub($0, manyTemplates: manyTemplates, language: language) }
        let widest = zip(names, subs).map { max(S.textWidth($0, size: 14), S.textWidth($1, size: 11)) }.max() ?? 0
        let labelWidth = min(max(widest + 16, 150), 320)
        let dealsX = labelWidth + 10
        let dealsWidth = (S.width - dealsX) * 0.36
        let amountX = dealsX + dealsWidth + 30
        let amountWidth = S.width - amountX - 4
        // The amount labels stand after their bars: the longest bar leaves room for the widest
        // label (a large amount was cut at the chart's edge). Values are 12 px, bold (a little
        // wider than the estimate).
        let widestAmount = rows.map { S.textWidth(ReportTextFormat.amount($0.amount, $0.currency), size: 12) * 1.1 }.max() ?? 0
        let dealsRoom = dealsWidth - 44, amountRoom = max(amountWidth - max(110, widestAmount + 12), amountWidth * 0.3)
        let maxDeals = Double(rows.map(\.deals).max() ?? 0)
        let maxAmount = rows.filter { $0.currency == currency }.map(\.amount).filter(\.isFinite).max() ?? 0

        var out = S.open(height: height, label: language.pick("漏斗：各节点的进行中商机数与金额", "Funnel: open deals and amount per node"), id: "chart-funnel")
        out += S.text(language.label("商机数 Deals"), x: dealsX, y: 18, cls: "head")
        out += S.text(language.label("金额 Amount") + (currency.map { " (\($0))" } ?? ""), x: amountX, y: 18, cls: "head")
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            if i % 2 == 0 {
                out += #"<rect x="0" y="\#(S.n(y - 2))" width="\#(S.n(S.width))" height="\#(S.n(rowHeight - 2))" class="band"/>"#
            }
            out += S.text(S.fit(names[i], room: labelWidth - 12, size: 14), x: 6, y: y + 16, cls: "label")
            out += S.text(S.fit(subs[i], room: labelWidth - 12, size: 11), x: 6, y: y + 31, cls: "sub")
            let barY = y + 7, barH = rowHeight - 18
            let dw = maxDeals > 0 ? Double(row.deals) / maxDeals * dealsRoom : 0
            let name = names[i]
            out += S.rect(x: dealsX, y: barY, w: max(dw, row.deals > 0 ? 2 : 0), h: barH, cls: "bar-deals",
                          tip: "\(name): " + ReportTextFormat.dealCount(row.deals, language))
            out += S.text(ReportTextFormat.count(row.deals), x: dealsX + dw + 6, y: barY + barH / 2 + 5, cls: "value")
            let amount = ReportTextFormat.amount(row.amount, row.currency)
            var aw = 0.0
            if row.currency == currency {
                aw = maxAmount > 0 && row.amount.isFinite ? max(row.amount, 0) / maxAmount * amountRoom : 0
                out += S.rect(x: amountX, y: barY, w: max(aw, row.amount > 0 ? 2 : 0), h: barH, cls: "bar-amount", tip: "\(name): \(amount)")
            }
            out += S.text(amount, x: amountX + aw + 6, y: barY + barH / 2 + 5, cls: "value")
        }
        out += S.line(x1: dealsX, y1: top - 4, x2: dealsX, y2: height - 6, cls: "axis")
        out += S.line(x1: amountX, y1: top - 4, x2: amountX, y2: height - 6, cls: "axis")
        return out + "</svg>"
    }

    /// The second line of a node's label: its English name (when the first line is Chinese), its
    /// probability, and the template when several are shown.
    private static func sub(_ row: ReportModel.FunnelRow, manyTemplates: Bool, language: ReportLanguage) -> String {
        var parts: [String] = []
        if manyTemplates { parts.append(row.templateID) }
        let hasZh = row.nameZh?.isEmpty == false
        if language != .both {
            // The first line is the name in the page's language: the id it stands for.
            if hasZh || row.nameEn?.isEmpty == false { parts.append(row.node) }
        } else if hasZh, let en = row.nameEn, !en.isEmpty {
            parts.append(en)
        } else if hasZh || row.nameEn?.isEmpty == false {
            parts.append(row.node)  // the first line is a name: show the id it stands for
        }
        if let p = row.probability { parts.append("\(p)%") }
        return parts.joined(separator: " · ")
    }
}
