import FlowCheck
import FlowDiagnostics
import FlowIR
import FlowYAML
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The files a fuzzed template may include or extend, read once from the repository: the
/// bundled fragments at `/t/fragments/`, and the `testdata/check/ok` templates at `/t/` (for
/// `extends: every-feature.flow.yaml`).
let companions: [String: [UInt8]] = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    var files: [String: [UInt8]] = [:]
    for (folder, into) in [("templates/fragments", "/t/fragments"), ("testdata/check/ok", "/t")] {
        let dir = repo.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for name in names where name.hasSuffix(".flow.yaml") {
            guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else { continue }
            files[into + "/" + name] = [UInt8](data)
        }
    }
    if files.isEmpty { violated("no companion files under \(repo.path)") }
    return files
}()

/// The fuzzed template's path: beside the companions, under a name none of them has.
let mainPath = "/t/fuzz.flow.yaml"

/// libFuzzer entry point: the bytes are a template, checked by `TemplateChecker.check` over an
/// in-memory file system (as `flowc check` would, from `/t/fuzz.flow.yaml`). Nothing may trap;
/// every diagnostic's span, label and fix-it lies inside its file; the diagnostics render. A
/// template without errors is compiled to IR, which must load back (`IRLoader.load`) as the
/// machine it was.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var fs = MemoryFileSystem([:])
    fs.files = companions
    var limits = YAMLLimits()
    limits.maxFileBytes = 64 << 10
    let result = TemplateChecker.check(path: mainPath, bytes: bytes, fs: fs, limits: limits)
    let renderer = HumanRenderer(color: false, contextLines: 1)
    for d in result.diagnostics {
        if let s = d.span {
            checkSpan(s, "\(d.code)")
            if s.file.path != d.path { violated("\(d.code) path \(d.path) but span in \(s.file.path)") }
            if s.file.path == mainPath, s.end > bytes.count { violated("\(d.code) span \(s.range) in \(bytes.count) bytes") }
        }
        for l in d.labels { checkSpan(l.span, "\(d.code) label") }
        for f in d.fixIts { checkSpan(f.span, "\(d.code) fix-it") }
        if d.message.text.isEmpty { violated("\(d.code) without a message") }
    }
    // Rendered as `flowc check` renders them: together, each source line laid out once.
    if !skipHuman { _ = renderer.render(CappedDiagnostics(result.diagnostics, limit: max(1, result.diagnostics.count)), summary: DiagnosticCounts(counting: result.diagnostics)) }
    _ = JSONLinesRenderer().render(result.diagnostics)
    guard !result.hasErrors, let template = result.template, !template.main.isFragment else { return 0 }
    let machine: Machine
    // `flowc check` reports everything the compiler refuses: a template without errors compiles.
    do { machine = try IRCompiler.compile(result) } catch { violated("a template without errors does not compile: \(error)") }
    let ir = IRCompiler.canonicalJSON(machine)
    do {
        let loaded = try IRLoader.load(ir)
        if loaded.machine != machine { violated("the IR loads back as another machine") }
    } catch {
        violated("a template without errors compiles to IR that does not load: \(error)")
    }
    return 0
}

/// With `FLOWC_FUZZ_SKIP_HUMAN=1`, the human rendering of the diagnostics is left out: a way to
/// keep fuzzing the checker and the compiler while a known trap of the renderer is open (the
/// fuzz campaign's Z1, `DisplayLine.window` on a long line with combining marks), which
/// otherwise stops nearly every run within minutes.
let skipHuman: Bool = getenv("FLOWC_FUZZ_SKIP_HUMAN").map { String(cString: $0) == "1" } ?? false

/// A span inside its file, start before end.
func checkSpan(_ s: SourceSpan, _ what: String) {
    if s.start < 0 || s.start > s.end || s.end > s.file.bytes.count {
        violated("\(what) span \(s.start)..<\(s.end) in \(s.file.bytes.count) bytes of \(s.file.path)")
    }
}

/// Stops the run with a message: libFuzzer records the input that broke an invariant.
func violated(_ what: String) -> Never {
    let line = Array("invariant violated: \(what)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    abort()
}
