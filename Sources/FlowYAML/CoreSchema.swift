/// YAML 1.2 core-schema resolution of plain scalars.
///
/// `null`, `Null`, `NULL`, `~` and the empty scalar are null; `true`/`false` in three casings are
/// booleans; decimal, `0o` octal and `0x` hexadecimal integers; decimal floats, `.inf`, `.nan`.
/// Everything else — including YAML 1.1's `yes`, `no`, `on`, `off` — is a string.
enum CoreSchema {
    static func resolve(_ b: ArraySlice<UInt8>) -> ScalarValue {
        switch classify(b) {
        case .null: return .null
        case .bool(let v): return .bool(v)
        case .numberOrString:
            let s = String(decoding: b, as: UTF8.self)
            return number(s) ?? .string(s)
        case .string: return .string(String(decoding: b, as: UTF8.self))
        }
    }

    /// Whether `resolve(b)` is a string, without building it when the first byte decides.
    static func isString(_ b: ArraySlice<UInt8>) -> Bool {
        switch classify(b) {
        case .null, .bool: return false
        case .numberOrString: return number(String(decoding: b, as: UTF8.self)) == nil
        case .string: return true
        }
    }

    /// What a plain scalar resolves to, as far as its bytes tell without parsing a number.
    private enum Plain {
        case null, bool(Bool), numberOrString, string
    }

    private static func classify(_ b: ArraySlice<UInt8>) -> Plain {
        guard let first = b.first else { return .null }
        // Most scalars start with a letter that cannot begin any non-string value. The bytes are
        // compared before any `String` is built: none of the words below has another spelling
        // under canonical equivalence, so comparing bytes is comparing strings.
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            if b.equals("null") || b.equals("Null") || b.equals("NULL") || b.equals("~") { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if b.equals("true") || b.equals("True") || b.equals("TRUE") { return .bool(true) }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if b.equals("false") || b.equals("False") || b.equals("FALSE") { return .bool(false) }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return .numberOrString
        default:
            break
        }
        return .string
    }

    private static func number(_ s: String) -> ScalarValue? {
        // Read on the string's own bytes rather than a copied array.
        var utf8 = s
        return utf8.withUTF8 { number(s, $0) }
    }

    /// - Parameter u: the UTF-8 bytes of `s`.
    private static func number(_ s: String, _ u: UnsafeBufferPointer<UInt8>) -> ScalarValue? {
        if s.hasPrefix("0o"), u.count > 2, u.dropFirst(2).allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
            return Int64(s.dropFirst(2), radix: 8).map(ScalarValue.int) ?? .float(Double.infinity)
        }
        if s.hasPrefix("0x"), u.count > 2, u.dropFirst(2).allSatisfy(\.isHexDigit) {
            return Int64(s.dropFirst(2), radix: 16).map(ScalarValue.int) ?? .float(Double.infinity)
        }
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        // [-+]?[0-9]+
        var i = 0
        if i < u.count, u[i] == 0x2D || u[i] == 0x2B { i += 1 }
        let digitsStart = i
        while i < u.count, u[i].isDigit { i += 1 }
        if i == u.count, i > digitsStart {
            // Out-of-range integers are still numbers: keep them as floats rather than strings.
            if let v = Int64(s) { return .int(v) }
            return Double(s).map(ScalarValue.float)
        }
        // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        i = digitsStart
        var mantissa = 0
        while i < u.count, u[i].isDigit { i += 1; mantissa += 1 }
        if i < u.count, u[i] == 0x2E {
            i += 1
            while i < u.count, u[i].isDigit { i += 1; mantissa += 1 }
        }
        guard mantissa > 0 else { return nil }
        if i < u.count, u[i] == 0x65 || u[i] == 0x45 {
            i += 1
            if i < u.count, u[i] == 0x2D || u[i] == 0x2B { i += 1 }
            let e = i
            while i < u.count, u[i].isDigit { i += 1 }
            guard i > e else { return nil }
        }
        guard i == u.count else { return nil }
        return Double(s).map(ScalarValue.float)
    }
}

extension ScalarValue {
    /// Whether a plain scalar's text has the form of a core-schema integer (`[-+]?[0-9]+`,
    /// `0o17`, `0x1F`). Such a text past 64 bits resolves to a float: it is still an integer,
    /// out of range, and messages say so.
    public static func isIntegerSyntax(_ text: String) -> Bool {
        if text.hasPrefix("0x") { return text.utf8.count > 2 && text.utf8.dropFirst(2).allSatisfy(\.isHexDigit) }
        if text.hasPrefix("0o") { return text.utf8.count > 2 && text.utf8.dropFirst(2).allSatisfy { $0 >= 0x30 && $0 <= 0x37 } }
        var body = text.utf8[...]
        if let sign = body.first, sign == 0x2D || sign == 0x2B { body = body.dropFirst() }
        return !body.isEmpty && body.allSatisfy(\.isDigit)
    }
}

extension ArraySlice<UInt8> {
    /// Byte-wise equality with an ASCII literal, without building a `String`.
    func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        var i = 0
        for b in self {
            if b != p[i] { return false }
            i += 1
        }
        return true
    }
}

extension UInt8 {
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isHexDigit: Bool { isDigit || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66) }
}
