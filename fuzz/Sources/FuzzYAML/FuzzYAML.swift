import FlowDiagnostics
import FlowYAML

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: any bytes go to `YAMLReader.read`, which must return (no trap) with a
/// document or at least one FC01xx diagnostic, every span inside the file. Every scalar of a
/// document is also mapped back to the source (`scalarMap`), whose offsets must stay inside the
/// scalar's span.
///
/// Limits are kept small so that the fuzzer reaches the limit paths (depth, aliases, scalar
/// length) with short inputs, and so that each input stays fast.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var limits = YAMLLimits()
    limits.maxDepth = 16
    limits.maxExpandedNodes = 2_000
    limits.maxScalarBytes = 4_096
    limits.maxFileBytes = 64 << 10
    // Alternate between the small limits and the defaults on the first byte, so that both the
    // limit paths and the ordinary paths are covered; its next bit reads with a scenario's lead
    // keys, which move where an item without its `- ` is cut.
    let file = SourceFile(path: "fuzz.yaml", bytes: bytes)
    let first = bytes.first ?? 0
    let result = YAMLReader.read(file, limits: first & 1 == 0 ? limits : .default, itemLeadKeys: first & 2 == 0 ? [] : ["at", "by"])
    checkResult(result, byteCount: bytes.count)
    return 0
}

/// With `FLOWC_FUZZ_STRICT_MAP=1`, a scalar that `scalarMap` cannot map exactly (its re-decoding
/// differs from libyaml's text, so positions fall back to the content start) also stops the run:
/// a way to hunt for styles the decoder does not model yet.
let strictMap: Bool = getenv("FLOWC_FUZZ_STRICT_MAP").map { String(cString: $0) == "1" } ?? false

/// Stops the run with a message: libFuzzer records the input that broke an invariant.
func violated(_ what: String) -> Never {
    let line = Array("invariant violated: \(what)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    abort()
}

func checkResult(_ r: YAMLReadResult, byteCount n: Int) {
    if r.document == nil, r.diagnostics.isEmpty { violated("no document and no diagnostic") }
    for d in r.diagnostics {
        if !(101...199).contains(d.code.number) { violated("code \(d.code) outside FC01xx") }
        if let s = d.span, s.start < 0 || s.end > n || s.start > s.end { violated("\(d.code) span \(s.range) in \(n) bytes") }
        for l in d.labels where l.span.start < 0 || l.span.end > n {
            violated("\(d.code) label span \(l.span.range) in \(n) bytes")
        }
        _ = d.message.text
    }
    guard let doc = r.document else { return }
    // Walk from the root through the public API; an alias is stored as its anchor's node, so
    // visit each node once.
    var stack = [doc.root]
    var visited = Set<YAMLNodeID>()
    while let id = stack.popLast() {
        guard visited.insert(id).inserted else { continue }
        if visited.count > doc.nodeCount { violated("walk found more nodes than the arena holds") }
        let span = doc.span(id)
        if span.start < 0 || span.end > n { violated("node span \(span.range) in \(n) bytes") }
        switch doc.kind(id) {
        case .mapping:
            for (k, v) in doc.pairs(id) { stack.append(k); stack.append(v) }
        case .sequence:
            stack.append(contentsOf: doc.items(id))
        case .scalar:
            _ = doc.value(id)
            let map = doc.scalarMap(id)
            let count = doc.text(id)?.utf8.count ?? 0
            if map.count != count { violated("map count \(map.count) != text count \(count)") }
            if strictMap, !map.isExact { violated("scalar not mapped exactly: \(span.file.text(span.range).debugDescription)") }
            for v in [0, 1, count / 2, count - 1, count] where v >= 0 && v <= count {
                let o = map.sourceOffset(of: v)
                if o < span.start || o > span.end { violated("offset \(o) outside scalar span \(span.range)") }
                let s = map.sourceSpan(of: v..<min(count, v + 3))
                if s.start < span.start || s.end > span.end { violated("span \(s.range) outside scalar span \(span.range)") }
            }
        }
    }
}
