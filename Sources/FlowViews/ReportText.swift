import FlowDiagnostics

/// The manager's report for a terminal (`flowc report`): one section per part of the model, in the
/// model's order, as tables aligned in display cells so Chinese names line up, with a small bar
/// chart for the funnel. An empty section says so instead of printing an empty table.
public enum ReportText {
    /// Renders the report as plain text, with ANSI colour only when `color` is true (the caller
    /// decides from the terminal, `NO_COLOR` and `--color`). The text ends with a newline.
    public static func render(_ model: ReportModel, color: Bool, language: ReportLanguage = .both) -> String {
        var r = Renderer(model: model, color: color, language: language)
        r.header()
        r.totals()
        r.funnel()
        r.forecast()
        r.attention()
        r.publicPool()
        r.returning()
        r.records()
        return r.lines.joined(separator: "\n") + "\n"
    }

    /// The widest funnel bar, in cells.
    static let barWidth = 24

    private struct Renderer {
        let model: ReportModel
        let color: Bool
        let language: ReportLanguage
        var lines: [String] = []
        let indent = "  "
        typealias F = ReportTextFormat
        typealias Cell = ReportTextTable.Cell

        init(model: ReportModel, color: Bool, language: ReportLanguage) {
            self.model = model
            self.color = color
            self.language = language
        }

        /// A `中文 English` label in the report's language.
        private func L(_ text: String) -> String { language.label(text) }

        private func paint(_ text: String, _ style: String?) -> String { ReportTextTable.paint(text, style, color) }

        /// A section's title and its note (`noteZh`, `note`): the note in the report's language,
        /// in English when it shows both, as the title already does (QA round 24: `--lang zh`
        /// printed the notes in English).
        private mutating func section(_ zh: String, _ en: String, _ noteZh: String? = nil, _ note: String? = nil) {
            if !lines.isEmpty { lines.append("") }
            var title = paint(language.pick(zh, en), "1;36")
            if let note {
                let shown = language == .zh ? (noteZh ?? note) : note
                title += paint(" — \(shown)", "2")
            }
            lines.append(title)
        }

        private mutating func empty(_ message: (String, String)) {
            lines.append(indent + paint(language.pick(message.0, message.1), "2"))
        }

        private mutating func table(_ t: ReportTextTable) {
            lines += t.render(indent: indent, color: color)
        }

        /// The line under a cut list of deals.
        private mutating func more(_ n: Int) {
            guard n > 0 else { return }
            let text = F.moreDeals(n)
            lines.append(indent + paint(language.pick(text.0, text.1), "2"))
        }

        private var offset: Int64 { model.utcOffsetSeconds }
        private var manyTemplates: Bool { model.templates.count > 1 }

        mutating func header() {
            lines.append(paint(L("经营报表 Manager's report"), "1"))
            let when = F.dateTime(model.generatedAt, offset: offset) + " (" + F.offsetLabel(offset) + ")"
            var t = ReportTextTable([.init(""), .init("")])
            t.add(L("生成时间 Generated"), when)
            for (i, tpl) in model.templates.enumerated() {
                var names = (language == .both ? [tpl.nameZh, tpl.nameEn] : [language.name(zh: tpl.nameZh, en: tpl.nameEn, id: "")])
                    .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
                if !names.isEmpty { names = "  " + names }
                t.add(i == 0 ? L("模板 Templates") : "", "\(tpl.id) \(tpl.shownVersions)\(names)")
            }
            if model.templates.isEmpty { t.add(L("模板 Templates"), "—") }
            // A two-column key/value block: no header line, no rule.
            lines += t.render(indent: indent, color: color).dropFirst(2)
        }

        mutating func totals() {
            section("总览", "Totals")
            let s = model.totals
            var t = ReportTextTable([.init(""), .init(L("商机 Deals"), .right), .init(L("金额 Amount"), .right)])
            t.add(L("进行中 open"), F.count(s.open), F.amounts(s.amounts, \.open))
            t.add(L("已赢单 won"), F.count(s.won), F.amounts(s.amounts, \.won))
            t.add(L("已输单 lost"), F.count(s.lost), F.amounts(s.amounts, \.lost))
            t.add(L("输单复盘中 in loss review"), F.count(s.inLossReview), F.amounts(s.amounts, \.inLossReview))
            t.add(L("公海 public pool"), F.count(s.inPublicPool), "")
            table(t)
        }

