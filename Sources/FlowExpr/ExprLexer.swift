import FlowDiagnostics

/// Keywords of the expression language.
enum Keyword: String, Sendable, CaseIterable {
    case `true`, `false`, null, and, or, not, `in`
}

/// Punctuation and operators, including the look-alikes from other languages (`&&`, `=`, `!`)
/// that the parser rejects with a help line.
enum Symbol: String, Sendable {
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", comma = ","
    case equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case equal = "=", bang = "!", ampAmp = "&&", amp = "&", pipePipe = "||", pipe = "|"
}

enum TokenKind: Sendable, Hashable {
    case integer(Int64)
    case decimal(ExprDecimal)
    case money(ExprDecimal, currency: String)
    case duration(seconds: Int64)
    case text(String)
    /// A name or dotted path: a field, or a function when followed by `(`.
    case name(String)
    case keyword(Keyword)
    case symbol(Symbol)
    /// `9223372036854775808`, the magnitude of the smallest integer: an integer only right
    /// after a minus sign (`-9223372036854775808`); anywhere else FC0404 (the parser decides).
    case smallestIntegerMagnitude
    case end
    /// A lexical error; the token carries its diagnostic and ends the token stream.
    case error(ExprDiagnostic)
}

struct Token: Sendable, Hashable {
    var kind: TokenKind
    var range: Range<Int>
}

/// Turns expression bytes into tokens. The stream always ends with `.end` or with one `.error`
/// token (lexing stops at the first lexical error, so the parser reports errors in source order).
struct ExprLexer {
    private let bytes: [UInt8]
    private let limits: ExprLimits
    private var i = 0

    init(bytes: [UInt8], limits: ExprLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Every token of the input.
    static func tokenize(_ bytes: [UInt8], limits: ExprLimits) -> [Token] {
        var lexer = ExprLexer(bytes: bytes, limits: limits)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            switch token.kind {
            case .end, .error: return tokens
            default: continue
            }
        }
    }

