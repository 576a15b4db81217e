/// Renders diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
/// the form code-scanning services read.
///
/// The log has one run:
/// - `tool.driver`: name `flowc`, the version, and one `reportingDescriptor` per code used, with
///   the rule name, the message format (`shortDescription`, and `messageStrings.default` with
///   literal braces doubled as SARIF placeholders require), the first paragraph of the
///   explanation (`fullDescription`), the whole explanation (`help`, text and Markdown), and the
///   default level.
/// - `artifacts`: the files checked, then any other file a diagnostic names.
/// - `results`: `ruleId`, `ruleIndex`, `level`, `message` (text, plus `id` and `arguments` so a
///   viewer can translate), the primary location, labels as `relatedLocations`, fix-its as one
///   `fix`, and notes and help in the result's property bag.
///
/// Regions give lines and columns in UTF-16 code units (`run.columnKind` is `utf16CodeUnits`, the
/// SARIF default), with `charOffset`/`charLength` in the same unit. End columns are exclusive.
/// Paths become relative URI references with forward slashes; absolute paths become `file:` URIs.
public struct SARIFRenderer: Sendable {
    /// The `$schema` written into the log.
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    /// Written as `tool.driver.informationUri` when set.
    public var informationURI: String?

    public init(informationURI: String? = nil) {
        self.informationURI = informationURI
    }

    /// Renders one SARIF log, indented, ending with a line break.
    ///
    /// - Parameters:
    ///   - diagnostics: the results, in the order to report them.
    ///   - rules: the catalogue entries to describe the codes used (codes missing from it are
    ///     described from the diagnostic alone); codes not used are not listed.
    ///   - toolVersion: `tool.driver.version`.
    ///   - files: the files that were checked, listed as artifacts even when they have no result.
    public func render(_ diagnostics: [Diagnostic], rules: [MessageSpec], toolVersion: String, files: [SourceFile]) -> String {
        var context = Context()
        for file in files { _ = context.artifactIndex(path: file.path, file: file) }

        // One descriptor per code used, in code order.
        var specs: [DiagnosticCode: MessageSpec] = [:]
        for spec in rules where specs[spec.code] == nil { specs[spec.code] = spec }
        var firstUse: [DiagnosticCode: Diagnostic] = [:]
        for d in diagnostics where firstUse[d.code] == nil { firstUse[d.code] = d }
        let codes = firstUse.keys.sorted()
        var ruleIndex: [DiagnosticCode: Int] = [:]
        for (i, code) in codes.enumerated() { ruleIndex[code] = i }
        let descriptors = codes.map { code in
            Self.descriptor(code: code, spec: specs[code], example: firstUse[code])
        }

        let results = diagnostics.map { result($0, ruleIndex: ruleIndex[$0.code] ?? 0, context: &context) }

        var driver: [String: JSONValue] = [
            "name": .string("flowc"),
            "version": .string(toolVersion),
            "rules": .array(descriptors),
        ]
        if let informationURI { driver["informationUri"] = .string(informationURI) }
        let run: JSONValue = .object([
            "tool": .object(["driver": .object(driver)]),
            "columnKind": .string("utf16CodeUnits"),
            "artifacts": .array(context.artifacts),
            "results": .array(results),
        ])
        let log: JSONValue = .object([
            "$schema": .string(Self.schemaURI),
            "version": .string("2.1.0"),
            "runs": .array([run]),
        ])
        return log.pretty + "\n"
    }

    // MARK: - Rules

    static func descriptor(code: DiagnosticCode, spec: MessageSpec?, example: Diagnostic?) -> JSONValue {
        let format = spec?.format ?? example?.message.format ?? ""
        let severity = spec?.severity ?? example?.severity ?? .error
        var members: [String: JSONValue] = [
            "id": .string(code.description),
            "shortDescription": .object(["text": .string(format)]),
            "messageStrings": .object(["default": .object(["text": .string(placeholderString(format))])]),
            "defaultConfiguration": .object(["level": .string(level(severity))]),
        ]
        if let name = spec?.name ?? example?.ruleName, !name.isEmpty { members["name"] = .string(name) }
        if let explanation = spec?.explanation, !explanation.isEmpty {
            let summary = firstParagraph(explanation)
            if !summary.isEmpty { members["fullDescription"] = .object(["text": .string(summary)]) }
            members["help"] = .object(["text": .string(explanation), "markdown": .string(explanation)])
        }
        return .object(members)
    }

    /// The explanation's first paragraph, its lines joined with spaces.
    static func firstParagraph(_ text: String) -> String {
        var words: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty {
                if words.isEmpty { continue }
                break
            }
            words.append(trimmed)
        }
        return words.map { String($0.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }.joined(separator: " ")
    }

