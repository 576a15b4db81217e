/// An exact base-10 number: `significand × 10^-scale`, with a 64-bit significand and a scale of
/// 0…18. Used for decimals and money amounts, so that `0.1 + 0.2 == 0.3` holds.
///
/// Values are kept normalised (no trailing zeros in the significand when the scale is positive),
/// so equal numbers have equal representations and the synthesised `Hashable` is numeric.
///
/// Operations return nil on overflow instead of trapping. When an exact result has more than 18
/// decimal places, or more digits than fit the significand, it is rounded half-to-even to the
/// longest form that fits; only a result whose integer part does not fit is an overflow.
public struct ExprDecimal: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The digits, sign included.
    public let significand: Int64
    /// The number of digits after the decimal point, 0…18.
    public let scale: Int

    /// The largest scale a decimal can have.
    public static let maxScale = 18

    /// Zero.
    public static let zero = ExprDecimal(0)

    /// An integer as a decimal.
    public init(_ integer: Int64) {
        self.significand = integer
        self.scale = 0
    }

    /// An integer literal as a decimal.
    public init(integerLiteral value: Int64) {
        self.init(value)
    }

    /// `significand × 10^-scale`, normalised; nil if `scale` is outside 0…18.
    public init?(significand: Int64, scale: Int) {
        guard scale >= 0, scale <= Self.maxScale,
              let value = Self.fit(Int128(significand), scale: scale, exact: true) else { return nil }
        self = value
    }

    private init(raw significand: Int64, scale: Int) {
        self.significand = significand
        self.scale = scale
    }

    /// Parses `-?[0-9]+(\.[0-9]+)?`; nil for anything else or a value that does not fit exactly.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        var integerPart = bytes[...]
        var fractionPart = bytes[bytes.endIndex...]
        if let point = bytes.firstIndex(of: UInt8(ascii: ".")) {
            integerPart = bytes[..<point]
            fractionPart = bytes[(point + 1)...]
            guard !fractionPart.isEmpty else { return nil }
        }
        guard !integerPart.isEmpty, integerPart.allSatisfy(isDigit), fractionPart.allSatisfy(isDigit) else { return nil }
        // Leading zeros of the integer and trailing zeros of the fraction carry no value.
        while integerPart.first == UInt8(ascii: "0") { integerPart = integerPart.dropFirst() }
        while fractionPart.last == UInt8(ascii: "0") { fractionPart = fractionPart.dropLast() }
        guard integerPart.count + fractionPart.count <= 19, fractionPart.count <= Self.maxScale else { return nil }
        var digits: Int128 = 0
        for byte in integerPart { digits = digits * 10 + Int128(byte - UInt8(ascii: "0")) }
        for byte in fractionPart { digits = digits * 10 + Int128(byte - UInt8(ascii: "0")) }
        guard let value = Self.fit(negative ? -digits : digits, scale: fractionPart.count, exact: true) else { return nil }
        self = value
    }

    // MARK: Normalisation

    /// Powers of ten that fit in `Int128` (10^0 … 10^38).
    static let powersOfTen: [Int128] = {
        var table: [Int128] = [1]
        for _ in 1...38 { table.append(table[table.count - 1] * 10) }
        return table
    }()

    static func pow10(_ n: Int) -> Int128 { powersOfTen[max(0, min(n, 38))] }

    /// Divides `value` by 10^`digits`, rounding half to even (or half away from zero).
    static func dropDigits(_ value: Int128, _ digits: Int, halfAwayFromZero: Bool = false) -> Int128 {
        guard digits > 0 else { return value }
        if digits > 38 { return 0 }
        let divisor = pow10(digits)
        let quotient = value / divisor
        let remainder = value % divisor
        let twice = remainder.magnitude * 2
        let roundAway: Bool
        if twice > divisor.magnitude {
            roundAway = true
        } else if twice == divisor.magnitude {
            roundAway = halfAwayFromZero || quotient % 2 != 0
        } else {
            roundAway = false
        }
        guard roundAway else { return quotient }
        return value < 0 ? quotient - 1 : quotient + 1
    }

    /// Brings a wide intermediate into range: strips trailing zeros, rounds to at most 18 places,
    /// then drops further fraction digits until the significand fits 64 bits.
    /// - Parameter exact: when true, any rounding makes the result nil.
    static func fit(_ significand: Int128, scale: Int, exact: Bool = false) -> ExprDecimal? {
        var value = significand
        var scale = scale
        while scale > 0, value % 10 == 0 {
            value /= 10
            scale -= 1
        }
        if scale < 0 {
            guard scale >= -18 else { return value == 0 ? .zero : nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: pow10(-scale))
            guard !overflow else { return nil }
            value = product
            scale = 0
        }
        if scale > maxScale {
            if exact { return nil }
            value = dropDigits(value, scale - maxScale)
            scale = maxScale
        }
        while value > Int128(Int64.max) || value < Int128(Int64.min) {
            guard scale > 0, !exact else { return nil }
            value = dropDigits(value, 1)
            scale -= 1
        }
        // Rounding can leave new trailing zeros.
        while scale > 0, value % 10 == 0 {
            value /= 10
            scale -= 1
        }
        return ExprDecimal(raw: Int64(value), scale: scale)
    }

    // MARK: Arithmetic

    /// The two significands brought to a common scale, in 128 bits.
    private static func aligned(_ a: ExprDecimal, _ b: ExprDecimal) -> (Int128, Int128, Int) {
        let scale = max(a.scale, b.scale)
        return (Int128(a.significand) * pow10(scale - a.scale), Int128(b.significand) * pow10(scale - b.scale), scale)
    }

    /// The exact sum (rounded only if it needs more than 18 significant digits); nil on overflow.
    public func adding(_ other: ExprDecimal) -> ExprDecimal? {
        let (a, b, scale) = Self.aligned(self, other)
        return Self.fit(a + b, scale: scale)
    }

    /// The exact difference (rounded as for `adding`); nil on overflow.
    public func subtracting(_ other: ExprDecimal) -> ExprDecimal? {
        let (a, b, scale) = Self.aligned(self, other)
        return Self.fit(a - b, scale: scale)
    }

    /// The product, exact up to 18 places and 18 significant digits, else rounded half to even; nil on overflow.
    public func multiplied(by other: ExprDecimal) -> ExprDecimal? {
        Self.fit(Int128(significand) * Int128(other.significand), scale: scale + other.scale)
    }

    /// The quotient, to as many places as fit (at most 18), rounded half to even; nil when
    /// `other` is zero or the integer part overflows.
    public func divided(by other: ExprDecimal) -> ExprDecimal? {
        guard other.significand != 0 else { return nil }
        // (a × 10^-sa) / (b × 10^-sb) = (a / b) × 10^(sb - sa): long division of a by b, one
        // fraction digit at a time, until exact, 18 places, or the significand is full.
        let divisor = Int128(other.significand).magnitude
        let dividend = Int128(significand).magnitude
        var quotient = dividend / divisor
        var remainder = dividend % divisor
        var places = 0
        let shift = scale - other.scale  // the quotient's scale is places + shift
        while remainder != 0, places + shift < Self.maxScale, quotient <= UInt128(Int64.max) / 10 {
            remainder *= 10
            quotient = quotient * 10 + remainder / divisor
            remainder %= divisor
            places += 1
        }
        if remainder != 0 {
            let twice = remainder * 2
            if twice > divisor || (twice == divisor && quotient % 2 != 0) { quotient += 1 }
        }
        guard quotient <= UInt128(Int128.max) else { return nil }
        let negative = (significand < 0) != (other.significand < 0)
        let signed = negative ? -Int128(quotient) : Int128(quotient)
        return Self.fit(signed, scale: places + shift)
    }

    /// The negation; nil only for the most negative significand.
    public func negated() -> ExprDecimal? {
        guard significand != Int64.min else { return nil }
        return ExprDecimal(raw: -significand, scale: scale)
    }

    /// The absolute value; nil only for the most negative significand.
    public var magnitude: ExprDecimal? { significand < 0 ? negated() : self }

    /// Whether the value is zero.
    public var isZero: Bool { significand == 0 }
    /// Whether the value is below zero.
    public var isNegative: Bool { significand < 0 }

    /// Rounds to `places` decimal places (0…18), half away from zero, as people expect of `round`.
    public func rounded(places: Int) -> ExprDecimal? {
        let places = max(0, min(places, Self.maxScale))
        guard scale > places else { return self }
        return Self.fit(Self.dropDigits(Int128(significand), scale - places, halfAwayFromZero: true), scale: places)
    }

    /// The integer part (truncated toward zero).
    public var truncatedInteger: Int64 {
        Int64(Int128(significand) / Self.pow10(scale))
    }

    // MARK: Comparison and text

    /// Numeric order, whatever the scales.
    public static func < (a: ExprDecimal, b: ExprDecimal) -> Bool {
        let (x, y, _) = aligned(a, b)
        return x < y
    }

    /// Plain notation: `-12.5`, `100`, `0.000001`.
    public var description: String {
        let negative = significand < 0
        var digits = String(significand.magnitude)
        if scale > 0 {
            if digits.count <= scale {
                digits = String(repeating: "0", count: scale - digits.count + 1) + digits
            }
            let split = digits.index(digits.endIndex, offsetBy: -scale)
            digits = digits[..<split] + "." + digits[split...]
        }
        return negative ? "-" + digits : digits
    }
}
