import FlowCLI
import FlowDiagnostics
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The bundled templates that have scenarios (`templates/scenarios/NAME/`), found from this
/// file's place in the repository. The first byte of an input picks one.
let templates: [String] = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let names = ["standard-sale", "standard-sale-smb", "renewal-upsell", "channel-partner", "key-account-tender"]
    let paths = names.map { repo.appendingPathComponent("templates/\($0).flow.yaml").path }
    for p in paths where !FileManager.default.fileExists(atPath: p) { violated("no template at \(p)") }
    return paths
}()

/// The scenario file an input is written to, one per process (libFuzzer's workers are
/// processes): `flowc test` reads scenarios from disk.
let scratchPath: String = {
    let dir = "/tmp/flowc-fuzz-scenario-\(getpid())"
    mkdir(dir, 0o700)
    atexit {
        let dir = "/tmp/flowc-fuzz-scenario-\(getpid())"
        unlink(dir + "/fuzz.scenario.yaml")
        rmdir(dir)
    }
    return dir + "/fuzz.scenario.yaml"
}()

/// libFuzzer entry point: the bytes after the first are a scenario file, run by `flowc test
/// TEMPLATE FILE` in-process (`Flowc.run`, output captured) against the bundled template the first
/// byte picks (its value modulo the number of templates).
///
/// Nothing may trap. The run ends with `N passed, M failed` counting exactly the one scenario;
/// it exits 0 when it passed and 1 when it failed (2, a usage error or an unreadable file, cannot
/// happen: the file is there). A scenario that fails for its file's errors shows at least one
/// located diagnostic, and every location (`--> FILE:LINE:COLUMN`) in the scenario file is a
/// line and column of the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let template = templates[Int(data[0]) % templates.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    writeScratch(bytes)
    let context = CLIContext(capture: true)
    let code = Flowc.run(["test", template, scratchPath, "--color", "never"], context: context)
    let out = context.out, err = context.err

    guard let last = out.split(separator: "\n").last, let (passed, failed) = counts(last) else {
        violated("no `N passed, M failed` line (exit \(code)): out \(out.debugDescription) err \(err.debugDescription)")
    }
    if passed + failed != 1 { violated("\(passed) passed, \(failed) failed for one scenario: \(out.debugDescription)") }
    let expected: Int32 = passed == 1 ? 0 : 1
    if code != expected { violated("exit \(code) for \(passed) passed, \(failed) failed: out \(out.debugDescription) err \(err.debugDescription)") }
    if out.contains("(the scenario file has errors)"), !out.contains("error[") {
        violated("a scenario file with errors but no diagnostic: \(out.debugDescription)")
    }
    checkLocations(out + err, bytes: bytes)
    return 0
}

/// `N passed, M failed`.
func counts(_ line: Substring) -> (Int, Int)? {
    let words = line.split(separator: " ")
    guard words.count == 4, words[1] == "passed,", words[3] == "failed", let p = Int(words[0]), let f = Int(words[2]) else { return nil }
    return (p, f)
}

/// Every `--> FILE:LINE:COLUMN` naming the scenario file is inside it: a line of the file (LF,
/// CR LF and a lone CR end one, as in `SourceFile`; the empty line after a last line break
/// counts), a column at most one past that line's end.
func checkLocations(_ text: String, bytes: [UInt8]) {
    let file = SourceFile(path: scratchPath, bytes: bytes)
    let lines = file.lineStarts.indices.map { file.lineRange($0 + 1) }
    let marker = "--> " + scratchPath + ":"
    var rest = Substring(text)
    while let r = rest.range(of: marker) {
        rest = rest[r.upperBound...]
        let numbers = rest.prefix { $0.isNumber || $0 == ":" }.split(separator: ":")
        guard numbers.count >= 2, let line = Int(numbers[0]), let column = Int(numbers[1]) else {
            violated("a location without line and column: \(String(rest.prefix(40)).debugDescription)")
        }
        guard line >= 1, line <= lines.count else { violated("line \(line) of \(lines.count): \(text.debugDescription)") }
        // Columns count characters (or display cells), never more than the line's bytes plus one.
        if column < 1 || column > lines[line - 1].count + 1 {
            violated("column \(column) on line \(line) of \(lines[line - 1].count) bytes: \(text.debugDescription)")
        }
    }
}

func writeScratch(_ bytes: [UInt8]) {
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    if fd < 0 { violated("cannot open \(scratchPath)") }
    let written = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    if written != bytes.count { violated("write \(scratchPath)") }
}

/// Stops the run with a message: libFuzzer records the input that broke an invariant.
func violated(_ what: String) -> Never {
    let line = Array("invariant violated: \(what)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    abort()
}