        mutating func funnel() {
            section("漏斗", "Funnel", "各节点的进行中商机，按流程顺序", "open deals per node, in flow order")
            guard model.funnel.contains(where: { $0.deals > 0 }) else { return empty(F.Empty.funnel) }
            var columns: [ReportTextTable.Column] = [.init(L("节点 Node")), .init("ID")]
            if manyTemplates { columns.insert(.init(L("模板 Template")), at: 0) }
            columns += [.init(L("概率 Prob."), .right), .init(L("商机 Deals"), .right), .init(L("金额 Amount"), .right), .init("")]
            var t = ReportTextTable(columns)
            let maxDeals = model.funnel.map(\.deals).max() ?? 0
            for row in model.funnel {
                var cells = [Cell(F.clip(language.name(zh: row.nameZh, en: row.nameEn, id: row.node), width: 30)), Cell(row.node)]
                if manyTemplates { cells.insert(Cell(row.templateID), at: 0) }
                cells += [Cell(F.percent(row.probability)), Cell(F.count(row.deals)), Cell(F.amount(row.amount, row.currency)),
                          Cell(ReportText.bar(row.deals, of: maxDeals), style: "32")]
                t.add(cells)
            }
            table(t)
        }

        mutating func forecast() {
            section("预测", "Forecast", "按预计成交月份；加权 = Σ 金额 × 概率 / 100", "by expected close month; weighted = Σ amount × probability / 100")
            guard !model.forecast.isEmpty else { return empty(F.Empty.forecast) }
            var t = ReportTextTable([.init(L("月份 Month")), .init(L("商机 Deals"), .right), .init(L("金额 Amount"), .right),
                                     .init(L("加权 Weighted"), .right)])
            for row in model.forecast {
                let m = F.month(row.month)
                t.add(row.month == nil ? language.pick(m.zh, m.en) : m.zh, F.count(row.deals), F.amount(row.amount, row.currency),
                      F.amount(row.weighted, row.currency))
            }
            t.rulesBefore = [t.rows.count]
            // A total line per currency: amounts of two currencies are never added.
            for (i, total) in model.forecastTotals.enumerated() {
                t.add([Cell(i == 0 ? L("合计 Total") : "", style: "1"), Cell(F.count(total.deals), style: "1"),
                       Cell(F.amount(total.amount, total.currency), style: "1"), Cell(F.amount(total.weighted, total.currency), style: "1")])
            }
            table(t)
        }

        mutating func attention() {
            section("需关注", "Needs attention", "按负责人列出阻塞与逾期的节点", "blocked and overdue nodes by owner")
            guard model.attention.contains(where: { !$0.items.isEmpty }) else { return empty(F.Empty.attention) }
            var t = ReportTextTable([.init(L("负责人 Owner")), .init(L("商机 Deal")), .init(L("客户 Customer")), .init(L("节点 Node")),
                                     .init(L("状态 State")), .init(L("到期 Due")), .init(L("逾期天数 Days"), .right)])
            for group in model.attention {
                for (i, item) in group.items.enumerated() {
                    let owner = i > 0 ? "" : (group.owner ?? L("无人负责 nobody"))
                    let state = F.state(item.state)
                    let node = F.clip(language.name(zh: item.nodeNameZh, en: item.nodeNameEn, id: item.node), width: 30)
                    t.add([Cell(owner, style: "1"), Cell(item.dealID), Cell(F.clip(item.customer ?? "—", width: 24)), Cell(node),
                           Cell(language.pick(state.zh, state.en), style: item.state == .blocked ? "31" : "33"),
                           Cell(item.dueAt.map { F.dateTime($0, offset: offset) } ?? "—"), Cell(F.count(item.daysOverdue))])
                }
                if group.more > 0 {
                    let more = F.moreItems(group.more)
                    // Spanning: it does not widen the deal column (QA round 37, E6: 9 cells became 27).
                    t.add([Cell(""), Cell(language.pick(more.0, more.1), style: "2", spans: true)])
                }
            }
            table(t)
            if model.attentionUnread > 0 {
                let unread = F.unreadOverdue(model.attentionUnread)
                lines.append(indent + paint(language.pick(unread.0, unread.1), "2"))
            }
        }

