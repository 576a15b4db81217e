import FlowDiagnostics
import FlowRuntime
import FlowYAML

/// A scenario file as `flowc test` reads it: YAML turned into the JSON-shaped tree that
/// `Scenario.parse` takes, with the YAML document kept so that every problem can be pointed at.
///
/// Authors write templates in YAML, so they write scenarios in YAML too; a `.scenario.json` file
/// is read by the same YAML reader (JSON is YAML 1.2 flow syntax), which gives its problems
/// positions as well. The tree keeps the key order of each mapping, resolves scalars by the YAML
/// 1.2 core schema (the same as templates: `no` and `on` stay text), and keeps numbers exact —
/// as their text, never through a `Double` — because the runner reads decimals and money from it.
struct ScenarioSource {
    let document: YAMLDocument
    let tree: JSONValue

    var file: SourceFile { document.file }

    /// Reads one scenario file already in memory.
    ///
    /// - Returns: the source, or the located diagnostics that make it unusable (YAML errors as
    ///   FC01xx, values with no JSON meaning as FC1302).
    static func read(_ file: SourceFile, limits: YAMLLimits = .default) -> Result<ScenarioSource, ScenarioFileErrors> {
        // A step's time and person come before its action (as the docs write them), so a step
        // without its `- ` starts at them.
        let read = YAMLReader.read(file, limits: limits, itemLeadKeys: ["at", "by"])
        let errors = read.diagnostics.filter { $0.severity == .error }.map(reworded)
        guard errors.isEmpty, let document = read.document else {
            return .failure(ScenarioFileErrors(diagnostics: errors.isEmpty ? [YAMLMessages.empty.at(SourceSpan(file: file, start: 0, end: 0))] : errors))
        }
        var converter = Converter(document: document)
        let tree = converter.convert(document.root)
        if !converter.problems.isEmpty { return .failure(ScenarioFileErrors(diagnostics: converter.problems)) }
        return .success(ScenarioSource(document: document, tree: tree))
    }

    /// A reader's diagnostic in the words of a scenario file: the YAML reader speaks of template
    /// files, its main readers' (FC0109, a second document).
    static func reworded(_ diagnostic: Diagnostic) -> Diagnostic {
        guard diagnostic.code == YAMLMessages.multipleDocuments.code else { return diagnostic }
        var d = diagnostic
        d.message = Message(ScenarioMessages.Text.multipleDocuments)
        return d
    }

    // MARK: Locating problems

    /// The key `name` of the mapping at `path` (a name the expectation gives as a key, such as a
    /// role of `members`); the mapping itself when it has no such key.
    func span(ofKey name: String, in path: String) -> SourceSpan {
        pair(name, in: path).map { document.span($0.key) } ?? span(at: path)
    }

    /// The entry `name` of the mapping at `path`, if the file has one there.
    func pair(_ name: String, in path: String) -> (key: YAMLNodeID, value: YAMLNodeID)? {
        let (node, _) = locate(path)
        guard document.kind(node) == .mapping else { return nil }
        return document.pairs(node).first { document.text($0.key) == name }
    }

    /// The primary span for a problem at a scenario path such as `steps[3].expect.active` (the
    /// form `ScenarioFormatError.path` uses; empty for the whole file).
    ///
    /// The walk goes as deep as the file has nodes for the path. A scalar or a one-line flow
    /// collection is underlined whole; a block collection is pointed at through the key that holds
    /// it, or its first line when no key does (the root, an item of a list). With `atKey`, the
    /// key that holds the node is pointed at (a key that should not be written at all).
    func span(at path: String, message: String = "", atKey: Bool = false) -> SourceSpan {
        let (node, key) = locate(path)
        if atKey, let key { return document.span(key) }
        // An unknown key is best shown as the key itself. `ScenarioFormatError` has no structured
        // kind, so the key is taken from the message; this only narrows the underline, nothing
        // else depends on it.
        if let name = Self.unknownKey(in: message), document.kind(node) == .mapping,
           let pair = document.pairs(node).first(where: { document.text($0.key) == name }) {
            return document.span(pair.key)
        }
        let whole = document.span(node)
        let oneLine = file.line(of: whole.start) == file.line(of: max(whole.start, whole.end - 1))
        if document.kind(node) == .scalar || oneLine { return whole }
        if let key { return document.span(key) }
        return firstLine(of: whole)
    }

    /// Where step `number` of the runner's report is written: `steps[number - 1]`, or the `deal`
    /// for step 0 (the deal's creation).
    func span(ofStep number: Int) -> SourceSpan {
        span(at: number == 0 ? "deal" : "steps[\(number - 1)]")
    }

    /// The node a path names (as deep as the file goes) and the key that holds it, if any.
    func locate(_ path: String) -> (node: YAMLNodeID, key: YAMLNodeID?) {
        var node = document.root
        var key: YAMLNodeID?
        for segment in Self.segments(path) {
            switch segment {
            case .key(let name):
                guard document.kind(node) == .mapping,
                      let pair = document.pairs(node).first(where: { document.text($0.key) == name }) else { return (node, key) }
                node = pair.value
                key = pair.key
            case .index(let i):
                let items = document.items(node)
                guard document.kind(node) == .sequence, i >= 0, i < items.count else { return (node, key) }
                node = items[items.startIndex + i]
                key = nil
            }
        }
        return (node, key)
    }