    // MARK: Character classes

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    private static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    private static func isWordStart(_ b: UInt8) -> Bool { isLower(b) || isUpper(b) || b == 0x5F }
    private static func isWord(_ b: UInt8) -> Bool { isWordStart(b) || isDigit(b) }
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[max(0, range.lowerBound)..<min(range.upperBound, bytes.count)], as: UTF8.self)
    }

    /// The end of a run of word characters starting at `from`.
    private func wordEnd(from: Int) -> Int {
        var j = from
        while let b = byte(at: j), Self.isWord(b) { j += 1 }
        return j
    }

    private func error(_ spec: MessageSpec, _ range: Range<Int>, _ arguments: [String] = [], help: Message? = nil) -> Token {
        Token(kind: .error(ExprDiagnostic(spec, at: range, arguments, help: help)), range: range)
    }

    // MARK: Tokens

    mutating func next() -> Token {
        while let b = byte(at: i), Self.isSpace(b) { i += 1 }
        guard let b = byte(at: i) else { return Token(kind: .end, range: bytes.count..<bytes.count) }
        if Self.isDigit(b) { return number() }
        if Self.isWordStart(b) { return name() }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { return string(quote: b) }
        return symbol()
    }

    private mutating func symbol() -> Token {
        let start = i
        let b = bytes[i]
        let next = byte(at: i + 1)
        func take(_ symbol: Symbol, _ length: Int) -> Token {
            i += length
            return Token(kind: .symbol(symbol), range: start..<i)
        }
        switch b {
        case UInt8(ascii: "+"): return take(.plus, 1)
        case UInt8(ascii: "-"): return take(.minus, 1)
        case UInt8(ascii: "*"): return take(.star, 1)
        case UInt8(ascii: "/"): return take(.slash, 1)
        case UInt8(ascii: "%"): return take(.percent, 1)
        case UInt8(ascii: "("): return take(.leftParen, 1)
        case UInt8(ascii: ")"): return take(.rightParen, 1)
        case UInt8(ascii: "["): return take(.leftBracket, 1)
        case UInt8(ascii: "]"): return take(.rightBracket, 1)
        case UInt8(ascii: ","): return take(.comma, 1)
        case UInt8(ascii: "="): return next == UInt8(ascii: "=") ? take(.equalEqual, 2) : take(.equal, 1)
        case UInt8(ascii: "!"): return next == UInt8(ascii: "=") ? take(.bangEqual, 2) : take(.bang, 1)
        case UInt8(ascii: "<"): return next == UInt8(ascii: "=") ? take(.lessEqual, 2) : take(.less, 1)
        case UInt8(ascii: ">"): return next == UInt8(ascii: "=") ? take(.greaterEqual, 2) : take(.greater, 1)
        case UInt8(ascii: "&"): return next == UInt8(ascii: "&") ? take(.ampAmp, 2) : take(.amp, 1)
        case UInt8(ascii: "|"): return next == UInt8(ascii: "|") ? take(.pipePipe, 2) : take(.pipe, 1)
        case UInt8(ascii: ".") where next.map(Self.isDigit) ?? false:
            // `.5`: a number without its integer part.
            i += 1
            while let d = byte(at: i), Self.isDigit(d) { i += 1 }
            return error(ExprMessages.invalidNumber, start..<i, [text(start..<i)],
                         help: Message(ExprMessages.Help.leadingZero, ["0" + text(start..<i)]))
        default:
            let length = min(SourceFile.scalarLength(leadByte: b), bytes.count - start)
            let range = start..<(start + length)
            i = range.upperBound
            let character = text(range)
            // Curly quotes, as a Chinese input method types them (and `"` would end the YAML string).
            let curly: Set<Character> = ["\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}", "\u{300C}", "\u{300D}"]
            var help: Message?
            if let c = character.first, curly.contains(c) {
                // The author's expression with its quotes made straight (but for an apostrophe
                // in it, which the example would turn into the end of the text).
                let source = String(decoding: bytes, as: UTF8.self)
                let trimmed = source.trimmingCharacters(in: .whitespaces)
                let inner = trimmed.dropFirst().dropLast()
                if let first = trimmed.first, let last = trimmed.last, trimmed.count > 2, ["\u{201C}", "\u{2018}"].contains(first),
                   ["\u{201D}", "\u{2019}"].contains(last), !inner.contains(where: curly.contains) {
                    // The whole expression in typographic quotes, meant as YAML's (QA round 44,
                    // A6: the help spoke of string literals inside it).
                    help = Message(ExprMessages.Help.curlyQuotedWhole, [String(first), String(last), String(inner)])
                } else if source.contains("'") {
                    help = Message(ExprMessages.Help.curlyQuotePlain, [character])
                } else {
                    help = Message(ExprMessages.Help.curlyQuote, [character, String(source.map { curly.contains($0) ? "'" : $0 })])
                }
            } else if character == "万" || character == "亿", let number = Self.chineseMultiple(bytes[..<start], by: character == "万" ? 4 : 8) {
                // `200万`: ten thousands, as a sales team writes amounts (QA round 22).
                help = Message(ExprMessages.Help.chineseMultiple, [number.written + character, number.value])
            } else if let keyword = Self.chineseKeywords[character] {
                // `… 或 custom_build` (QA round 23).
                help = Message(ExprMessages.Help.useKeyword, [keyword])
            } else if let scalar = character.unicodeScalars.first {
                help = Self.characterHelp(scalar)
                // `owner == 刘芳`: words outside quotes, a text meant (QA round 24).
                if help == nil, scalar.properties.isAlphabetic {
                    var end = range.upperBound
                    while end < bytes.count, bytes[end] >= 0x80,
                          let next = String(decoding: bytes[end..<min(bytes.count, end + SourceFile.scalarLength(leadByte: bytes[end]))], as: UTF8.self).unicodeScalars.first,
                          next.properties.isAlphabetic {
                        end += SourceFile.scalarLength(leadByte: bytes[end])
                    }
                    help = Message(ExprMessages.Help.quoteText, [text(start..<min(end, bytes.count))])
                }
            }
            return error(ExprMessages.unexpectedCharacter, range, [Self.visible(character)], help: help)
        }
    }

    /// The number written just before `万` or `亿` (`200`, `1.5`) and its value in plain digits
    /// (`2000000`, `15000`), `zeros` being 4 or 8; nil when no number is there or it is not whole.
    static func chineseMultiple(_ before: ArraySlice<UInt8>, by zeros: Int) -> (written: String, value: String)? {
        let written = String(decoding: before.reversed().prefix { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }.reversed(), as: UTF8.self)
        let parts = written.split(separator: ".", omittingEmptySubsequences: false)
        guard !written.isEmpty, parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || (!parts[1].isEmpty && parts[1].count <= zeros) else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        var value = String(parts[0]) + fraction + String(repeating: "0", count: zeros - fraction.count)
        while value.count > 1, value.first == "0" { value.removeFirst() }
        return (written, value)
    }

    /// The logical words written in Chinese, and the keyword for each (the first character of
    /// `或者`, `并且`, `而且` is the one reported).
    static let chineseKeywords: [String: String] = ["或": "or", "且": "and", "并": "and", "而": "and", "和": "and", "与": "and", "非": "not"]

    /// Punctuation a Chinese input method types in place of ASCII, beyond the full-width forms
    /// (U+FF01–U+FF5E) that `CharacterNames.asciiLookAlike` knows.
    private static let cjkPunctuation: [Unicode.Scalar: Character] = [
        "\u{3010}": "[", "\u{3011}": "]", "\u{3001}": ",", "\u{3002}": ".",
    ]

    /// The comparison signs of mathematics, and the operator an expression writes for each.
    private static let mathComparisons: [Unicode.Scalar: String] = [
        "\u{2265}": ">=", "\u{2264}": "<=", "\u{2260}": "!=", "\u{2A7E}": ">=", "\u{2A7D}": "<=",
        "\u{2266}": "<=", "\u{2267}": ">=",
    ]

    /// What an unexpected character is, for the help line: the look-alike of an ASCII
    /// character (`（` for `(`), or an invisible one named by its code point, since the message
    /// can only show it escaped.
    private static func characterHelp(_ scalar: Unicode.Scalar) -> Message? {
        // Comparison signs from a maths keyboard or an input method (`≥`, `≤`, `≠`).
        if let op = mathComparisons[scalar] {
            return Message(ExprMessages.Help.mathComparison, [CharacterNames.describe(scalar), op])
        }
        if let ascii = CharacterNames.asciiLookAlike(scalar) ?? cjkPunctuation[scalar] {
            let named = CharacterNames.describe(scalar)
            // `＆` and `｜` stand for `&` and `|`, which are not operators here either.
            switch ascii {
            // `15％`: writing `%` instead would be the remainder operator, no percentage either.
            case "%": return Message(ExprMessages.Help.fullWidthPercent, [named])
            case "&": return Message(ExprMessages.Help.lookAlikeOperator, [named, "and"])
            case "|": return Message(ExprMessages.Help.lookAlikeOperator, [named, "or"])
            default: return Message(ExprMessages.Help.lookAlike, [named, String(ascii)])
            }
        }
        guard CharacterNames.isInvisible(scalar), !scalar.isASCII else { return nil }
        let named = CharacterNames.codePoint(scalar)
        return scalar.properties.generalCategory == .spaceSeparator
            ? Message(ExprMessages.Help.invisibleSpace, [named])
            : Message(ExprMessages.Help.invisibleCharacter, [named])
    }

    /// Control and invisible characters are shown escaped, so that the message shows them and
    /// stays on one line.
    private static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || CharacterNames.isInvisible(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private mutating func name() -> Token {
        let start = i
        var end = wordEnd(from: i)
        // Dotted paths: `a.b`, only when a word follows the dot.
        while byte(at: end) == UInt8(ascii: "."), let b = byte(at: end + 1), Self.isWordStart(b) {
            end = wordEnd(from: end + 1)
        }
        i = end
        let range = start..<end
        let word = text(range)
        if bytes[range].contains(where: Self.isUpper) {
            let lowered = word.lowercased()
            // Another language's literal (`None`, `NULL`, `True`, `YES`): the literal meant.
            let literal: String? = switch lowered {
            case "none", "nil", "null": "null"
            case "true", "yes": "true"
            case "false", "no": "false"
            default: nil
            }
            let help = if let literal {
                Message(ExprMessages.Help.useKeyword, [literal])
            } else if Keyword(rawValue: lowered) != nil {
                Message(ExprMessages.Help.useKeyword, [lowered])
            } else {
                Message(ExprMessages.Help.nameIsLowercase, [lowered])
            }
            return error(ExprMessages.invalidName, range, [word], help: help)
        }
        if let keyword = Keyword(rawValue: word) { return Token(kind: .keyword(keyword), range: range) }
        return Token(kind: .name(word), range: range)
    }

    // MARK: Numbers, durations, money

    private mutating func number() -> Token {
        let start = i
        var j = i
        while let b = byte(at: j), Self.isDigit(b) { j += 1 }
        var isDecimal = false
        if byte(at: j) == UInt8(ascii: ".") {
            guard let b = byte(at: j + 1), Self.isDigit(b) else {
                i = j + 1
                return error(ExprMessages.invalidNumber, start..<i, [text(start..<i)])
            }
            isDecimal = true
            j += 1
            while let b = byte(at: j), Self.isDigit(b) { j += 1 }
        }
        if let b = byte(at: j), Self.isWord(b) {
            if !isDecimal, Self.unitSeconds(b) != nil { return duration(start: start) }
            let end = wordEnd(from: j)
            i = end
            let literal = text(start..<end)
            let suffix = text(j..<end)
            if isDecimal, end == j + 1, Self.unitSeconds(b) != nil {
                return error(ExprMessages.invalidDuration, start..<end, [literal],
                             help: Message(ExprMessages.Help.durationNoFraction))
            }
            if suffix.utf8.count == 3, suffix.utf8.allSatisfy(Self.isUpper) {
                return error(ExprMessages.invalidNumber, start..<end, [literal],
                             help: Message(ExprMessages.Help.spaceBeforeCurrency, [text(start..<j), suffix]))
            }
            return error(ExprMessages.invalidNumber, start..<end, [literal])
        }
        let literal = text(start..<j)
        let numberRange = start..<j
        i = j
        let kind: TokenKind
        if isDecimal {
            guard let value = ExprDecimal(literal) else {
                return error(ExprMessages.invalidNumber, numberRange, [literal], help: Message(ExprMessages.Help.decimalPrecision))
            }
            kind = .decimal(value)
        } else {
            guard let value = Int64(literal) else {
                if literal == Self.smallestIntegerMagnitude, !currencyFollows() {
                    return Token(kind: .smallestIntegerMagnitude, range: numberRange)
                }
                return error(ExprMessages.invalidNumber, numberRange, [literal], help: Message(ExprMessages.Help.integerRange))
            }
            kind = .integer(value)
        }
        return currency(after: Token(kind: kind, range: numberRange))
    }

    /// The digits of `-Int64.min`, which only a minus sign in front makes an integer.
    static let smallestIntegerMagnitude = "9223372036854775808"

    /// Whether whitespace and an uppercase word follow: a currency, for `currency(after:)`.
    private func currencyFollows() -> Bool {
        var j = i
        while let b = byte(at: j), Self.isSpace(b) { j += 1 }
        return j > i && byte(at: j).map(Self.isUpper) == true
    }

    /// A number followed by whitespace and an uppercase word is money (`100000 CNY`). Uppercase
    /// keywords (`AND`) are left alone for the name rule to reject with a better message.
    private mutating func currency(after number: Token) -> Token {
        var j = i
        while let b = byte(at: j), Self.isSpace(b) { j += 1 }
        guard j > i, let b = byte(at: j), Self.isUpper(b) else { return number }
        let end = wordEnd(from: j)
        let word = text(j..<end)
        if Keyword(rawValue: word.lowercased()) != nil { return number }
        i = end
        guard word.utf8.count == 3, word.utf8.allSatisfy(Self.isUpper) else {
            return error(ExprMessages.invalidCurrency, j..<end, [word], help: Message(ExprMessages.Help.currencyIsUppercase, ["CNY"]))
        }
        // Three letters, but no ISO 4217 code: `RMB` passed here and failed later as another
        // currency than the field's (QA round 22), where a field's `currency: RMB` is refused.
        guard CurrencyCodes.iso4217.contains(word) else {
            let help = CurrencyCodes.commonNames[word].map {
                Message(ExprMessages.Help.currencyCommonName, [word, text(number.range) + " " + $0])
            } ?? Message(ExprMessages.Help.currencyNotISO, [])
            return error(ExprMessages.invalidCurrency, j..<end, [word], help: help)
        }
        let amount: ExprDecimal
        switch number.kind {
        case .integer(let value): amount = ExprDecimal(value)
        case .decimal(let value): amount = value
        default: return number
        }
        return Token(kind: .money(amount, currency: word), range: number.range.lowerBound..<end)
    }

    private static func unitSeconds(_ b: UInt8) -> Int64? {
        switch b {
        case UInt8(ascii: "w"): 604_800
        case UInt8(ascii: "d"): 86_400
        case UInt8(ascii: "h"): 3_600
        case UInt8(ascii: "m"): 60
        default: nil
        }
    }

    /// `30d`, `1d12h`: parts from the largest unit to the smallest, each unit at most once.
    private mutating func duration(start: Int) -> Token {
        var j = start
        var total: Int64 = 0
        var previousUnit: Int64 = .max
        var valid = true
        var help: Message?
        while let b = byte(at: j), Self.isDigit(b) {
            let digitsStart = j
            while let d = byte(at: j), Self.isDigit(d) { j += 1 }
            guard let unit = byte(at: j), let seconds = Self.unitSeconds(unit) else {
                valid = false
                break
            }
            let count = Int64(text(digitsStart..<j))
            j += 1
            if seconds >= previousUnit {
                valid = false
                help = Message(ExprMessages.Help.durationUnits)
            }
            previousUnit = seconds
            guard let count else {
                valid = false
                continue
            }
            let (part, overflow1) = count.multipliedReportingOverflow(by: seconds)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            if overflow1 || overflow2 { valid = false }
            total = sum
        }
        // Anything glued on (`30days`, `3d4`) makes the whole word invalid.
        if let b = byte(at: j), Self.isWord(b) {
            valid = false
            j = wordEnd(from: j)
        }
        i = j
        guard valid else {
            return error(ExprMessages.invalidDuration, start..<j, [text(start..<j)],
                         help: help ?? Message(ExprMessages.Help.durationUnits))
        }
        return Token(kind: .duration(seconds: total), range: start..<j)
    }

    // MARK: Strings

    private mutating func string(quote: UInt8) -> Token {
        let start = i
        var j = i + 1
        var content: [UInt8] = []
        let quoteText = String(decoding: [quote], as: UTF8.self)
        while true {
            guard let b = byte(at: j), b != 0x0A, b != 0x0D else {
                i = j
                return error(ExprMessages.unterminatedString, start..<j, help: Message(ExprMessages.Help.closeString, [quoteText]))
            }
            if b == quote {
                j += 1
                break
            }
            if b != UInt8(ascii: "\\") {
                content.append(b)
                j += 1
                continue
            }
            let escapeStart = j
            guard let e = byte(at: j + 1), e != 0x0A, e != 0x0D else {
                i = j + 1
                return error(ExprMessages.unterminatedString, start..<(j + 1), help: Message(ExprMessages.Help.closeString, [quoteText]))
            }
            j += 2
            switch e {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): content.append(e)
            case UInt8(ascii: "n"): content.append(0x0A)
            case UInt8(ascii: "t"): content.append(0x09)
            case UInt8(ascii: "u"):
                guard let scalar = unicodeEscape(&j) else {
                    i = j
                    return invalidEscape(escapeStart..<j)
                }
                content.append(contentsOf: String(Character(scalar)).utf8)
            default:
                // Include the whole (possibly multi-byte) character after the backslash.
                j = escapeStart + 1 + min(SourceFile.scalarLength(leadByte: e), bytes.count - escapeStart - 1)
                i = j
                return invalidEscape(escapeStart..<j)
            }
        }
        i = j
        let range = start..<j
        if content.count > limits.maxStringBytes {
            return error(ExprMessages.stringTooLong, range, [String(limits.maxStringBytes)])
        }
        return Token(kind: .text(String(decoding: content, as: UTF8.self)), range: range)
    }

    private func invalidEscape(_ range: Range<Int>) -> Token {
        error(ExprMessages.invalidEscape, range, [Self.visible(text(range))], help: Message(ExprMessages.Help.escapes))
    }

    /// Reads `{XXXX}` after `\u`, advancing `j` past what it consumed.
    private func unicodeEscape(_ j: inout Int) -> Unicode.Scalar? {
        guard byte(at: j) == UInt8(ascii: "{") else { return nil }
        j += 1
        var value: UInt32 = 0
        var digits = 0
        while let b = byte(at: j), let digit = Self.hexValue(b) {
            j += 1
            digits += 1
            if digits > 6 { return nil }
            value = value * 16 + digit
        }
        guard digits > 0, byte(at: j) == UInt8(ascii: "}") else { return nil }
        j += 1
        return Unicode.Scalar(value)
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: UInt32(b - 0x30)
        case 0x41...0x46: UInt32(b - 0x41 + 10)
        case 0x61...0x66: UInt32(b - 0x61 + 10)
        default: nil
        }
    }
}
