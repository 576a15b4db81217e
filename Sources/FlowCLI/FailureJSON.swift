import Foundation

/// What a command asked for JSON (`--json`, `--format json`) prints on standard output when it
/// fails before printing anything there: one object, `{"error": {"code", "exit", "location"?,
/// "message"}}`, so that a script that reads standard output always has JSON to read (QA round
/// 11: a refusal was text on standard error only, told apart from a timeout's retry by a regular
/// expression). Standard error keeps its text, for people and logs.
enum FailureJSON {
    /// Whether the command line asks for JSON output (options before a `--`).
    static func requested(_ arguments: [String]) -> Bool {
        for (i, a) in arguments.enumerated() {
            if a == "--" { return false }
            if a == "--json" || a == "--format=json" { return true }
            if a == "--format", i + 1 < arguments.count, arguments[i + 1] == "json" { return true }
        }
        return false
    }

    /// An error line, in its parts: `PLACE: error[FC1204]: MESSAGE`, `error: MESSAGE`, or the
    /// argument parser's `Error: MESSAGE`.
    struct Parts: Equatable {
        var code: String?
        var location: String?
        var message: String
    }

    /// The first line of `text` that says an error.
    static func errorLine(in text: String) -> String? {
        guard text.contains("rror") else { return nil }
        for line in text.split(separator: "\n") where parts(String(line)) != nil { return String(line) }
        return nil
    }

    static func parts(_ raw: String) -> Parts? {
        let line = withoutColour(raw)
        if let mark = line.range(of: "error[FC") {
            let before = line[..<mark.lowerBound]
            guard before.isEmpty || before.hasSuffix(": ") else { return nil }
            let rest = line[mark.upperBound...]
            guard let close = rest.firstIndex(of: "]"), rest[close...].hasPrefix("]: ") else { return nil }
            let digits = rest[..<close]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let location = before.isEmpty ? nil : String(before.dropLast(2))
            return Parts(code: "FC" + digits, location: location, message: String(rest[close...].dropFirst(3)))
        }
        for prefix in ["error: ", "Error: "] where line.hasPrefix(prefix) {
            return Parts(code: nil, location: nil, message: String(line.dropFirst(prefix.count)))
        }
        return nil
    }

    /// The object for a command that returned `exit`, from the first error line it wrote.
    static func object(errorLine: String?, exit: Int32) -> String {
        let parts = errorLine.flatMap(Self.parts)
            ?? Parts(code: nil, location: nil, message: "the command failed (exit \(exit)); standard error says why")
        var error: [String: Any] = ["code": parts.code.map { $0 as Any } ?? NSNull(), "exit": Int(exit), "message": parts.message]
        if let location = parts.location { error["location"] = location }
        let data = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// `line` without terminal colour sequences (`ESC [ … m`).
    static func withoutColour(_ line: String) -> String {
        guard line.contains("\u{1B}") else { return line }
        var out = ""
        var scalars = line.unicodeScalars.makeIterator()
        while let c = scalars.next() {
            if c == "\u{1B}" {
                while let d = scalars.next(), !(d.properties.isAlphabetic) {}
                continue
            }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
