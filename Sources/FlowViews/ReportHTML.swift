/// The manager's report as one static HTML page (`flowc report --html FILE`): inline CSS, inline
/// hand-written SVG charts, no script, no font, image or stylesheet from anywhere else, so the file
/// opens offline, can be mailed, and prints. Chinese labels come first with the English in smaller
/// text beside them (the page is `lang="zh-CN"`, the English parts `lang="en"`), or one language
/// alone (`ReportLanguage`).
///
/// The page is also well-formed XML (void elements self-closed, only XML's predefined entities),
/// which keeps it easy to check structurally.
public enum ReportHTML {
    /// Renders the whole page. Every string taken from the model is escaped for its context; a
    /// record's link becomes an `<a href>` only for `http`, `https` and `mailto` URLs.
    public static func render(_ model: ReportModel, language: ReportLanguage = .both) -> String {
        var p = Page(model: model, language: language)
        p.head()
        p.header()
        p.totals()
        p.funnel()
        p.forecast()
        p.attention()
        p.publicPool()
        p.returning()
        p.records()
        p.footer()
        return p.out
    }

    private struct Page {
        let model: ReportModel
        let language: ReportLanguage
        var out = ""
        typealias F = ReportTextFormat

        init(model: ReportModel, language: ReportLanguage) {
            self.model = model
            self.language = language
        }

        /// A note written `中文 · English`: the part of the page's language.
        private func note(_ text: String) -> String {
            guard language != .both, let dot = text.range(of: " · ") else { return text }
            return language.pick(String(text[..<dot.lowerBound]), String(text[dot.upperBound...]))
        }

        private var offset: Int64 { model.utcOffsetSeconds }

        private func e(_ s: String) -> String { ReportHTMLEscape.text(s) }

        /// Chinese text followed by its English in smaller type; in one language, that one.
        private func bi(_ zh: String, _ en: String) -> String {
            switch language {
            case .both: zh.isEmpty ? #"<span lang="en">\#(e(en))</span>"# : #"\#(e(zh))<span class="en" lang="en">\#(e(en))</span>"#
            case .zh: zh.isEmpty ? #"<span lang="en">\#(e(en))</span>"# : e(zh)
            case .en: en.isEmpty ? #"<span lang="zh-CN">\#(e(zh))</span>"# : e(en)
            }
        }

        private func th(_ zh: String, _ en: String, num: Bool = false) -> String {
            #"<th scope="col"\#(num ? #" class="num""# : "")>\#(bi(zh, en))</th>"#
        }

        private func td(_ text: String, _ cls: String? = nil) -> String {
            "<td\(cls.map { #" class="\#($0)""# } ?? "")>\(e(text))</td>"
        }

        private func num(_ text: String) -> String { td(text, "num") }

