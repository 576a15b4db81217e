import Foundation
import Testing
@testable import FlowViews

/// Writes the full fixture's page, with its model as JSON, to `.build/report-sample/` under the
/// package, for `scripts/browser-check` to open in a real browser when `flowc report` is not
/// available (it prefers a page made by `flowc report` from a real store).
@Suite struct ReportHTMLSampleTests {
    static var packageRoot: URL? {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    @Test func writesTheSamplePageForTheBrowserCheck() throws {
        let root = try #require(Self.packageRoot)
        let dir = root.appendingPathComponent(".build/report-sample", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let model = ReportFixtures.full
        let page = ReportHTML.render(model)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(model).write(to: dir.appendingPathComponent("model.json"))
        try Data(page.utf8).write(to: dir.appendingPathComponent("report.html"))
        try Data(ReportText.render(model, color: false).utf8).write(to: dir.appendingPathComponent("report.txt"))
        let back = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(back == page)
        #expect(back.contains("初步洽谈") && back.contains("D-1003"))
    }
}
