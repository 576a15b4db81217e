import Foundation
import Testing
@testable import FlowViews

@Suite struct ReportModelTests {
    @Test func roundTripsThroughJSON() throws {
        let model = ReportModel(
            generatedAt: 1_700_000_000, utcOffsetSeconds: 28_800,
            templates: [.init(id: "standard_sale", version: "1.0.0", nameZh: "标准销售流程", nameEn: "Standard B2B sale")],
            totals: .init(open: 2, won: 1, lost: 0, inPublicPool: 0, amounts: [.init(currency: "CNY", open: 300, won: 100)]),
            funnel: [.init(templateID: "standard_sale", node: "contact", nameZh: "初步洽谈", nameEn: "First contact", deals: 2, amount: 300, currency: "CNY", probability: 10)],
            forecast: [.init(month: "2026-12", deals: 2, amount: 300, weighted: 30, currency: "CNY"),
                       .init(month: nil, deals: 1, amount: 0, weighted: 0, currency: nil)],
            attention: [], publicPool: [], returningWithinDays: 7, returning: [], recentRecords: [])
        let data = try JSONEncoder().encode(model)
        #expect(try JSONDecoder().decode(ReportModel.self, from: data) == model)
        // The undated row keeps its keys, as null.
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""month":null"#) && text.contains(#""currency":null"#), "\(text)")
    }
}
