/// An exact decimal number of a view: a money amount or a decimal field as the host wrote it in
/// the `fields` JSON (`12345678901234567`, `100000000000000.01`), kept as `value × 10^18` in 128
/// bits, so that every value of the template language (18 places, a 64-bit significand) is held
/// exactly, and sums of them have room to spare.
///
/// Why not `Double`: SQLite's `json_extract` reads such a number as a binary float, which has
/// only 15 to 17 significant digits: `12345678901234567` and `…568` read as the same float, and
/// `100000000000000.01` as `…0.015625`. A view compares, sorts, groups and sums these exactly
/// (``ViewOperand/decimal(_:column:)``, ``ViewMeasure/decimalSum(_:)``).
public struct ViewDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The value × 10^18.
    public let scaled: Int128

    /// The number of places kept.
    public static let places = 18
    static let unit: Int128 = 1_000_000_000_000_000_000

    public init(scaled: Int128) { self.scaled = scaled }

    /// An integer, exactly.
    public init(_ integer: Int64) { scaled = Int128(integer) * Self.unit }

    /// Reads a JSON number (`-12.50`, `3`, `1.5e3`); nil when it is not one, has a digit beyond
    /// 18 places, or is too large (over about 1.7 × 10^20).
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard let value = text.withUTF8({ ViewDecimal(utf8: $0) }) else { return nil }
        self = value
    }

    /// ``init(_:)`` of UTF-8 bytes, without allocating: what SQLite's functions call for every
    /// row they read.
    public init?(utf8 b: UnsafeBufferPointer<UInt8>) {
        let zero = UInt8(ascii: "0")
        var i = 0
        let negative = i < b.count && b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var value: Int128 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        while i < b.count {
            let c = b[i]
            if c >= zero && c <= zero + 9 {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int128(c - zero))
                guard !o1, !o2 else { return nil }
                value = plus
                digits += 1
                if seenPoint { fractionDigits += 1 }
            } else if c == UInt8(ascii: "."), !seenPoint, digits > 0 {
                seenPoint = true
                digits = 0
            } else {
                break
            }
            i += 1
        }
        // Digits on both sides of a point, as JSON writes a number.
        guard digits > 0 else { return nil }
        var exponent = 0
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                exponentNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var exponentDigits = 0
            while i < b.count, b[i] >= zero, b[i] <= zero + 9 {
                exponent = exponent * 10 + Int(b[i] - zero)
                exponentDigits += 1
                guard exponent <= 60 else { return nil }
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard i == b.count else { return nil }
        // value × 10^(exponent − fraction digits) × 10^18, exactly or not at all.
        let shift = Self.places + exponent - fractionDigits
        guard shift.magnitude < Self.powersOfTen.count else {
            guard value == 0 else { return nil }
            scaled = 0
            return
        }
        if shift >= 0 {
            let (times, overflow) = value.multipliedReportingOverflow(by: Self.powersOfTen[shift])
            guard !overflow else { return nil }
            value = times
        } else {
            let (quotient, remainder) = value.quotientAndRemainder(dividingBy: Self.powersOfTen[-shift])
            guard remainder == 0 else { return nil }
            value = quotient
        }
        scaled = negative ? -value : value
    }

    /// The shortest decimal that reads back as `x` (`1.005` for the float nearest 1.005): the
    /// number a host wrote, when it had at most 15 significant digits. Nil for infinities, NaN
    /// and numbers beyond the decimals.
    public init?(shortest x: Double) {
        guard x.isFinite else { return nil }
        // Up to 15 bytes, Swift keeps the text inline: no allocation per row summed.
        var text = x.description
        guard let value = text.withUTF8({ ViewDecimal(utf8: $0) }) else { return nil }
        self = value
    }

    /// 10^0 … 10^38, the powers of ten an `Int128` holds.
    static let powersOfTen: [Int128] = {
        var table: [Int128] = [1]
        for _ in 1...38 { table.append(table[table.count - 1] * 10) }
        return table
    }()

    public static func < (a: ViewDecimal, b: ViewDecimal) -> Bool { a.scaled < b.scaled }

    /// The sum; nil when it overflows.
    public func adding(_ other: ViewDecimal) -> ViewDecimal? {
        let (sum, overflow) = scaled.addingReportingOverflow(other.scaled)
        return overflow ? nil : ViewDecimal(scaled: sum)
    }

    /// Plain notation without trailing zeros: `-12.5`, `100`, `0.000001`.
    public var description: String {
        var digits = String(scaled.magnitude)
        if digits.count <= Self.places { digits = String(repeating: "0", count: Self.places - digits.count + 1) + digits }
        let split = digits.index(digits.endIndex, offsetBy: -Self.places)
        var fraction = digits[split...]
        while fraction.last == "0" { fraction = fraction.dropLast() }
        let text = fraction.isEmpty ? String(digits[..<split]) : digits[..<split] + "." + fraction
        return scaled < 0 ? "-" + text : text
    }

    /// The nearest binary float (what SQLite compares when it reads the number itself).
    public var double: Double { Double(description) ?? 0 }

    /// Whether the value has no fraction.
    public var isInteger: Bool { scaled % Self.unit == 0 }

    /// The largest integer not above the value, and the smallest not below it (nil when they do
    /// not fit 64 bits).
    public var floor: Int64? {
        let q = scaled / Self.unit
        let f = scaled < 0 && scaled % Self.unit != 0 ? q - 1 : q
        return Int64(exactly: f)
    }
    public var ceiling: Int64? {
        let q = scaled / Self.unit
        let c = scaled > 0 && scaled % Self.unit != 0 ? q + 1 : q
        return Int64(exactly: c)
    }

    /// Sixteen bytes whose byte order (`memcmp`, SQLite's order of blobs) is the numeric order:
    /// the value in big-endian two's complement with the sign bit flipped.
    public var key: [UInt8] {
        let bits = UInt128(bitPattern: scaled) ^ (UInt128(1) << 127)
        return (0..<16).map { UInt8(truncatingIfNeeded: bits >> (8 * (15 - $0))) }
    }

    /// The value of a ``key``; nil when the bytes are not one.
    public init?(key bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var bits: UInt128 = 0
        for b in bytes { bits = bits << 8 | UInt128(b) }
        scaled = Int128(bitPattern: bits ^ (UInt128(1) << 127))
    }
}
