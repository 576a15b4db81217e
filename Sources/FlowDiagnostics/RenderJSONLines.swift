/// Renders diagnostics as JSON Lines: one JSON object per diagnostic, one per line.
///
/// Every object has the same keys, in sorted order; a diagnostic without a span has `null`
/// positions:
///
/// | key | value |
/// |-----|-------|
/// | `path` | the file as the user gave it |
/// | `line`, `column` | 1-based start; columns count characters (Unicode scalars), as in the human form |
/// | `endLine`, `endColumn` | the position just after the span (exclusive) |
/// | `offset`, `endOffset` | the span as byte offsets into the file |
/// | `severity` | `error`, `warning` or `note` |
/// | `code`, `rule` | `FC0302`, and the rule's short name |
/// | `message`, `format`, `arguments` | the text, and the catalogue format and arguments it was made from |
/// | `labels` | `[{path, line, column, endLine, endColumn, offset, endOffset, message, format, arguments}]` |
/// | `notes` | `[{message, format, arguments}]` |
/// | `help` | `{message, format, arguments}` or `null` |
/// | `fixits` | `[{path, line, column, endLine, endColumn, offset, endOffset, replacement}]` |
///
/// Strings are UTF-8; only control characters (and U+2028, U+2029) are escaped.
public struct JSONLinesRenderer: Sendable {
    public init() {}

    /// One diagnostic as a single-line JSON object, without a line break.
    public func render(_ d: Diagnostic) -> String {
        object(d).compact
    }

    /// Each diagnostic on its own line, every line ended by a line break.
    public func render(_ ds: some Sequence<Diagnostic>) -> String {
        var out = ""
        for d in ds { out += render(d) + "\n" }
        return out
    }

    func object(_ d: Diagnostic) -> JSONValue {
        var members = Self.position(d.span)
        members["path"] = .string(d.path)
        members["severity"] = .string(d.severity.rawValue)
        members["code"] = .string(d.code.description)
        members["rule"] = .string(d.ruleName)
        members["message"] = .string(d.message.text)
        members["format"] = .string(d.message.format)
        members["arguments"] = .array(d.message.arguments.map(JSONValue.string))
        members["labels"] = .array(d.labels.map { label in
            var m = Self.position(label.span)
            m["path"] = .string(label.span.file.path)
            if case .object(let text) = JSONValue(label.message) { m.merge(text) { a, _ in a } }
            return .object(m)
        })
        members["notes"] = .array(d.notes.map(JSONValue.init))
        members["help"] = d.help.map(JSONValue.init) ?? .null
        members["fixits"] = .array(d.fixIts.map { fix in
            var m = Self.position(fix.span)
            m["path"] = .string(fix.span.file.path)
            m["replacement"] = .string(fix.replacement)
            return .object(m)
        })
        return .object(members)
    }

    /// `line`, `column`, `endLine`, `endColumn`, `offset`, `endOffset` of a span, or nulls.
    static func position(_ span: SourceSpan?) -> [String: JSONValue] {
        guard let span else {
            return ["line": .null, "column": .null, "endLine": .null, "endColumn": .null, "offset": .null, "endOffset": .null]
        }
        let start = span.file.location(of: span.start)
        let end = span.file.location(of: span.end)
        return [
            "line": .int(start.line), "column": .int(start.column),
            "endLine": .int(end.line), "endColumn": .int(end.column),
            "offset": .int(start.offset), "endOffset": .int(end.offset),
        ]
    }
}