    /// A catalogue format as a SARIF message string: `{n}` placeholders kept, any other brace
    /// doubled (SARIF reads single braces as placeholders).
    static func placeholderString(_ format: String) -> String {
        var out = ""
        var rest = format[...]
        while let brace = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            out += rest[..<brace]
            if rest[brace] == "{", let close = rest[brace...].firstIndex(of: "}"),
               let n = Int(rest[rest.index(after: brace)..<close]), n >= 0 {
                out += rest[brace...close]
                rest = rest[rest.index(after: close)...]
            } else {
                out += rest[brace] == "{" ? "{{" : "}}"
                rest = rest[rest.index(after: brace)...]
            }
        }
        return out + rest
    }

    static func level(_ s: Severity) -> String { s.rawValue }

    // MARK: - Results

    private func result(_ d: Diagnostic, ruleIndex: Int, context: inout Context) -> JSONValue {
        var members: [String: JSONValue] = [
            "ruleId": .string(d.code.description),
            "ruleIndex": .int(ruleIndex),
            "level": .string(Self.level(d.severity)),
            "message": .object([
                "text": .string(d.message.text),
                "id": .string("default"),
                "arguments": .array(d.message.arguments.map(JSONValue.string)),
            ]),
        ]
        var location: [String: JSONValue] = ["artifactLocation": context.artifactLocation(path: d.path, file: d.span?.file)]
        if let span = d.span { location["region"] = context.region(span) }
        members["locations"] = .array([.object(["physicalLocation": .object(location)])])

        if !d.labels.isEmpty {
            members["relatedLocations"] = .array(d.labels.enumerated().map { i, label in
                .object([
                    "id": .int(i + 1),
                    "message": .object(["text": .string(label.message.text)]),
                    "physicalLocation": .object([
                        "artifactLocation": context.artifactLocation(path: label.span.file.path, file: label.span.file),
                        "region": context.region(label.span),
                    ]),
                ])
            })
        }

        if !d.fixIts.isEmpty {
            // Fix-its of one diagnostic are applied together: one fix, one change per file.
            var order: [ObjectIdentifier] = []
            var byFile: [ObjectIdentifier: (SourceFile, [JSONValue])] = [:]
            for fix in d.fixIts {
                let key = ObjectIdentifier(fix.span.file)
                if byFile[key] == nil { order.append(key); byFile[key] = (fix.span.file, []) }
                byFile[key]?.1.append(.object([
                    "deletedRegion": context.region(fix.span),
                    "insertedContent": .object(["text": .string(fix.replacement)]),
                ]))
            }
            let changes: [JSONValue] = order.compactMap { key in
                guard let (file, replacements) = byFile[key] else { return nil }
                return .object([
                    "artifactLocation": context.artifactLocation(path: file.path, file: file),
                    "replacements": .array(replacements),
                ])
            }
            let description = d.help?.text ?? d.fixIts.map { $0.helpText(primary: d.span) }.joined(separator: "; ")
            members["fixes"] = .array([.object([
                "description": .object(["text": .string(description)]),
                "artifactChanges": .array(changes),
            ])])
        }

        var properties: [String: JSONValue] = [:]
        if !d.notes.isEmpty { properties["notes"] = .array(d.notes.map { .string($0.text) }) }
        if let help = d.help { properties["help"] = .string(help.text) }
        if !properties.isEmpty { members["properties"] = .object(properties) }
        return .object(members)
    }

    // MARK: - Artifacts and regions

    private struct Context {
        var artifacts: [JSONValue] = []
        var indexByPath: [String: Int] = [:]
        /// Per file, the UTF-16 code units before each line start.
        var unitsBeforeLine: [ObjectIdentifier: [Int]] = [:]

        mutating func artifactIndex(path: String, file: SourceFile?) -> Int {
            if let i = indexByPath[path] { return i }
            var artifact: [String: JSONValue] = ["location": .object(["uri": .string(SARIFRenderer.uri(forPath: path))])]
            if let file { artifact["length"] = .int(file.bytes.count) }
            artifacts.append(.object(artifact))
            indexByPath[path] = artifacts.count - 1
            return artifacts.count - 1
        }

        mutating func artifactLocation(path: String, file: SourceFile?) -> JSONValue {
            let index = artifactIndex(path: path, file: file)
            return .object(["uri": .string(SARIFRenderer.uri(forPath: path)), "index": .int(index)])
        }

        mutating func region(_ span: SourceSpan) -> JSONValue {
            let file = span.file
            let start = file.utf16Location(of: span.start)
            let end = file.utf16Location(of: span.end)
            let table = lineTable(file)
            let startOffset = table[start.line - 1] + start.column - 1
            let endOffset = table[end.line - 1] + end.column - 1
            return .object([
                "startLine": .int(start.line),
                "startColumn": .int(start.column),
                "endLine": .int(end.line),
                "endColumn": .int(end.column),
                "charOffset": .int(startOffset),
                "charLength": .int(max(0, endOffset - startOffset)),
            ])
        }

        private mutating func lineTable(_ file: SourceFile) -> [Int] {
            let key = ObjectIdentifier(file)
            if let table = unitsBeforeLine[key] { return table }
            var table: [Int] = []
            table.reserveCapacity(file.lineStarts.count)
            var units = 0
            for i in file.lineStarts.indices {
                table.append(units)
                let next = i + 1 < file.lineStarts.count ? file.lineStarts[i + 1] : file.bytes.count
                // Segment each line on its own, as the column walk does, from its first column
                // (a byte-order mark is no character of the text an editor shows).
                file.forEachSegment(in: file.columnStart(ofLine: i + 1)..<next) { units += $0.scalar.utf16.count }
            }
            unitsBeforeLine[key] = table
            return table
        }
    }

    /// A path as a URI reference: backslashes become slashes, characters outside the URI
    /// unreserved set are percent-encoded (UTF-8), and absolute paths become `file:` URIs.
    static func uri(forPath path: String) -> String {
        let slashed = String(path.map { $0 == "\\" ? "/" : $0 })
        let bytes = Array(slashed.utf8)
        var prefix = ""
        var keepColonAt: Int?
        if bytes.first == UInt8(ascii: "/") {
            prefix = "file://"
        } else if bytes.count >= 3, isASCIILetter(bytes[0]), bytes[1] == UInt8(ascii: ":"), bytes[2] == UInt8(ascii: "/") {
            // A Windows drive path, `C:/x`.
            prefix = "file:///"
            keepColonAt = 1
        }
        var out = prefix
        for (i, b) in bytes.enumerated() {
            if isUnreserved(b) || b == UInt8(ascii: "/") || i == keepColonAt {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func isASCIILetter(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        isASCIILetter(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }
}
