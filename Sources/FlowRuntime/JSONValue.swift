/// A JSON document as scenario files use it: object keys keep their order and numbers keep their
/// text, so `0.1` is read as exactly 0.1. Other front ends (a YAML reader in the CLI) can build
/// the same tree and reuse ``Scenario/parse(_:)``.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number as written (`-12.50`, `3`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): for (k, v) in o { hasher.combine(k); hasher.combine(v) }
        }
    }

    /// The value under `key` of an object (the first, should a key repeat; the parser refuses repeats).
    public subscript(key: String) -> JSONValue? {
        if case .object(let entries) = self { return entries.first { $0.key == key }?.value }
        return nil
    }

    /// The deepest nesting a parsed document may have.
    public static let maxDepth = 64

    /// Parses UTF-8 JSON (RFC 8259), refusing duplicate keys, nesting deeper than ``maxDepth``
    /// and trailing content.
    public static func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONParseError> {
        var p = JSONParser(bytes: bytes)
        do throws(JSONParseError) {
            p.skipSpace()
            let value = try p.value(depth: 0)
            let end = p.i
            p.skipSpace()
            if p.i < bytes.count {
                // JSON counts a CR as a blank: a file whose lines end in CR alone is one line.
                if bytes[end..<p.i].contains(0x0D) && !bytes[end..<p.i].contains(0x0A) {
                    throw p.error("unexpected content after the document, after a carriage return alone (CR): lines must end in LF or CRLF")
                }
                throw p.error("unexpected content after the document")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

/// Why a JSON document could not be read: a message and the byte offset.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "byte \(offset): \(message)" }
}

private struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    func error(_ message: String) -> JSONParseError { JSONParseError(offset: i, message: message) }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func expect(_ word: String) throws(JSONParseError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw error("expected `\(word)`") }
        i += w.count
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth) levels") }
        guard i < bytes.count else { throw error("unexpected end of the document") }
        switch bytes[i] {
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            i += 1
            var elements: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    skipSpace()
                    if i < bytes.count, bytes[i] == UInt8(ascii: "]") { throw error("a `,` before `]`: JSON allows no comma after the last item; remove it") }
                    continue
                }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
                throw error("expected `,` or `]`")
            }
        case UInt8(ascii: "{"):
            i += 1
            var entries: [(key: String, value: JSONValue)] = []
            // The keys seen, for the duplicate check once an object has more than a few (a list
            // searched for each key made one line of 80,000 keys take 30 s: review of the inputs, I11).
            var seen: Set<String> = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(entries) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    // A comma before the end (the last entry's), or a key in single quotes.
                    if i < bytes.count, bytes[i] == UInt8(ascii: "}"), !entries.isEmpty {
                        throw error("a `,` before `}`: JSON allows no comma after the last entry; remove it")
                    }
                    if i < bytes.count, bytes[i] == UInt8(ascii: "'"), let end = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "'")),
                       end - i <= 65, let key = String(validating: bytes[(i + 1)..<end], as: UTF8.self), !key.contains("\"") {
                        throw error("expected a key: JSON writes keys and texts in double quotes, `\"\(key)\"`")
                    }
                    throw error("expected a key")
                }
                let at = i
                let key = try string()
                if entries.count < 16 {
                    if entries.contains(where: { $0.key == key }) { throw JSONParseError(offset: at, message: "duplicate key `\(key)`") }
                } else {
                    if seen.isEmpty { seen = Set(entries.map(\.key)) }
                    guard seen.insert(key).inserted else { throw JSONParseError(offset: at, message: "duplicate key `\(key)`") }
                }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected `:`") }
                i += 1
                skipSpace()
                entries.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw error("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(entries) }
                throw error("expected `,` or `}`")
            }
        default:
            return .number(try number())
        }
    }

    mutating func number() throws(JSONParseError) -> String {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() > 0 else { throw JSONParseError(offset: start, message: "expected a value") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw error("expected digits after `.`") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error("expected digits in the exponent") }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("short `\\u` escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("bad hex digit in `\\u` escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    mutating func string() throws(JSONParseError) -> String {
        i += 1  // the opening quote
        let start = i
        // Most strings (every key, most values) have no escape: they are validated and made in
        // one go from the input, instead of byte by byte.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            let end = i
            i += 1
            let text = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
            guard let text else { throw error("invalid UTF-8") }
            return text
        }
        // An escape, a control character or the end of the input: the general loop, from here.
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw error("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid code point") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("unknown escape")
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8") }
        return text
    }
}