        /// A node's name, Chinese first, its English or id below; the id is the tooltip.
        private func node(id: String, zh: String?, en: String?) -> String {
            let hasZh = zh?.isEmpty == false, hasEn = en?.isEmpty == false
            let title = #" title="\#(e(id))""#
            if language == .en, hasEn, let en { return #"<span\#(title)>\#(e(en))</span>"# }
            if language == .en, hasZh, let zh { return #"<span lang="zh-CN"\#(title)>\#(e(zh))</span>"# }
            if language == .zh, hasZh, let zh { return #"<span\#(title)>\#(e(zh))</span>"# }
            if hasZh, let zh {
                return #"<span\#(title)>\#(e(zh))</span>"# + (hasEn ? #"<span class="en" lang="en">\#(e(en ?? ""))</span>"# : "")
            }
            if hasEn, let en { return #"<span lang="en"\#(title)>\#(e(en))</span>"# }
            return "<code>\(e(id))</code>"
        }

        private mutating func section(_ id: String, _ zh: String, _ en: String, note: String? = nil) {
            out += #"<section id="\#(id)" aria-labelledby="\#(id)-title"><h2 id="\#(id)-title">\#(bi(zh, en))</h2>"#
            if let note { out += #"<p class="note">\#(self.note(note))</p>"# }
        }

        private mutating func empty(_ message: (String, String)) {
            out += #"<p class="empty">\#(bi(message.0, message.1))</p>"#
        }

        /// The line under a cut list of deals.
        private mutating func more(_ n: Int) {
            guard n > 0 else { return }
            let text = F.moreDeals(n)
            out += #"<p class="more">\#(bi(text.0, text.1))</p>"#
        }

        mutating func head() {
            let date = F.date(model.generatedAt, offset: offset)
            out += """
            <!DOCTYPE html>
            <html lang="\(language.htmlLang)">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="generator" content="flowc report"/>
            <title>\(language.pick("经营报表", "Manager&#39;s report")) · \(e(date))</title>
            <style>
            \(ReportHTMLStyle.css)
            </style>
            </head>
            <body>
            <main>

            """
        }

        mutating func header() {
            let when = F.dateTime(model.generatedAt, offset: offset) + " (" + F.offsetLabel(offset) + ")"
            out += "<header>"
            if language == .both {
                out += #"<h1>经营报表<span class="en" lang="en">Manager&#39;s report</span></h1>"#
                out += #"<p class="meta">生成时间 <span lang="en">Generated</span> <time>\#(e(when))</time></p>"#
            } else {
                out += #"<h1>\#(bi("经营报表", "Manager's report"))</h1>"#
                out += #"<p class="meta">\#(bi("生成时间", "Generated")) <time>\#(e(when))</time></p>"#
            }
            out += #"<ul class="templates" aria-label="\#(language.label("模板 Templates"))">"#
            for t in model.templates {
                let name = language == .both ? [t.nameZh, t.nameEn].compactMap { $0 }.filter { !$0.isEmpty }
                    : [language.name(zh: t.nameZh, en: t.nameEn, id: "")].filter { !$0.isEmpty }
                out += "<li>"
                if let first = name.first { out += "<strong>\(e(first))</strong>" }
                if name.count > 1 { out += #"<span class="en" lang="en">\#(e(name[1]))</span>"# }
                out += " <code>\(e(t.id)) \(e(t.shownVersions))</code></li>"
            }
            out += "</ul></header>\n"
        }

        mutating func totals() {
            let t = model.totals
            // A section with its heading, as the others, for a screen reader that moves by heading;
            // the cards say what they are, so the heading is not drawn (QA round 32, D10).
            out += #"<section class="overview" id="overview" aria-labelledby="overview-title"><h2 id="overview-title" class="visually-hidden">\#(bi("总览", "Totals"))</h2>"#
            out += #"<div class="cards" id="totals" role="group" aria-label="\#(language.label("总览 Totals"))">"#
            // One amount line per currency.
            func card(_ zh: String, _ en: String, _ count: Int, _ amounts: [String]) -> String {
                var c = #"<div class="card"><div class="label">\#(bi(zh, en))</div><div class="value">\#(e(F.count(count)))</div>"#
                for amount in amounts { c += #"<div class="amount">\#(e(amount))</div>"# }
                return c + "</div>"
            }
            out += card("进行中", "Open deals", t.open, t.amounts.map { F.amount($0.open, $0.currency) })
            out += card("已赢单", "Won", t.won, t.amounts.map { F.amount($0.won, $0.currency) })
            out += card("已输单", "Lost", t.lost, t.amounts.map { F.amount($0.lost, $0.currency) })
            out += card("输单复盘中", "In loss review", t.inLossReview, t.amounts.map { F.amount($0.inLossReview, $0.currency) })
            out += card("公海", "In the public pool", t.inPublicPool, [])
            out += "</div></section>\n"
        }

        mutating func funnel() {
            section("funnel", "漏斗", "Funnel", note: "各节点的进行中商机（按流程顺序；并行分支中的商机在每个节点各计一次） · open deals per node, in flow order")
            defer { out += "</section>\n" }
            guard model.funnel.contains(where: { $0.deals > 0 }) else { return empty(F.Empty.funnel) }
            let many = model.templates.count > 1
            out += ReportSVGFunnel.render(model.funnel, manyTemplates: many, currency: model.chartCurrency, language: language)
            // Amount bars of one currency: the rows of others have their amount written without
            // one, said as the forecast says it (QA round 37, E6: USD rows under "Amount (CNY)").
            let others = Set(model.funnel.filter { $0.deals > 0 }.compactMap(\.currency)).subtracting(model.chartCurrency.map { [$0] } ?? []).sorted()
            if let currency = model.chartCurrency, !others.isEmpty {
                out += #"<p class="note">\#(bi("金额条只含 \(currency)；\(others.joined(separator: "、")) 的金额只写数字", "The amount bars show \(currency) only; \(others.joined(separator: ", ")) amounts are written without a bar"))</p>"#
            }
            // The chart already writes every number; its table is there for screen readers and
            // for copying, folded away (no script needed for <details>).
            out += #"<details class="data"><summary>\#(bi("数据表", "Table"))</summary>"#
            out += "<table><thead><tr>" + (many ? th("模板", "Template") : "") + th("节点", "Node") + th("概率", "Probability", num: true)
                + th("商机", "Deals", num: true) + th("金额", "Amount", num: true) + "</tr></thead><tbody>"
            for row in model.funnel {
                out += "<tr>" + (many ? "<td><code>\(e(row.templateID))</code></td>" : "")
                out += "<td>\(node(id: row.node, zh: row.nameZh, en: row.nameEn))</td>"
                out += num(F.percent(row.probability)) + num(F.count(row.deals)) + num(F.amount(row.amount, row.currency)) + "</tr>"
            }
            out += "</tbody></table></details>"
        }

        mutating func forecast() {
            section("forecast", "预测", "Forecast",
                    note: language == .both ? "按预计成交月份 · by expected close month; 加权 weighted = Σ amount × probability / 100"
                        : "按预计成交月份；加权 = Σ 金额 × 概率 / 100 · by expected close month; weighted = Σ amount × probability / 100")
            defer { out += "</section>\n" }
            guard !model.forecast.isEmpty else { return empty(F.Empty.forecast) }
            let currency = model.chartCurrency
            out += ReportSVGForecast.render(model.forecast.filter { $0.currency == currency }, currency: currency, language: language)
            let others = Set(model.forecast.compactMap(\.currency)).subtracting(currency.map { [$0] } ?? []).sorted()
            if !others.isEmpty {
                out += #"<p class="note">\#(bi("图中只含 \(currency ?? "")；其他币种见下表", "The chart shows \(currency ?? "") only; \(others.joined(separator: ", ")) amounts are in the table"))</p>"#
            }
            out += "<table><thead><tr>" + th("月份", "Month") + th("商机", "Deals", num: true) + th("金额", "Amount", num: true)
                + th("加权", "Weighted", num: true) + "</tr></thead><tbody>"
            for row in model.forecast {
                let m = F.month(row.month)
                out += "<tr><td class=\"nowrap\">\(row.month == nil ? bi(m.zh, m.en) : e(m.zh))</td>"
                out += num(F.count(row.deals)) + num(F.amount(row.amount, row.currency)) + num(F.amount(row.weighted, row.currency)) + "</tr>"
            }
            out += "</tbody><tfoot>"
            // A total line per currency: amounts of two currencies are never added.
            for (i, total) in model.forecastTotals.enumerated() {
                out += #"<tr><th scope="row">\#(i == 0 ? bi("合计", "Total") : "")</th>"#
                out += num(F.count(total.deals)) + num(F.amount(total.amount, total.currency))
                out += num(F.amount(total.weighted, total.currency)) + "</tr>"
            }
            out += "</tfoot></table>"
        }

        mutating func attention() {
            section("attention", "需关注", "Needs attention", note: "按负责人列出阻塞与逾期的节点 · blocked and overdue nodes by owner")
            defer { out += "</section>\n" }
            guard model.attention.contains(where: { !$0.items.isEmpty }) else { return empty(F.Empty.attention) }
            out += "<table><thead><tr>" + th("商机", "Deal") + th("客户", "Customer") + th("节点", "Node") + th("状态", "State") + th("到期", "Due")
                + th("逾期天数", "Days overdue", num: true) + "</tr></thead>"
            for group in model.attention where !group.items.isEmpty {
                let owner = group.owner.map { e($0) } ?? bi("无人负责", "nobody: no one holds the role, or the deal is in the public pool")
                out += #"<tbody class="owner"><tr><th scope="rowgroup" colspan="6">\#(owner) "#
                out += #"<span class="en" lang="en">(\#(group.items.count + group.more))</span></th></tr>"#
                for item in group.items {
                    let state = F.state(item.state)
                    out += "<tr>" + td(item.dealID, "nowrap") + td(item.customer ?? "—", "text") + "<td>\(node(id: item.node, zh: item.nodeNameZh, en: item.nodeNameEn))</td>"
                    out += #"<td><span class="tag \#(item.state.rawValue)">\#(bi(state.zh, state.en))</span></td>"#
                    out += td(item.dueAt.map { F.dateTime($0, offset: offset) } ?? "—", "nowrap") + num(F.count(item.daysOverdue)) + "</tr>"
                }
                if group.more > 0 {
                    let more = F.moreItems(group.more)
                    out += #"<tr class="more"><td colspan="6">\#(bi(more.0, more.1))</td></tr>"#
                }
                out += "</tbody>"
            }
            out += "</table>"
            if model.attentionUnread > 0 {
                let unread = F.unreadOverdue(model.attentionUnread)
                out += #"<p class="more">\#(bi(unread.0, unread.1))</p>"#
            }
        }

        mutating func publicPool() {
            section("public-pool", "公海", "Public pool", note: "停留最久的在前；天数按报表时间计 · oldest first; age in whole days")
            defer { out += "</section>\n" }
            guard !model.publicPool.isEmpty else { return empty(F.Empty.publicPool) }
            out += ReportSVGPoolAge.render(model.publicPoolAges, language: language)
            // The chart's numbers, folded away as the funnel's: the whole pool, by age and by how
            // the deals got there (QA round 39, H11: only in the bars' tooltips).
            out += #"<details class="data"><summary>\#(bi("数据表", "Table"))</summary>"#
            out += "<table><thead><tr>" + th("停留天数", "Days in the pool")
            for arrival in ReportSVGPoolAge.arrivals {
                let how = F.arrival(arrival)
                out += th(how.zh, how.en, num: true)
            }
            out += th("合计", "Total", num: true) + "</tr></thead><tbody>"
            for bucket in model.publicPoolAges {
                let label = ReportSVGPoolAge.label(bucket)
                out += "<tr><td>" + (bucket.toDays == nil ? bi(label.zh, label.en) : bi(label.zh, ReportSVGPoolAge.english(bucket))) + "</td>"
                for arrival in ReportSVGPoolAge.arrivals { out += num(F.count(bucket[arrival])) }
                out += num(F.count(bucket.total)) + "</tr>"
            }
            out += "</tbody></table></details>"
            out += "<table><thead><tr>" + th("商机", "Deal") + th("客户", "Customer") + th("金额", "Amount", num: true)
                + th("来源", "How it got there") + th("原负责人", "Previous owner") + th("原因", "Reason") + th("进入公海", "Since")
                + th("天数", "Age (days)", num: true) + "</tr></thead><tbody>"
            for row in model.publicPool {
                let how = F.arrival(row.arrival)
                out += "<tr>" + td(row.dealID, "nowrap") + td(row.customer ?? "—", "text") + num(row.amount.map { F.amount($0, row.currency) } ?? "—")
                out += #"<td><span class="tag \#(row.arrival.rawValue)">\#(bi(how.zh, how.en))</span></td>"#
                out += td(row.previousOwner ?? "—") + td(row.reason ?? "—", "text") + td(F.date(row.since, offset: offset), "nowrap")
                out += num(F.count(row.ageDays)) + "</tr>"
            }
            out += "</tbody></table>"
            more(model.publicPoolMore)
        }

        mutating func returning() {
            let days = model.returningWithinDays
            section("returning", "即将退回公海", "Returning to the pool",
                    note: "\(days) 天内将被闲置计时器收回的商机 · deals the idle timer returns within \(days) days, soonest first")
            defer { out += "</section>\n" }
            guard !model.returning.isEmpty else { return empty(F.Empty.returning(days)) }
            out += "<table><thead><tr>" + th("商机", "Deal") + th("客户", "Customer") + th("负责人", "Owner") + th("当前节点", "Open nodes")
                + th("退回时间", "Returns at") + th("剩余天数", "Days left", num: true) + "</tr></thead><tbody>"
            for row in model.returning {
                let nodes = row.nodeNames.isEmpty
                    ? row.nodes.split(separator: ",").map { "<code>\(e(String($0)))</code>" }.joined(separator: " ")
                    : row.nodeNames.count == 1 ? node(id: row.nodeNames[0].id, zh: row.nodeNames[0].zh, en: row.nodeNames[0].en)
                    // Several: each on its own line (QA round 39, H16: "、" began the second line,
                    // under the first node's English name).
                    : row.nodeNames.map { "<div>" + node(id: $0.id, zh: $0.zh, en: $0.en) + "</div>" }.joined()
                out += "<tr>" + td(row.dealID, "nowrap") + td(row.customer ?? "—", "text") + td(row.owner ?? "—") + "<td>\(nodes)</td>"
                out += td(F.dateTime(row.returnsAt, offset: offset), "nowrap")
                // Due or past: said so, not "0 days left" (QA round 39, H17).
                let left = row.daysLeft > 0 ? e(F.count(row.daysLeft)) : bi("已到期", "due now")
                out += #"<td class="num\#(row.daysLeft <= 1 ? " soon" : "")">\#(left)</td></tr>"#
            }
            out += "</tbody></table>"
            more(model.returningMore)
        }

        mutating func records() {
            section("records", "节点记录", "Node records", note: "最新的备注与文档链接 · the newest notes and document links")
            defer { out += "</section>\n" }
            guard !model.recentRecords.isEmpty else { return empty(F.Empty.records) }
            out += "<table><thead><tr>" + th("时间", "At") + th("商机", "Deal") + th("节点", "Node") + th("类型", "Kind")
                + th("作者", "By") + th("内容", "Note or link") + "</tr></thead><tbody>"
            for row in model.recentRecords {
                let kind = F.recordKind(row.kind)
                out += "<tr>" + td(F.dateTime(row.at, offset: offset), "nowrap") + td(row.dealID, "nowrap")
                out += "<td>\(node(id: row.node, zh: row.nodeNameZh, en: row.nodeNameEn))</td>"
                out += #"<td><span class="tag \#(row.kind.rawValue)">\#(bi(kind.zh, kind.en))</span></td>"# + td(row.author ?? "—")
                out += #"<td class="text">\#(content(row))</td></tr>"#
            }
            out += "</tbody></table>"
        }

        /// A note's text, or a link: clickable (opening in a new tab, without access to this
        /// page) only for a safe URL; any other URL is shown as text beside the title.
        private func content(_ row: ReportModel.RecordRow) -> String {
            if let href = ReportHTMLEscape.linkTarget(row.url) {
                return #"<a href="\#(e(href))" rel="noopener noreferrer" target="_blank">\#(e(row.text))</a>"#
            }
            guard let url = row.url, url != row.text else { return e(row.text) }
            return e(row.text) + " <code>\(e(url))</code>"
        }

        mutating func footer() {
            let zone = e(F.offsetLabel(offset))
            switch language {
            case .both:
                out += #"<footer><p>flowc report · 金额保留两位小数 amounts to the cent · "#
                out += #"时间为 \#(zone) · times in \#(zone) · "#
                out += #"加权 weighted = Σ amount × probability / 100</p></footer>"#
            case .zh:
                out += #"<footer><p>flowc report · 金额保留两位小数 · 时间为 \#(zone) · 加权 = Σ 金额 × 概率 / 100</p></footer>"#
            case .en:
                out += #"<footer><p>flowc report · amounts to the cent · times in \#(zone) · weighted = Σ amount × probability / 100</p></footer>"#
            }
            out += "\n</main>\n</body>\n</html>\n"
        }
    }
}
