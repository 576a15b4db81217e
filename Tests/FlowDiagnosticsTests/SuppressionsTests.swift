import Testing
import FlowDiagnostics

@Suite struct SuppressionsTests {
    private func check(_ text: String, _ diagnostics: (SourceFile) -> [Diagnostic]) -> (file: SourceFile, kept: [Diagnostic], problems: [Diagnostic]) {
        let f = SourceFile(path: "t.flow.yaml", text: text)
        let result = Suppressions.scan(f).apply(to: diagnostics(f))
        return (f, result.kept, result.problems)
    }

    @Test func warningOnTheCommentLineIsSuppressed() {
        let r = check("nodes:\n  orphan: {}  # flowc-ignore FC0501\n") { f in
            [RenderTestMessages.unreachable.at(f.testSpan(of: "orphan"), "orphan")]
        }
        #expect(r.kept.isEmpty)
        #expect(r.problems.isEmpty)
    }

    @Test func errorIsKeptAndTheSuppressionIsReportedAtItsCode() throws {
        let r = check("nodes:\n  start: {next: propsal}  # flowc-ignore FC0303\n") { f in
            [RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")]
        }
        #expect(r.kept.map(\.code) == [DiagnosticCode(303)])
        #expect(r.problems.map(\.code) == [DiagnosticCode(4)], "no FC0005 on top: the suppression was used, wrongly")
        let problem = try #require(r.problems.first)
        #expect(problem.severity == .warning)
        #expect(problem.message.text == "`FC0303` is an error and cannot be suppressed")
        #expect(problem.span == r.file.testSpan(of: "FC0303"))
        #expect(problem.labels.first?.span == r.file.testSpan(of: "propsal"))
    }

    @Test func somethingThatIsNotACodeIsReported() throws {
        let r = check("a: 1  # flowc-ignore FC12, FC+123, fc0501\n") { f in
            [RenderTestMessages.unreachable.at(f.testSpan(of: "a"), "a")]
        }
        #expect(r.kept.isEmpty, "fc0501 in lower case still names FC0501")
        #expect(r.problems.map(\.code) == [DiagnosticCode(3), DiagnosticCode(3)])
        #expect(r.problems.map(\.message.text) == ["`FC12` is not a diagnostic code", "`FC+123` is not a diagnostic code"])
        #expect(r.problems.first?.span == r.file.testSpan(of: "FC12"))
        #expect(r.problems.allSatisfy { $0.severity == .warning })
    }

    @Test func unusedSuppressionPointsAtTheCodeInTheComment() throws {
        let r = check("a: 1\nb: 2  # flowc-ignore: FC0603\n") { f in
            [RenderTestMessages.longTimer.at(f.testSpan(of: "a"), "a")]
        }
        #expect(r.kept.count == 1, "the warning is on line 1, the comment on line 2")
        let problem = try #require(r.problems.first)
        #expect(r.problems.count == 1)
        #expect(problem.code == DiagnosticCode(5))
        #expect(problem.severity == .warning)
        #expect(problem.message.text == "suppression of `FC0603` is unused")
        #expect(problem.location == SourceLocation(line: 2, column: 23, offset: r.file.testSpan(of: "FC0603").start))
    }

    @Test func severalCodesOnOneLineEachSuppressTheirWarning() {
        for comment in ["# flowc-ignore: FC0501, FC0603", "# flowc-ignore FC0501 FC0603", "#flowc-ignore FC0603,FC0501 -- reviewed in Q3"] {
            let r = check("orphan: {after: 400d}  \(comment)\n") { f in
                [
                    RenderTestMessages.unreachable.at(f.testSpan(of: "orphan"), "orphan"),
                    RenderTestMessages.longTimer.at(f.testSpan(of: "400d"), "orphan"),
                    RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "after"), "after"),
                ]
            }
            #expect(r.kept.map(\.code) == [DiagnosticCode(303)], "\(comment)")
            #expect(r.problems.isEmpty, "\(comment)")
        }
    }

    @Test(arguments: [
        #"title: "a # flowc-ignore FC0501""#,
        #"title: 'it''s # flowc-ignore FC0501'"#,
        #"list: [a, "b # flowc-ignore FC0501", c]"#,
        #"title: a#flowc-ignore FC0501"#,
        #"title: "escaped \" # flowc-ignore FC0501""#,
    ])
    func hashInsideAScalarIsNotAComment(line: String) {
        let f = SourceFile(path: "t.flow.yaml", text: line + "\n")
        let suppressions = Suppressions.scan(f)
        #expect(suppressions.entries.isEmpty)
        let d = RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 0, end: 4), "x")
        #expect(suppressions.apply(to: [d]).kept == [d])
    }

    @Test func apostropheInAPlainScalarDoesNotHideTheComment() {
        let r = check("title: it's fine  # flowc-ignore FC0501\n") { f in
            [RenderTestMessages.unreachable.at(f.testSpan(of: "title"), "title")]
        }
        #expect(r.kept.isEmpty)
        #expect(r.problems.isEmpty)
    }

    @Test func quotedScalarOverSeveralLinesHidesTheHashUntilItCloses() {
        let f = SourceFile(path: "t.flow.yaml", text: """
            title: "first line
              # flowc-ignore FC0501 still inside"
            x: 1  # flowc-ignore FC0603

            """)
        #expect(Suppressions.scan(f).entries.map(\.line) == [3])
    }

    @Test func blockScalarContentIsNotAComment() {
        let f = SourceFile(path: "t.flow.yaml", text: """
            notes: |-
              write # flowc-ignore FC0501 to silence a warning

              # flowc-ignore FC0501 here too
            after: 1  # flowc-ignore FC0603

            """)
        #expect(Suppressions.scan(f).entries.map(\.line) == [5])
    }

    @Test func directiveWithoutCodesAndLookalikeWordsAreHandled() throws {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1  # flowc-ignore\nb: 2  # flowc-ignore-next-line FC0501\nc: 3  # flowc-ignored FC0501\n")
        let s = Suppressions.scan(f)
        #expect(s.entries.isEmpty)
        let problem = try #require(s.scanProblems.first)
        #expect(s.scanProblems.count == 1)
        #expect(problem.code == DiagnosticCode(6))
        #expect(problem.span == f.testSpan(of: "flowc-ignore"))
        #expect(s.apply(to: []).problems.map(\.code) == [DiagnosticCode(6)])
    }

    @Test func diagnosticsOfOtherFilesAndWithoutSpanAreKept() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1  # flowc-ignore FC0501\n")
        let other = SourceFile(path: "u.flow.yaml", text: "a: 1\n")
        let elsewhere = RenderTestMessages.unreachable.at(other.testSpan(of: "a"), "a")
        let whole = DriverMessages.noTemplates.inFile("t.flow.yaml", "x")
        let result = Suppressions.scan(f).apply(to: [elsewhere, whole])
        #expect(result.kept == [elsewhere, whole])
        #expect(result.problems.map(\.code) == [DiagnosticCode(5)])
    }

    @Test func suppressionAppliesOnlyWhereTheSpanStarts() {
        // A span that starts on line 1 and ends on line 2 is not suppressed by a comment on line 2.
        let r = check("a: [1,\n  2]  # flowc-ignore FC0501\n") { f in
            [RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 3, end: 11), "a")]
        }
        #expect(r.kept.count == 1)
        #expect(r.problems.map(\.code) == [DiagnosticCode(5)])
    }

    @Test func hostileCommentsNeverTrap() {
        let inputs: [[UInt8]] = [
            Array("# flowc-ignore".utf8),
            Array("#".utf8),
            Array("\"unterminated # flowc-ignore FC0501".utf8),
            Array("x: |".utf8),
            Array("# flowc-ignore:".utf8),
            [0x23, 0x20, 0xFF, 0xFE, 0x0A, 0x22, 0x5C],
            Array("'\n'\n\"\\".utf8),
            [],
        ]
        for bytes in inputs {
            let f = SourceFile(path: "h.flow.yaml", bytes: bytes)
            _ = Suppressions.scan(f).apply(to: [RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 0, end: bytes.count), "h")])
        }
    }
}