    private func firstLine(of span: SourceSpan) -> SourceSpan {
        let line = file.lineRange(file.line(of: span.start))
        return SourceSpan(file: file, start: span.start, end: max(span.start, min(span.end, line.upperBound)))
    }

    enum Segment: Equatable {
        case key(String)
        case index(Int)
    }

    /// `steps[3].expect.nodes.a` → `steps`, 3, `expect`, `nodes`, `a`.
    static func segments(_ path: String) -> [Segment] {
        var out: [Segment] = []
        var name = ""
        var index: String?
        for c in path {
            if index != nil {
                if c == "]" {
                    if let i = Int(index ?? "") { out.append(.index(i)) }
                    index = nil
                } else {
                    index?.append(c)
                }
                continue
            }
            switch c {
            case ".":
                if !name.isEmpty { out.append(.key(name)) }
                name = ""
            case "[":
                if !name.isEmpty { out.append(.key(name)) }
                name = ""
                index = ""
            default:
                name.append(c)
            }
        }
        if !name.isEmpty { out.append(.key(name)) }
        return out
    }

    /// The key of an "unknown key `x`" message.
    static func unknownKey(in message: String) -> String? {
        guard let r = message.range(of: "unknown key `") else { return nil }
        let rest = message[r.upperBound...]
        guard let end = rest.firstIndex(of: "`") else { return nil }
        return String(rest[..<end])
    }

    // MARK: Numbers

    /// The number a YAML scalar denotes, as exact decimal text the runner reads (`12`, `-0.50`).
    ///
    /// Text already in that form is kept as written (so `1200.50` keeps its scale); a leading `+`
    /// is dropped; exponent and bare-point forms are rewritten exactly by moving the point
    /// (`1.5e3` → `1500`, `.5` → `0.5`). Nil for text that is not a decimal number (`.inf`).
    static func exactNumber(_ text: String) -> String? {
        let u = Array(text.utf8)
        var i = 0
        var negative = false
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") {
            negative = u[i] == UInt8(ascii: "-")
            i += 1
        }
        var whole: [UInt8] = []
        var fraction: [UInt8] = []
        var point = false
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { whole.append(u[i]); i += 1 }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            point = true
            i += 1
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { fraction.append(u[i]); i += 1 }
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = 0
        var hasExponent = false
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            hasExponent = true
            i += 1
            var negativeExponent = false
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") {
                negativeExponent = u[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 {
                // Far beyond any field's range; refusing keeps the rewritten text small.
                guard exponent < 1_000 else { return nil }
                exponent = exponent * 10 + Int(u[i] - 0x30)
                i += 1
            }
            guard i > start else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        guard i == u.count else { return nil }
        let sign = negative ? "-" : ""
        if !hasExponent, !whole.isEmpty, !(point && fraction.isEmpty) {
            return sign + String(decoding: whole, as: UTF8.self) + (point ? "." + String(decoding: fraction, as: UTF8.self) : "")
        }
        var digits = whole + fraction
        var at = whole.count + exponent
        if at < 0 {
            digits = [UInt8](repeating: 0x30, count: -at) + digits
            at = 0
        }
        if at > digits.count { digits += [UInt8](repeating: 0x30, count: at - digits.count) }
        var intPart = Array(digits[..<at].drop { $0 == 0x30 })
        if intPart.isEmpty { intPart = [0x30] }
        let fracPart = digits[at...]
        return sign + String(decoding: intPart, as: UTF8.self) + (fracPart.isEmpty ? "" : "." + String(decoding: fracPart, as: UTF8.self))
    }
}

/// Why a scenario file could not be read: located diagnostics.
struct ScenarioFileErrors: Error {
    var diagnostics: [Diagnostic]
}

/// Builds the JSON tree from the YAML nodes, collecting the values that have no JSON meaning.
private struct Converter {
    let document: YAMLDocument
    var problems: [Diagnostic] = []

    init(document: YAMLDocument) { self.document = document }

    // Recursion is bounded: the reader refuses nesting deeper than `YAMLLimits.maxDepth`, and
    // aliases have already been expanded under its node budget.
    mutating func convert(_ id: YAMLNodeID) -> JSONValue {
        switch document.kind(id) {
        case .scalar:
            switch document.value(id) {
            case .null?, nil: return .null
            case .bool(let b)?: return .bool(b)
            case .int(let i)?: return .number(String(i))
            case .float?:
                let text = document.text(id) ?? ""
                if let exact = ScenarioSource.exactNumber(text) { return .number(exact) }
                problems.append(ScenarioMessages.value.at(document.span(id), "`\(text)` is not a finite number"))
                return .null
            case .string(let s)?: return .string(s)
            }
        case .sequence:
            return .array(document.items(id).map { convert($0) })
        case .mapping:
            var entries: [(key: String, value: JSONValue)] = []
            for (key, value) in document.pairs(id) {
                guard document.kind(key) == .scalar, let name = document.text(key) else {
                    problems.append(ScenarioMessages.value.at(document.span(key), "a mapping key must be text, not a mapping or a list"))
                    continue
                }
                // `1:`, `true:` and `null:` are a number, a boolean and null, not the text they
                // look like (docs/testing.md §8).
                guard case .string? = document.value(key) else {
                    problems.append(ScenarioMessages.value.at(document.span(key), "a mapping key must be text, not `\(name)` (quote it)"))
                    continue
                }
                entries.append((name, convert(value)))
            }
            return .object(entries)
        }
    }
}
