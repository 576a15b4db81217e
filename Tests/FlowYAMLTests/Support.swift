#if canImport(Glibc)
import Glibc
#endif
import FlowDiagnostics
@testable import FlowYAML

/// Reads YAML text held in memory.
func read(_ text: String, limits: YAMLLimits = .default, path: String = "t.yaml") -> YAMLReadResult {
    YAMLReader.read(SourceFile(path: path, text: text), limits: limits)
}

/// Reads raw bytes held in memory.
func read(bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLReadResult {
    YAMLReader.read(SourceFile(path: "t.yaml", bytes: bytes), limits: limits)
}

/// The byte offset of the `occurrence`-th (0-based) `needle` in `text`, or -1.
func byteOffset(of needle: String, in text: String, occurrence: Int = 0) -> Int {
    let h = Array(text.utf8)
    let n = Array(needle.utf8)
    guard !n.isEmpty, n.count <= h.count else { return -1 }
    var seen = 0
    for i in 0...(h.count - n.count) where h[i] == n[0] && Array(h[i..<i + n.count]) == n {
        if seen == occurrence { return i }
        seen += 1
    }
    return -1
}

extension YAMLReadResult {
    /// The codes of the diagnostics, as `FC0101`… strings.
    var codes: [String] { diagnostics.map { $0.code.description } }
}

extension YAMLDocument {
    /// The value node under `key` in the mapping `id` (scalar keys compared by text).
    func lookup(_ id: YAMLNodeID, _ key: String) -> YAMLNodeID? {
        pairs(id).first { text($0.key) == key }?.value
    }

    /// Follows a path of mapping keys and sequence indices from the root.
    func node(_ path: Any...) -> YAMLNodeID? {
        var cur = root
        for p in path {
            if let k = p as? String {
                guard let next = lookup(cur, k) else { return nil }
                cur = next
            } else if let i = p as? Int {
                let items = items(cur)
                guard i >= 0, i < items.count else { return nil }
                cur = items[items.startIndex + i]
            } else {
                return nil
            }
        }
        return cur
    }

    /// The text of a node's span.
    func source(_ id: YAMLNodeID) -> String {
        let s = span(id)
        return file.text(s.start..<s.end)
    }
}

/// A small deterministic generator (SplitMix64), so hostile-input cases are the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Peak resident memory of this process (VmHWM) in bytes, when /proc is there.
func peakResidentBytes() -> Int? {
    guard let f = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), f) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.hasPrefix("VmHWM:") {
            let digits = s.filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
    }
    return nil
}

/// The package root, found from this file's path (Tests/FlowYAMLTests/Support.swift).
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The bytes of a file, or nil when it cannot be read.
func readFileBytes(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n <= 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return out
}

/// The names of the entries of a directory (no `.` or `..`), sorted.
func directoryEntries(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafePointer(to: e.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// Every `*.yaml` file under `templates/` (one level of subfolders), as (relative path, bytes).
func templateFiles() -> [(String, [UInt8])] {
    let root = packageRoot + "/templates"
    var out: [(String, [UInt8])] = []
    for name in directoryEntries(root) {
        let path = root + "/" + name
        if name.hasSuffix(".yaml") {
            if let b = readFileBytes(path) { out.append((name, b)) }
        } else {
            for sub in directoryEntries(path) where sub.hasSuffix(".yaml") {
                if let b = readFileBytes(path + "/" + sub) { out.append((name + "/" + sub, b)) }
            }
        }
    }
    return out
}