@Suite struct DriverMessagesTests {
    @Test func catalogueHasUniqueDriverCodesWithExplanations() {
        let codes = DriverMessages.all.map(\.code.number)
        #expect(codes == Array(1...8))
        for spec in DriverMessages.all {
            #expect(spec.explanation.contains("\n    "), "\(spec.code) explanation needs an indented example")
            #expect(!spec.format.hasSuffix("."), "\(spec.code)")
            #expect(spec.format.first.map { $0.isLowercase || $0 == "`" } == true, "\(spec.code)")
            #expect(!spec.name.isEmpty)
        }
        #expect(DriverMessages.cannotRead.severity == .error)
        #expect(DriverMessages.noTemplates.severity == .error)
        #expect(DriverMessages.errorNotSuppressible.severity == .warning)
        #expect(DriverMessages.unusedSuppression.severity == .warning)
    }

    @Test func unusedSuppressionRendersAtTheCodeInTheComment() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1  # flowc-ignore FC0501\n")
        let problems = Suppressions.scan(f).apply(to: []).problems
        #expect(problems.map { HumanRenderer().render($0) } == ["""
            t.flow.yaml:1:22: warning[FC0005]: suppression of `FC0501` is unused
              |
            1 | a: 1  # flowc-ignore FC0501
              |                      ^^^^^^

            """])
    }
}
