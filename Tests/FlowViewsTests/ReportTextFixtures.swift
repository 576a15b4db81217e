@testable import FlowViews

/// Hand-made report models for the renderer tests (terminal and HTML): one with every section
/// filled, Chinese names, and hostile text (`<script>`, quotes, `&`, a `javascript:` link, an
/// escape sequence), and one with nothing in it.
enum ReportFixtures {
    /// 2024-07-01T09:00:00+08:00.
    static let now: Int64 = 1_719_795_600
    static let hostile = #"<script>alert("x")</script> & 'q'"#

    static var full: ReportModel {
        ReportModel(
            generatedAt: now, utcOffsetSeconds: 28_800,
            templates: [.init(id: "standard_sale", version: "1.2.0", nameZh: "标准销售流程", nameEn: "Standard B2B sale")],
            totals: .init(open: 7, won: 3, lost: 2, inPublicPool: 3, amounts: [.init(currency: "CNY", open: 2_340_000.5, won: 1_234_567.891, openWeighted: 402_000.05)]),
            funnel: [
                .init(templateID: "standard_sale", node: "initial_talks", nameZh: "初步洽谈", nameEn: "Initial talks", deals: 3, amount: 0, currency: "CNY", probability: 10),
                .init(templateID: "standard_sale", node: "requirement_negotiation", nameZh: "需求沟通", nameEn: "Requirements", deals: 2,
                      amount: 1_590_000, currency: "CNY", probability: 20),
                .init(templateID: "standard_sale", node: "proposal_quotation", nameZh: "方案报价", nameEn: nil, deals: 1, amount: 90_000, currency: "CNY",
                      probability: 30),
                .init(templateID: "standard_sale", node: "x_node", nameZh: hostile, nameEn: "A \"quoted\" & <b>bold</b>", deals: 1,
                      amount: 660_000.5, currency: "CNY", probability: nil),
            ],
            forecast: [
                .init(month: "2024-07", deals: 2, amount: 90_000, weighted: 27_000, currency: "CNY"),
                .init(month: "2024-09", deals: 1, amount: 1_500_000, weighted: 300_000, currency: "CNY"),
                .init(month: nil, deals: 4, amount: 750_000.5, weighted: 75_000.05, currency: "CNY"),
            ],
            attention: [
                .init(owner: "zhang.san", items: [
                    .init(dealID: "D-1004", customer: hostile, node: "initial_talks", nodeNameZh: "初步洽谈", nodeNameEn: "Initial talks", state: .blocked,
                          dueAt: 1_718_850_600, daysOverdue: 10),
                    .init(dealID: "D-1009", customer: "星辰科技（北京）有限公司", node: "proposal_quotation", nodeNameZh: "方案报价", nodeNameEn: nil, state: .overdue,
                          dueAt: 1_719_568_800, daysOverdue: 2),
                ]),
                .init(owner: nil, items: [
                    .init(dealID: "D-1010", node: "legal_review", nodeNameZh: nil, nodeNameEn: "Legal review", state: .overdue, dueAt: nil,
                          daysOverdue: 0),
                ]),
            ],
            publicPool: [
                .init(dealID: "D-0990", customer: "老客户有限公司", amount: nil, currency: "CNY", arrival: .created, reason: nil, previousOwner: nil,
                      since: 1_709_254_800, ageDays: 122),
                .init(dealID: "D-1002", customer: "海川贸易有限公司", amount: 120_000, currency: "CNY", arrival: .lost, reason: "competitor",
                      previousOwner: "wang.wu", since: 1_715_302_800, ageDays: 52),
                .init(dealID: "D-1004", customer: hostile, amount: 45_000.25, currency: "CNY", arrival: .idle, reason: nil, previousOwner: "zhang.san",
                      since: 1_719_277_200, ageDays: 6),
                .init(dealID: "D-1011", customer: "Acme & Co", amount: 8_000, currency: "CNY", arrival: .released, reason: "换人跟进",
                      previousOwner: "li.si", since: 1_719_631_200, ageDays: 1),
            ],
            returningWithinDays: 7,
            returning: [
                .init(dealID: "D-1003", customer: "远山物流股份有限公司", owner: "li.si", nodes: "negotiation_review", returnsAt: 1_719_968_400, daysLeft: 1),
                .init(dealID: "D-1005", owner: "wang.wu", nodes: "legal_review,finance_review", returnsAt: 1_720_159_200, daysLeft: 4),
            ],
            recentRecords: [
                .init(dealID: "D-1003", node: "negotiation_review", kind: .link, text: "报价单 v2", url: "https://docs.example.com/q?id=1&v=2",
                      author: "li.si", at: 1_719_737_100),
                .init(dealID: "D-1005", node: "requirement_negotiation", kind: .note, text: "客户希望\n下周演示 \u{1B}[31mred", url: nil,
                      author: "wang.wu", at: 1_719_631_200),
                .init(dealID: "D-1004", node: "initial_talks", kind: .link, text: hostile, url: "javascript:alert(1)", author: nil,
                      at: 1_718_154_000),
            ])
    }

    static var empty: ReportModel {
        ReportModel(
            generatedAt: now, utcOffsetSeconds: 28_800, templates: [],
            totals: .init(open: 0, won: 0, lost: 0, inPublicPool: 0, amounts: []),
            funnel: [], forecast: [], attention: [], publicPool: [], returningWithinDays: 14, returning: [], recentRecords: [])
    }
}
