/// The forecast chart: per expected close month, a column for the open amount and, beside it, a
/// darker column for the weighted amount (Σ amount × probability / 100), on one value axis: the
/// rows of one currency.
enum ReportSVGForecast {
    static func render(_ rows: [ReportModel.ForecastRow], currency: String?, language: ReportLanguage = .both) -> String {
        typealias S = ReportSVG
        let height = 300.0, top = 40.0, bottom = height - 46
        let maxValue = rows.flatMap { [$0.amount, $0.weighted] }.filter(\.isFinite).max() ?? 0
        let step = S.niceStep(maxValue, ticks: 4)
        let axisMax = maxValue > 0 ? (maxValue / step).rounded(.up) * step : step
        let tickWidth = S.textWidth(ReportTextFormat.moneyWhole(axisMax), size: 12)
        let left = max(60, tickWidth + 16), right = S.width - 8
        let scale = (bottom - top) / axisMax

        var out = S.open(height: height, label: language.pick("预测：按预计成交月份的金额与加权金额", "Forecast: amount and weighted amount by expected close month"),
                         id: "chart-forecast")
        let (amountKey, next) = S.legend(language.label("金额 Amount") + (currency.map { " (\($0))" } ?? ""), cls: "bar-forecast", x: left, y: 18)
        let (weightedKey, _) = S.legend(language.label("加权 Weighted"), cls: "bar-weighted", x: next, y: 18)
        out += amountKey + weightedKey
        out += S.valueAxis(maxValue: axisMax, step: step, left: left, right: right, top: top, bottom: bottom) {
            ReportTextFormat.moneyWhole($0)
        }
        let groupWidth = (right - left) / Double(max(rows.count, 1))
        let barWidth = min(40, groupWidth * 0.34)
        // Month labels thin out when there are many months, so they never overlap.
        let labelEvery = max(1, Int((70 / groupWidth).rounded(.up)))
        for (i, row) in rows.enumerated() {
            let center = left + groupWidth * (Double(i) + 0.5)
            let month = ReportTextFormat.month(row.month)
            let title = row.month == nil ? language.pick(month.zh, month.en) : month.zh
            let ah = row.amount.isFinite ? max(row.amount, 0) * scale : 0
            let wh = row.weighted.isFinite ? max(row.weighted, 0) * scale : 0
            out += S.rect(x: center - barWidth - 1, y: bottom - ah, w: barWidth, h: ah, cls: "bar-forecast",
                          tip: "\(title): \(ReportTextFormat.amount(row.amount, row.currency)) (" + ReportTextFormat.dealCount(row.deals, language) + ")")
            out += S.rect(x: center + 1, y: bottom - wh, w: barWidth, h: wh, cls: "bar-weighted",
                          tip: "\(title): " + language.pick("加权", "weighted") + " \(ReportTextFormat.amount(row.weighted, row.currency))")
            if i % labelEvery == 0 {
                out += S.text(language == .en ? month.en : month.zh, x: center, y: bottom + 18, anchor: "middle", cls: "tick")
                if row.month == nil, language == .both { out += S.text(month.en, x: center, y: bottom + 33, anchor: "middle", cls: "sub") }
            }
        }
        return out + "</svg>"
    }
}