        mutating func publicPool() {
            section("公海", "Public pool", "停留最久的在前", "oldest first")
            guard !model.publicPool.isEmpty else { return empty(F.Empty.publicPool) }
            var t = ReportTextTable([.init(L("商机 Deal")), .init(L("客户 Customer")), .init(L("金额 Amount"), .right), .init(L("来源 How")),
                                     .init(L("原负责人 From")), .init(L("原因 Reason")), .init(L("进入 Since")), .init(L("天数 Age"), .right)])
            for row in model.publicPool {
                let how = F.arrival(row.arrival)
                t.add(row.dealID, F.clip(row.customer ?? "—", width: 30), row.amount.map { F.amount($0, row.currency) } ?? "—", language.pick(how.zh, how.en),
                      row.previousOwner ?? "—", F.clip(row.reason ?? "—", width: 30), F.date(row.since, offset: offset),
                      F.count(row.ageDays))
            }
            table(t)
            more(model.publicPoolMore)
        }

        mutating func returning() {
            let days = model.returningWithinDays
            section("即将退回公海", "Returning to the pool", "\(days) 天内，最早的在前", "within \(days) days, soonest first")
            guard !model.returning.isEmpty else { return empty(F.Empty.returning(days)) }
            var t = ReportTextTable([.init(L("商机 Deal")), .init(L("客户 Customer")), .init(L("负责人 Owner")), .init(L("节点 Nodes")),
                                     .init(L("退回时间 Returns at")), .init(L("剩余天数 Days left"), .right)])
            for row in model.returning {
                t.add([Cell(row.dealID), Cell(F.clip(row.customer ?? "—", width: 24)), Cell(row.owner ?? "—"), Cell(F.clip(row.nodeNames.isEmpty ? row.nodes : row.nodeNames.map { language.name(zh: $0.zh, en: $0.en, id: $0.id) }.joined(separator: ", "), width: 40)),
                       Cell(F.dateTime(row.returnsAt, offset: offset)), Cell(row.daysLeft > 0 ? F.count(row.daysLeft) : L("已到期 due now"), style: row.daysLeft <= 1 ? "31" : nil)])
            }
            table(t)
            more(model.returningMore)
        }

        mutating func records() {
            section("节点记录", "Node records", "最新的在前", "newest first")
            guard !model.recentRecords.isEmpty else { return empty(F.Empty.records) }
            var t = ReportTextTable([.init(L("时间 At")), .init(L("商机 Deal")), .init(L("节点 Node")), .init(L("类型 Kind")), .init(L("作者 By")),
                                     .init(L("内容 Text")), .init(L("链接 URL"))])
            for row in model.recentRecords {
                let kind = F.recordKind(row.kind)
                let node = F.clip(language.name(zh: row.nodeNameZh, en: row.nodeNameEn, id: row.node), width: 30)
                t.add(F.dateTime(row.at, offset: offset), row.dealID, node, language.pick(kind.zh, kind.en), row.author ?? "—",
                      F.clip(row.text, width: 40), row.url ?? "")
            }
            table(t)
        }
    }

    /// A bar of `value / max` of `barWidth` cells; any non-zero value shows at least one cell.
    static func bar(_ value: Int, of max: Int) -> String {
        guard max > 0, value > 0 else { return "" }
        let cells = Swift.max(1, Int((Double(value) / Double(max) * Double(barWidth)).rounded()))
        return String(repeating: "█", count: Swift.min(cells, barWidth))
    }
}
