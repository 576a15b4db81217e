import FlowCheck
import FlowIR
import Foundation
import Testing

let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

func compile(_ path: String) throws -> Machine {
    try IRCompiler.compile(TemplateChecker.check(path: path, fs: DiskFileSystem(base: repoRoot)))
}

func repoFiles(_ dir: String, suffix: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: repoRoot + "/" + dir) else { return [] }
    var out: [String] = []
    while let rel = walker.nextObject() as? String { if rel.hasSuffix(suffix) { out.append(dir + "/" + rel) } }
    return out.sorted()
}

/// The error a load throws, or nil.
func loadError(_ bytes: [UInt8]) -> IRLoadError? {
    do { _ = try IRLoader.load(bytes); return nil } catch { return error }
}

@Suite struct IRTests {
    static let goldenCases = repoFiles("testdata/ir", suffix: ".flow.yaml")
    static let templates = repoFiles("templates", suffix: ".flow.yaml").filter { !$0.contains("/fragments/") }

    @Test(arguments: goldenCases)
    func irMatchesItsGolden(_ path: String) throws {
        let json = String(decoding: IRCompiler.canonicalJSON(try compile(path), pretty: true), as: UTF8.self) + "\n"
        let golden = repoRoot + "/" + path.replacingOccurrences(of: ".flow.yaml", with: ".ir.json")
        if ProcessInfo.processInfo.environment["FLOWC_UPDATE"] == "1" {
            try json.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        #expect(json == (try String(contentsOfFile: golden, encoding: .utf8)), "IR differs from \(golden)")
    }

    @Test(arguments: templates)
    func bundledTemplateCompilesAndLoadsBack(_ path: String) throws {
        let m = try compile(path)
        let loaded = try IRLoader.load(IRCompiler.canonicalJSON(m))
        #expect(loaded.machine == m)
        #expect(loaded.expressions.count == m.expressions.count)
        #expect(m.template.hash.hasPrefix("sha256:"))
    }

    @Test func compilingTwiceGivesTheSameHash() throws {
        let a = try compile("templates/standard-sale.flow.yaml")
        let b = try compile("templates/standard-sale.flow.yaml")
        #expect(a.template.hash == b.template.hash)
        #expect(IRCompiler.canonicalJSON(a) == IRCompiler.canonicalJSON(b))
    }

    /// A machine's hash is the template's content: the path the template was named by (relative,
    /// with `./` or `..`, absolute) is not part of it. The source table names files relative to
    /// the template's directory.
    @Test func theHashDoesNotDependOnHowTheTemplatesPathIsSpelled() throws {
        let spellings = [
            "templates/standard-sale.flow.yaml", "./templates/standard-sale.flow.yaml",
            "templates/fragments/../standard-sale.flow.yaml", "templates//standard-sale.flow.yaml",
            repoRoot + "/templates/standard-sale.flow.yaml",
        ]
        let machines = try spellings.map(compile)
        #expect(Set(machines.map(\.template.hash)).count == 1)
        #expect(machines[0].sources.files == ["standard-sale.flow.yaml", "fragments/common-roles.flow.yaml"])
        for m in machines { #expect(m.sources.files == machines[0].sources.files) }
        // A template that extends another: the parent is named relative to the child's directory.
        #expect(try compile("./templates/standard-sale-smb.flow.yaml").sources.files.first == "standard-sale-smb.flow.yaml")
    }

    @Test func sourcePathsAreMadeRelativeToTheTemplatesDirectory() {
        #expect(IRCompiler.portablePaths(["a/b/t.yaml", "a/b/f/x.yaml", "a/c/y.yaml"]) == ["t.yaml", "f/x.yaml", "../c/y.yaml"])
        #expect(IRCompiler.portablePaths(["/x/./y/t.yaml", "/x/y/../z.yaml"]) == ["t.yaml", "../z.yaml"])
        #expect(IRCompiler.portablePaths(["t.yaml", "sub/u.yaml"]) == ["t.yaml", "sub/u.yaml"])
        // Above a relative template's directory the way back is unknown: such a path stays as it is, made tidy.
        #expect(IRCompiler.portablePaths(["../t.yaml", "./u.yaml"]) == ["t.yaml", "u.yaml"])
        #expect(IRCompiler.portablePaths(["<stdin>"]) == ["<stdin>"])
        #expect(IRCompiler.portablePaths([]) == [])
    }

    @Test func templateWithErrorsIsNotCompiled() {
        let result = TemplateChecker.check(path: "testdata/check/err/unknown-node-typo.flow.yaml", fs: DiskFileSystem(base: repoRoot))
        #expect(throws: CompileError.self) { try IRCompiler.compile(result) }
    }

    @Test func tamperedContentIsRefusedByItsHash() throws {
        var m = try compile("testdata/ir/approval-and-fork.flow.yaml")
        m.nodes[0].name["zh"] = "改过的名字"
        #expect(loadError(IRCompiler.canonicalJSON(m))?.kind == .hashMismatch)
    }

    @Test func outOfRangeIndexIsRefusedBeforeAnythingElse() throws {
        var m = try compile("testdata/ir/approval-and-fork.flow.yaml")
        m.nodes[0].transition = .goto(999)
        let e = loadError(IRCompiler.canonicalJSON(m))
        #expect(e?.kind == .badReference)
        #expect(e?.code == "FC1003")
        #expect(e?.message.contains("999") == true)
        var m2 = try compile("testdata/ir/approval-and-fork.flow.yaml")
        m2.start = -1
        #expect(loadError(IRCompiler.canonicalJSON(m2))?.kind == .badReference)
    }

    @Test func truncatedOrEmptyFileIsMalformed() throws {
        let bytes = IRCompiler.canonicalJSON(try compile("testdata/ir/approval-and-fork.flow.yaml"))
        #expect(loadError(Array(bytes.prefix(bytes.count / 2)))?.kind == .malformed)
        #expect(loadError([])?.kind == .malformed)
        #expect(loadError(Array("{\"format\":\"flowc-ir\",\"formatVersion\":1}".utf8))?.kind == .malformed)
    }

    @Test func unknownFormatOrVersionIsRefused() throws {
        #expect(loadError(Array("{\"hello\":1}".utf8))?.kind == .unknownFormat)
        var m = try compile("testdata/ir/approval-and-fork.flow.yaml")
        m.formatVersion = 99
        let e = loadError(IRCompiler.canonicalJSON(m))
        #expect(e?.kind == .unknownFormat)
        #expect(e?.message.contains("99") == true)
    }

    @Test func expressionThatNoLongerChecksIsRefusedEvenWithAValidHash() throws {
        var m = try compile("testdata/ir/approval-and-fork.flow.yaml")
        m.expressions[0].source = "quote < nothing_here"
        m.template.hash = IRCompiler.contentHash(m)
        #expect(loadError(IRCompiler.canonicalJSON(m))?.kind == .badExpression)
    }

    /// Every code the loader can throw has an entry in the catalogue `flowc explain` reads.
    @Test(arguments: IRLoadError.Kind.allCases)
    func everyLoaderCodeIsInTheCatalogue(_ kind: IRLoadError.Kind) throws {
        let spec = try #require(IRMessages.all.first { $0.code.description == kind.rawValue }, "\(kind.rawValue) has no catalogue entry")
        #expect(IRMessages.spec(for: kind) == spec)
        #expect(spec.name.hasPrefix("ir-"))
        #expect(spec.explanation.contains("Example:"), "\(spec.code) needs an example")
    }

    @Test func theCatalogueHasOnlyTheLoadersCodes() {
        #expect(IRMessages.all.map(\.code.description) == IRLoadError.Kind.allCases.map(\.rawValue))
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func denseIndicesResolveToTheRightNodes() throws {
        let m = try compile("testdata/ir/approval-and-fork.flow.yaml")
        let id = { (i: Int) in m.nodes[i].id }
        #expect(id(m.start) == "proposal")
        guard case .branch(let bs, let otherwise) = m.nodes[0].transition else {
            Issue.record("proposal should branch"); return
        }
        #expect(bs.map { id($0.to) } == ["internal_audit"])
        #expect(id(otherwise) == "review")
        #expect(m.expressions[bs[0].condition].source == "quote < cost")
        #expect(m.expressions[bs[0].condition].reads.map { m.fields[$0].id } == ["quote", "cost"])
        guard case .fork(let branches, let join) = m.nodes[3].transition else {
            Issue.record("contract_review should fork"); return
        }
        #expect(branches.map(id) == ["legal_review", "finance_review"])
        #expect(id(join) == "reviews_done")
        #expect(m.lose.map { id($0.via) } == "loss_review")
        #expect(m.pool.idleAfter == Int64(30 * 86_400))
        #expect(m.pool.cooldown == Int64(7 * 86_400))
        #expect(m.fields.first { $0.id == "margin" }?.compute.map { m.expressions[$0].source } == "quote - cost")
        #expect(m.sources.nodes[0].line == 15)
    }
}
