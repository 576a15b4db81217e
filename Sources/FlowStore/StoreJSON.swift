/// A small JSON reader and writer for the projection columns, so that ``InMemoryStore`` can read
/// them exactly as SQLite's `json_extract` does (true and false become 1 and 0, numbers keep
/// integer or real; ``viewValue``), and views can also read a number exactly as written
/// (``decimal(_:)``); and the host writes them without an encoder per append.
public enum StoreJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// A number with a fraction (or beyond 64 bits), exactly as written.
    case decimal(ViewDecimal)
    /// A number that is not a ``ViewDecimal`` (beyond 18 places, or huge).
    case real(Double)
    case text(String)
    case array([StoreJSON])
    case object([String: StoreJSON])

    /// `text` as a JSON string literal (quotes, escapes; non-ASCII kept as UTF-8): `"`, `\\`,
    /// newline, carriage return and tab as two-character escapes, the other control characters
    /// as `\u00xx` (lowercase hex), everything else as is.
    ///
    /// Works on the UTF-8 bytes (every byte that needs an escape is ASCII): one scan, and text
    /// that needs no escape (nearly all of it) is copied into the result in one go. The host
    /// quotes every id, status and text of a deal's view columns with it.
    public static func quoted(_ text: String) -> String {
        var text = text
        return text.withUTF8 { b in
            var clean = true
            for byte in b where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                clean = false
                break
            }
            if clean {
                return String(unsafeUninitializedCapacity: b.count + 2) { out in
                    out[0] = 0x22
                    _ = UnsafeMutableBufferPointer(rebasing: out[1..<(b.count + 1)]).initialize(fromContentsOf: b)
                    out[b.count + 1] = 0x22
                    return b.count + 2
                }
            }
            return String(decoding: quoted(bytes: b), as: UTF8.self)
        }
    }

    /// ``quoted(_:)`` of bytes, which are copied as they are but for the escapes: bytes that
    /// are not UTF-8 stay as written (a rejects file keeps a record's bytes so).
    public static func quoted(bytes b: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = [0x22]
        out.reserveCapacity(b.count + 16)
        let hex: StaticString = "0123456789abcdef"
        for byte in b {
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return out
    }

    /// Parses JSON text; nil when it is not JSON.
    public static func parse(_ text: String) -> StoreJSON? {
        var parser = Parser(bytes: Array(text.utf8))
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        return parser.position == parser.bytes.count ? value : nil
    }

    /// The value as `json_extract` returns it: a scalar, or nil for null, arrays and objects.
    public var viewValue: ViewValue {
        switch self {
        case .null, .array, .object: .null
        case .bool(let b): .integer(b ? 1 : 0)
        case .integer(let i): .integer(i)
        case .decimal(let d): .real(d.double)
        case .real(let r): .real(r)
        case .text(let t): .text(t)
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        var depth = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func value() -> StoreJSON? {
            skipSpace()
            guard position < bytes.count, depth < 64 else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string().map(StoreJSON.text)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ word: String, _ value: StoreJSON) -> StoreJSON? {
            let w = Array(word.utf8)
            guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else { return nil }
            position += w.count
            return value
        }

        mutating func number() -> StoreJSON? {
            let start = position
            var isReal = false
            while position < bytes.count {
                let b = bytes[position]
                if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                    position += 1
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    isReal = true
                    position += 1
                } else {
                    break
                }
            }
            guard position > start else { return nil }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if !isReal, let i = Int64(text) { return .integer(i) }
            if let d = ViewDecimal(text) { return .decimal(d) }
            return Double(text).map(StoreJSON.real)
        }

        mutating func string() -> String? {
            position += 1
            var out: [UInt8] = []
            while position < bytes.count {
                let b = bytes[position]
                position += 1
                if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard b == UInt8(ascii: "\\") else { out.append(b); continue }
                guard position < bytes.count else { return nil }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return nil }
                    var scalarValue = unit
                    if unit >= 0xD800, unit < 0xDC00, position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    {
                        position += 2
                        guard let low = hex4() else { return nil }
                        scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: out.append(e)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= bytes.count,
                let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
            else { return nil }
            position += 4
            return v
        }

        mutating func array() -> StoreJSON? {
            position += 1
            depth += 1
            defer { depth -= 1 }
            var items: [StoreJSON] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                guard let item = value() else { return nil }
                items.append(item)
                skipSpace()
                guard position < bytes.count else { return nil }
                let b = bytes[position]
                position += 1
                if b == UInt8(ascii: "]") { return .array(items) }
                guard b == UInt8(ascii: ",") else { return nil }
            }
        }

        mutating func object() -> StoreJSON? {
            position += 1
            depth += 1
            defer { depth -= 1 }
            var members: [String: StoreJSON] = [:]
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
                position += 1
                guard let item = value() else { return nil }
                members[key] = item
                skipSpace()
                guard position < bytes.count else { return nil }
                let b = bytes[position]
                position += 1
                if b == UInt8(ascii: "}") { return .object(members) }
                guard b == UInt8(ascii: ",") else { return nil }
            }
        }
    }
}
