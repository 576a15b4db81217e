import FlowCheck
import FlowDiagnostics
import FlowIR
import Foundation
import Testing

/// `flowc compile` and `flowc graph` never refuse what `flowc check` accepts, and when the
/// compiler does refuse a template (one that was not checked), it says where and with which code.
@Suite struct CompileAgreesWithCheckTests {
    /// Every template file of the repository that checks without errors (warnings allowed).
    static let accepted: [String] = {
        let dirs = ["templates", "testdata/check/ok", "testdata/check/err", "testdata/ir", "testdata/graph", "testdata/run", "examples", "grammar"]
        return dirs.flatMap { repoFiles($0, suffix: ".flow.yaml") }.filter { path in
            let r = TemplateChecker.check(path: path, fs: DiskFileSystem(base: repoRoot))
            return !r.hasErrors && r.template?.main.isFragment == false
        }
    }()

    @Test func thereAreManyAcceptedTemplates() {
        #expect(Self.accepted.count >= 20)
    }

    @Test(arguments: accepted)
    func whatCheckAcceptsCompilesAndVerifies(_ path: String) throws {
        let result = TemplateChecker.check(path: path, fs: DiskFileSystem(base: repoRoot))
        do {
            _ = try IRLoader.verify(try IRCompiler.compile(result))
        } catch let e as CompileError {
            Issue.record("\(path): check accepts it, compile refuses it: \(e.message)")
        }
    }

    /// A conditional `next` whose only branch is always true: check reports FC0505 (and FC0507);
    /// the compiler, given the template without check's verdict, names the same code and place.
    @Test func aCompileErrorIsALocatedCodedDiagnostic() throws {
        let path = "testdata/check/err/branch-set-always-true-without-default.flow.yaml"
        var result = TemplateChecker.check(path: path, fs: DiskFileSystem(base: repoRoot))
        let checked = try #require(result.diagnostics.first { $0.code.description == "FC0505" })
        result.diagnostics = []
        do {
            _ = try IRCompiler.compile(result)
            Issue.record("the compiler accepted a branch set without a default")
        } catch {
            let d = try #require(error.diagnostic)
            #expect(d.code.description == "FC0505")
            #expect(d.span == checked.span)
            #expect(d.severity == .error)
            #expect(error.message == d.message.text)
        }
    }
}
