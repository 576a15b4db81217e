/// The public pool's age histogram: deals per age bucket (days in the pool), each column stacked
/// by how the deals got there (lost, idle, released, created). It draws the model's
/// ``ReportModel/publicPoolAges``, which count the whole pool.
enum ReportSVGPoolAge {
    static let arrivals: [ReportModel.PoolRow.Arrival] = [.lost, .idle, .released, .created]

    /// A bucket's label: `0–6 天` and `days` under it, `180 天及以上` and `180 days and over`.
    static func label(_ b: ReportModel.PoolAgeBucket) -> (zh: String, en: String) {
        guard let to = b.toDays else { return ("\(b.fromDays) 天及以上", "\(b.fromDays) days and over") }
        return ("\(b.fromDays)–\(to) 天", "days")
    }

    /// A bucket in English alone: `0–6 days`, `180 days and over`.
    static func english(_ b: ReportModel.PoolAgeBucket) -> String {
        b.toDays.map { "\(b.fromDays)–\($0) days" } ?? label(b).en
    }

    static func render(_ buckets: [ReportModel.PoolAgeBucket], language: ReportLanguage = .both) -> String {
        typealias S = ReportSVG
        let counts = buckets.map { b in arrivals.map { b[$0] } }
        let height = 260.0, top = 40.0, bottom = height - 44
        let maxCount = Double(counts.map { $0.reduce(0, +) }.max() ?? 0)
        let step = max(1, S.niceStep(maxCount, ticks: 4).rounded(.up))
        let axisMax = max(step, (maxCount / step).rounded(.up) * step)
        let left = 60.0, right = S.width - 8
        let scale = (bottom - top) / axisMax

        var out = S.open(height: height, label: language.pick("公海商机的停留天数分布", "Public pool: deals by days in the pool"), id: "chart-pool-age")
        var x = left
        for a in arrivals {
            let label = ReportTextFormat.arrival(a)
            let (key, next) = S.legend(language.pick(label.zh, label.en), cls: "arr-\(a.rawValue)", x: x, y: 18)
            out += key
            x = next
        }
        out += S.valueAxis(maxValue: axisMax, step: step, left: left, right: right, top: top, bottom: bottom) { String(Int($0)) }
        let groupWidth = (right - left) / Double(buckets.count)
        let barWidth = min(90, groupWidth * 0.5)
        for (i, b) in buckets.enumerated() {
            let center = left + groupWidth * (Double(i) + 0.5)
            let names = label(b)
            var y = bottom
            for (a, arrival) in arrivals.enumerated() where counts[i][a] > 0 {
                let h = Double(counts[i][a]) * scale
                let label = ReportTextFormat.arrival(arrival)
                out += S.rect(x: center - barWidth / 2, y: y - h, w: barWidth, h: h, cls: "arr-\(arrival.rawValue)",
                              tip: language == .en ? "\(english(b)) \(label.en): \(counts[i][a])" : "\(names.zh) \(language.pick(label.zh, label.en)): \(counts[i][a])")
                y -= h
            }
            let total = counts[i].reduce(0, +)
            if total > 0 { out += S.text(String(total), x: center, y: y - 6, anchor: "middle", cls: "value") }
            switch language {
            case .both:
                out += S.text(names.zh, x: center, y: bottom + 18, anchor: "middle", cls: "tick")
                out += S.text(names.en, x: center, y: bottom + 33, anchor: "middle", cls: "sub")
            case .zh:
                out += S.text(names.zh, x: center, y: bottom + 18, anchor: "middle", cls: "tick")
            case .en:
                out += S.text(english(b), x: center, y: bottom + 18, anchor: "middle", cls: "tick")
            }
        }
        return out + "</svg>"
    }
}
