import FlowCLI
import Foundation
import Testing

/// A hostile file and the code `flowc check` must answer it with.
struct HostileCase: CustomStringConvertible, Sendable {
    var name: String
    var bytes: @Sendable () -> [UInt8]
    var code: String
    var description: String { name }
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
func peakMemoryMiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return 0
}

let billionLaughs: String = {
    var s = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"]
    var prev = "a"
    for n in names {
        s += "\(n): &\(n) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ", ") + "]\n"
        prev = n
    }
    return s
}()

/// A deterministic pseudo-random byte generator (xorshift), so failures reproduce.
func randomBytes(seed: UInt64, count: Int) -> [UInt8] {
    var x = seed | 1
    return (0..<count).map { _ in
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        return UInt8(truncatingIfNeeded: x)
    }
}

@Suite struct HostileFilesTests {
    static let cases: [HostileCase] = [
        HostileCase(name: "malformed YAML", bytes: { Array("flowc: 1\nnodes: [a, b\n".utf8) }, code: "FC0101"),
        HostileCase(name: "duplicate keys", bytes: { Array("flowc: 1\nflowc: 1\n".utf8) }, code: "FC0102"),
        HostileCase(name: "custom tag", bytes: { Array("flowc: !!python/object 1\n".utf8) }, code: "FC0103"),
        HostileCase(name: "billion laughs", bytes: { Array(billionLaughs.utf8) }, code: "FC0104"),
        // `- - - … x` nests block sequences one level per `- `, 10,000 deep in 20 kB.
        HostileCase(name: "10,000-deep block nesting", bytes: { Array((String(repeating: "- ", count: 10_000) + "x\n").utf8) }, code: "FC0105"),
        HostileCase(name: "10,000-deep flow nesting", bytes: { Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8) }, code: "FC0105"),
        HostileCase(name: "invalid UTF-8", bytes: { Array("flowc: 1\nname: ".utf8) + [0xC3, 0x28] + Array("\n".utf8) }, code: "FC0106"),
        HostileCase(name: "NUL byte", bytes: { Array("flowc: 1\n".utf8) + [0] }, code: "FC0107"),
        HostileCase(name: "50 MB file", bytes: { [UInt8](repeating: 0x61, count: 50 << 20) }, code: "FC0108"),
        HostileCase(name: "two documents", bytes: { Array("flowc: 1\n---\nflowc: 1\n".utf8) }, code: "FC0109"),
        HostileCase(name: "empty file", bytes: { [] }, code: "FC0110"),
        HostileCase(name: "comments only", bytes: { Array("# nothing here\n".utf8) }, code: "FC0110"),
        HostileCase(name: "undefined alias", bytes: { Array("flowc: *nope\n".utf8) }, code: "FC0111"),
        HostileCase(name: "merge key", bytes: { Array("base: &b {x: 1}\nflowc: 1\nt: {<<: *b}\n".utf8) }, code: "FC0112"),
        HostileCase(name: "recursive alias", bytes: { Array("a: &x [1, *x]\n".utf8) }, code: "FC0113"),
        HostileCase(name: "huge scalar", bytes: { Array(("flowc: 1\nx: " + String(repeating: "y", count: 2 << 20) + "\n").utf8) }, code: "FC0115"),
        HostileCase(name: "control character", bytes: { Array("flowc: 1\nx: a\u{07}b\n".utf8) }, code: "FC0116"),
        HostileCase(name: "a scalar document", bytes: { Array("just text\n".utf8) }, code: "FC0203"),
    ] + (0..<8).map { i in
        HostileCase(name: "random bytes #\(i)", bytes: { randomBytes(seed: UInt64(i) &* 0x9E37_79B9_7F4A_7C15, count: 64 + i * 997) }, code: "")
    }

    @Test(arguments: cases)
    func hostileFileGetsADiagnosticAndExitOne(_ c: HostileCase) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowc-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.flow.yaml").path
        try Data(c.bytes()).write(to: URL(fileURLWithPath: path))
        let before = peakMemoryMiB()
        let r = flowc("check", "--format", "json", path)
        #expect(r.code == 1, "\(c.name): exit \(r.code)\n\(r.out)\(r.err)")
        #expect(!r.out.isEmpty, "\(c.name): no diagnostic")
        if !c.code.isEmpty {
            #expect(r.out.contains("\"code\":\"\(c.code)\""), "\(c.name): expected \(c.code), got \(r.out.prefix(400))")
        }
        // Bounded memory: nothing here may grow the process by more than 300 MiB.
        #expect(peakMemoryMiB() - before < 300, "\(c.name) used too much memory")
    }

    /// A GBK lead byte before an ASCII one: the lead byte is named, at its column, the quoted
    /// line keeps the ASCII byte, and the help says what to do (QA round 22, M2: `0x2C`, the
    /// comma, was named, a column late, and the comma left out of the quoted line).
    @Test func aLeadByteWithoutItsContinuationIsNamedWhereItIs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowc-utf8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.flow.yaml").path
        try Data(Array("flowc: 1\nx: \"".utf8) + [0xCC] + Array(",b\"\n".utf8)).write(to: URL(fileURLWithPath: path))
        let r = flowc("check", "--color", "never", path)
        #expect(r.code == 1)
        #expect(r.out == """
            \(path):2:5: error[FC0106]: invalid UTF-8 byte 0xCC
              |
            2 | x: "\u{FFFD},b"
              |     ^
              |
              = help: the file is not UTF-8: save it again as UTF-8 (files saved as GBK or GB18030, as Excel and \
            Notepad do on Chinese Windows, have such bytes)

            1 error

            """, "\(r.out)")
    }
}

/// A file over the size limit is refused as a whole, without a line of it quoted (QA round 22, m9:
/// an empty `1 |` was quoted), and the help says how to take a larger one.
@Suite struct FileTooLargeTests {
    @Test func theFileIsNamedWithTheLimitToRaise() throws {
        let text = String(repeating: "a: b\n", count: 20)
        let r = try checkText(text, "--max-file-size", "10")
        #expect(r.code == 1)
        #expect(r.out == """
            \(r.path): error[FC0108]: file is 100 bytes, more than the limit of 10
              = help: is this the template you meant? `flowc check --max-file-size BYTES` reads a larger one, up to 1073741824

            1 error

            """, "\(r.out)")
    }

    /// QA round 25: `compile` and `run` named `flowc check --max-file-size`, an option they do not
    /// take; they read templates up to 32 MiB, and say so.
    @Test func theCommandsThatCompileNameNoOptionTheyLack() throws {
        let dir = try tempDir([:])
        let path = dir + "/big.flow.yaml"
        let bytes = [UInt8](String(repeating: "a: b\n", count: (32 << 20) / 5 + 1).utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let help = "  = help: is this the file you meant? this command reads no file over 33554432 bytes\n"
        for args in [["compile", path], ["run", path, "--deals", Examples.deals, "--db", dir + "/s.sqlite"], ["graph", path]] {
            let r = flowc(args)
            #expect(r.code != 0, "\(args[0])")
            #expect(r.err.contains("\(path): error[FC0108]: file is \(bytes.count) bytes, more than the limit of 33554432\n" + help),
                    "\(args[0]): \(r.err)")
            #expect(!r.err.contains("--max-file-size"), "\(args[0]): \(r.err)")
        }
        // check names its own option.
        let r = flowc("check", path)
        #expect(r.out.contains("`flowc check --max-file-size BYTES` reads a larger one, up to 1073741824"), "\(r.out)")
    }

    @Test func theJSONHasNoPlaceInTheFile() throws {
        let r = try checkText(String(repeating: "a: b\n", count: 20), "--max-file-size", "10", "--json")
        #expect(r.code == 1)
        #expect(r.out.contains("\"code\":\"FC0108\""), "\(r.out)")
        #expect(r.out.contains("\"line\":null"), "\(r.out)")
    }
}
