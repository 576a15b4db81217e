import FlowDiagnostics
import FlowYAML
import Foundation
import Testing
@testable import FlowViews

/// Saved views (`*.view.yaml`): the bundled ones check clean; problems are located in the file,
/// a filter's error at its exact column inside the YAML scalar.
@Suite("Saved views")
struct ViewFileTests {
    static var bundled: [String] {
        let dir = DealViewFixtures.root + "/templates/views"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter(ViewFile.isViewFile).sorted().map { dir + "/" + $0 }
    }

    @Test func atLeastThreeViewsShipAndEachChecksCleanAgainstItsTemplate() {
        #expect(Self.bundled.count >= 3)
        for path in Self.bundled {
            let (view, diagnostics, _) = ViewFile.check(path: path)
            #expect(diagnostics.isEmpty, "\(path): \(diagnostics.map { "\($0.code) \($0.message.text)" })")
            #expect(view?.templateID == "standard_sale")
            #expect(view?.nameZh != nil && view?.nameEn != nil)
        }
    }

    /// A view file in a temporary `views/` directory beside a copy of the standard template.
    static func write(_ text: String) throws -> String {
        let dir = URL(fileURLWithPath: try scratchDirectory("flowc-viewfile"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("views"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: DealViewFixtures.root + "/templates/fragments", toPath: dir.appendingPathComponent("fragments").path)
        try FileManager.default.copyItem(atPath: DealViewFixtures.root + "/templates/standard-sale.flow.yaml",
                                         toPath: dir.appendingPathComponent("standard-sale.flow.yaml").path)
        let path = dir.appendingPathComponent("views/test.view.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func rendered(_ path: String) -> (String, [String]) {
        let (_, diagnostics, _) = ViewFile.check(path: path)
        return (HumanRenderer(color: false).render(CappedDiagnostics(diagnostics, limit: 100), summary: nil), diagnostics.map(\.code.description))
    }

    @Test func aFilterErrorIsLocatedAtItsColumnInsideTheScalar() throws {
        let path = try Self.write("""
            flowc: 1
            view: {id: v, name: {zh: 测试, en: Test}}
            template: ../standard-sale.flow.yaml
            where: "status == \\"open\\" and ammount > 5 CNY"
            """)
        let (text, codes) = Self.rendered(path)
        #expect(codes == ["FC0415"])
        // Column 32: after `where: "` (8 columns) and 21 decoded bytes, two of them written as
        // two-byte escapes.
        #expect(text.contains("test.view.yaml:4:32: error[FC0415]: unknown field `ammount`"), "\(text)")
        #expect(text.contains("did you mean `amount`?"))
    }

    @Test func aFoldedFilterIsLocatedOnItsOwnLine() throws {
        let path = try Self.write("""
            flowc: 1
            view: {id: v, name: 测试}
            template: standard_sale
            where: >-
              status == "open" and
              amount > "big"
            """)
        let (text, codes) = Self.rendered(path)
        #expect(codes == ["FC0419"], "\(codes)")
        // The operator on the second line of the folded scalar, under its own column.
        #expect(text.contains("test.view.yaml:6:10: error[FC0419]: operator `>` cannot be applied to `money(CNY)` and `text`"), "\(text)")
    }

    /// QA round 25: `flowc deals` said a misspelt node id matched no deal, `flowc check` of the
    /// saved view said nothing. Each id is a warning at its text, with the closest node.
    @Test func aNodeIdTheTemplateLacksIsAWarningAtItsText() throws {
        let path = try Self.write("""
            flowc: 1
            view: {id: v, name: 测试}
            template: standard_sale
            where: node == "legal_reveiw" or blocked in ["finance_review", "signing"] or node == "legal_review,finance_reveiw"
            """)
        let (_, diagnostics, _) = ViewFile.check(path: path)
        #expect(diagnostics.map(\.severity) == [.warning, .warning, .warning])
        let (text, codes) = Self.rendered(path)
        #expect(codes == ["FC1424", "FC1424", "FC1424"], "\(text)")
        #expect(text.contains("""
            test.view.yaml:4:16: warning[FC1424]: `legal_reveiw` is no node of template `standard_sale`: the view matches no deal at it
            """), "\(text)")
        #expect(text.contains("did you mean `legal_review`?"), "\(text)")
        #expect(text.contains("test.view.yaml:4:64: warning[FC1424]: `signing` is no node of template `standard_sale`"), "\(text)")
        // A text of several nodes: the part that is no node is named, at the whole text.
        #expect(text.contains("test.view.yaml:4:86: warning[FC1424]: `finance_reveiw` is no node"), "\(text)")
        #expect(diagnostics.map { $0.help?.text } == ["did you mean `legal_review`?", nil, "did you mean `finance_review`?"])
        // Known ids, and the empty text (no node), are not flagged.
        let clean = try Self.write("""
            flowc: 1
            view: {id: v, name: 测试}
            template: standard_sale
            where: node == "legal_review" or blocked != "" or node in ["won", "lost"]
            """)
        #expect(ViewFile.check(path: clean).1.isEmpty)
    }

    @Test func unknownKeysColumnsAndSortsAreReportedWithSuggestions() throws {
        let path = try Self.write("""
            flowc: 1
            view:
              id: v
              nmae: {zh: 测试}
            template: ../standard-sale.flow.yaml
            group-by: owner
            sort: [count:desc, amount:sideways]
            columns: [deal, custmer_name]
            limit: -3
            """)
        let (text, codes) = Self.rendered(path)
        #expect(text.contains("test.view.yaml:4:3: error[FC1420]: unknown key `nmae` in a saved view"), "\(text)")
        #expect(text.contains("did you mean `name`?"))
        #expect(text.contains("test.view.yaml:6:1: error[FC1420]: unknown key `group-by` in a saved view"))
        #expect(text.contains("did you mean `group_by`?"))
        #expect(text.contains("test.view.yaml:9:8: error[FC1422]: `limit` must be an integer from 0 to 1000000"))
        #expect(text.contains("test.view.yaml:7:20: error[FC1413]: `amount:sideways` is not a sort key"))
        #expect(text.contains("test.view.yaml:7:8: error[FC1410]: unknown key `count` in the sort keys"))
        #expect(text.contains("test.view.yaml:8:17: error[FC1410]: unknown key `custmer_name` in the columns"))
        #expect(codes.count == 6)
    }

    @Test func aColumnListedTwiceIsAnErrorAtItsSecondMention() throws {
        let path = try Self.write("""
            flowc: 1
            view: {id: v, name: 测试}
            template: ../standard-sale.flow.yaml
            columns: [deal, amount, owner, amount]
            """)
        let (text, codes) = Self.rendered(path)
        #expect(codes == ["FC1417"])
        #expect(text.contains("test.view.yaml:4:32: error[FC1417]: column `amount` is listed twice"), "\(text)")
    }

    @Test func missingKeysAndAMissingTemplateAreErrors() throws {
        let path = try Self.write("""
            view: {name: 测试}
            template: ../no-such.flow.yaml
            """)
        let (text, codes) = Self.rendered(path)
        #expect(codes.sorted() == ["FC1421", "FC1421", "FC1423"])
        #expect(text.contains("a saved view needs `flowc: 1`"))
        #expect(text.contains("a saved view needs `view.id`"))
        #expect(text.contains("test.view.yaml:2:11: error[FC1423]: the view's template `../no-such.flow.yaml` cannot be used: no such file or directory"))
    }

    /// A view is read as a template is: from a pipe too (`--view <(…)`), and a file over the
    /// size limit is refused with its size before it is read; a missing one is located.
    @Test func aViewIsReadFromAPipeAndRefusedOverTheSizeLimit() throws {
        let bundled = try #require(Self.bundled.first)
        let text = try String(contentsOfFile: bundled, encoding: .utf8)
        let path = try Self.write(text)
        let (_, clean, _) = ViewFile.check(path: path)
        #expect(clean.isEmpty)
        let fifo = (path as NSString).deletingLastPathComponent + "/piped.view.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a pipe blocks until the other end opens it: the writer runs on a thread.
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(Data(text.utf8))
            try? handle.close()
        }
        writer.start()
        let (view, diagnostics, _) = ViewFile.check(path: fifo)
        #expect(diagnostics.map(\.code.description) == [])
        #expect(view?.templateID == "standard_sale")

        var small = YAMLLimits.default
        small.maxFileBytes = 100
        let (none, tooLarge, _) = ViewFile.check(path: path, limits: small)
        #expect(none == nil)
        #expect(tooLarge.map(\.code.description) == ["FC0108"])
        #expect(tooLarge.first?.message.text == "file is \(text.utf8.count) bytes, more than the limit of 100")

        let (_, missing, _) = ViewFile.check(path: path + ".gone")
        #expect(missing.map(\.code.description) == ["FC0001"])
        #expect(missing.first?.message.text.hasSuffix("no such file or directory") == true)
    }

    @Test func aTemplateIdIsFoundBesideTheViewsDirectory() throws {
        let path = try Self.write("""
            flowc: 1
            view: {id: by-id, name: 按模板编号}
            template: standard_sale
            where: pool == "public"
            """)
        let (view, diagnostics, _) = ViewFile.check(path: path)
        #expect(diagnostics.isEmpty)
        #expect(view?.templatePath?.hasSuffix("/standard-sale.flow.yaml") == true)
        let unknown = try Self.write("flowc: 1\nview: {id: x}\ntemplate: no_such_template\n")
        #expect(Self.rendered(unknown).1 == ["FC1423"])
    }

    /// `path` written relative to the process's current directory (`../../tmp/…`), as a user
    /// gives a file from where they stand.
    static func relative(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath.split(separator: "/")
        return String(repeating: "../", count: here.count) + path.drop { $0 == "/" }
    }

    /// The view's directory is the base of a relative `template:` whatever the view's own path
    /// looks like: relative, with `./`, with `..` inside; and so is the template written with
    /// `./` and `..`. (Its directory was turned into a URL and standardised, which resolved
    /// `views/../x` to `/x` and `./../x` to `views/x`.)
    @Test func aRelativeTemplateIsFoundBesideTheViewHoweverEitherPathIsWritten() throws {
        var failures: [String] = []
        for template in ["../standard-sale.flow.yaml", "./../standard-sale.flow.yaml", "../views/../standard-sale.flow.yaml", "standard_sale"] {
            let path = try Self.write("flowc: 1\nview: {id: v, name: 测试}\ntemplate: \(template)\nwhere: amount > 5 CNY\n")
            let directory = (path as NSString).deletingLastPathComponent
            let relative = Self.relative(directory)
            for viewPath in [
                path, Self.relative(path), "./" + Self.relative(path), relative + "/../views/test.view.yaml",
                relative + "/./test.view.yaml", relative + "//test.view.yaml",
            ] {
                let (view, diagnostics, _) = ViewFile.check(path: viewPath)
                if !diagnostics.isEmpty || view?.templateID != "standard_sale" {
                    failures.append("\(template) from \(viewPath): \(diagnostics.map(\.message.text))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
