import FlowDiagnostics

/// Parses expression text into an ``ExprTree``.
///
/// Recursive descent, one function per precedence level (see `grammar/expression.ebnf`). The
/// nesting depth is checked before every recursion, so hostile input (ten thousand `(`) ends in a
/// located FC0411 instead of a stack overflow. Parsing stops at the first error.
public enum ExprParser {
    /// Parses one expression.
    ///
    /// - Parameters:
    ///   - text: the expression, as taken out of the YAML scalar.
    ///   - limits: the bounds on length, depth, list size and string size.
    /// - Returns: the tree and its root, or no root and one diagnostic (FC0401–FC0413). Byte
    ///   ranges are UTF-8 offsets within `text`.
    public static func parse(_ text: String, limits: ExprLimits = .default) -> ParsedExpr {
        let bytes = Array(text.utf8)
        // Node ids are 32-bit; every node takes at least one byte, so this bound keeps them exact.
        let maxLength = min(limits.maxLength, Int(Int32.max))
        if bytes.count > maxLength {
            let diagnostic = ExprDiagnostic(
                ExprMessages.expressionTooLong, at: maxLength..<bytes.count,
                [String(bytes.count), String(maxLength)])
            return ParsedExpr(text: text, tree: ExprTree(), root: nil, diagnostics: [diagnostic])
        }
        var parser = Parser(tokens: ExprLexer.tokenize(bytes, limits: limits), bytes: bytes, limits: limits)
        do {
            let root = try parser.parseRoot()
            return ParsedExpr(text: text, tree: parser.tree, root: root, diagnostics: [])
        } catch {
            return ParsedExpr(text: text, tree: parser.tree, root: nil, diagnostics: [error.diagnostic])
        }
    }
}

/// Thrown to unwind the parser at the first error.
struct ParseAbort: Error {
    let diagnostic: ExprDiagnostic
}

private struct Parser {
    let tokens: [Token]
    let bytes: [UInt8]
    let limits: ExprLimits
    var tree = ExprTree()
    var position = 0
    var depth = 0

    /// A parsed operand: its node and its extent, parentheses included.
    struct Operand {
        var id: ExprID
        var range: Range<Int>
    }

    init(tokens: [Token], bytes: [UInt8], limits: ExprLimits) {
        // The lexer always ends the stream with `.end` or `.error`; guard anyway.
        self.tokens = tokens.isEmpty ? [Token(kind: .end, range: bytes.count..<bytes.count)] : tokens
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: Token access

    var current: Token { tokens[min(position, tokens.count - 1)] }

    func peek(_ offset: Int) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    func isSymbol(_ symbol: Symbol, _ token: Token? = nil) -> Bool {
        if case .symbol(let s) = (token ?? current).kind { return s == symbol }
        return false
    }

    func isKeyword(_ keyword: Keyword, _ token: Token? = nil) -> Bool {
        if case .keyword(let k) = (token ?? current).kind { return k == keyword }
        return false
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[max(0, range.lowerBound)..<min(range.upperBound, bytes.count)], as: UTF8.self)
    }

    // MARK: Errors

    /// The error for the current token when it does not fit: its own lexical error, or FC0401.
    func unexpected(_ expected: String, help: Message? = nil) -> ParseAbort {
        let token = current
        if case .error(let diagnostic) = token.kind { return ParseAbort(diagnostic: diagnostic) }
        let found: String
        if case .end = token.kind {
            found = "end of expression"
        } else {
            var shown = text(token.range)
            if shown.unicodeScalars.count > 24 { shown = String(shown.unicodeScalars.prefix(24)) + "…" }
            found = "`" + shown + "`"
        }
        return ParseAbort(diagnostic: ExprDiagnostic(
            ExprMessages.syntax, at: token.range, [expected, found], help: help ?? lookAlikeHelp(token)))
    }

    /// Help for operators borrowed from other languages, and for lowercase currency codes.
    func lookAlikeHelp(_ token: Token) -> Message? {
        // `quote * 15%`: a percentage, which `%` (remainder) left without its right operand.
        if position > 1, isSymbol(.percent, tokens[position - 1]) {
            switch tokens[position - 2].kind {
            case .integer, .decimal:
                let number = text(tokens[position - 2].range)
                if let fraction = ExprParser.percentAsFraction(number) {
                    return Message(ExprMessages.Help.percentIsRemainder, [fraction, number])
                }
            default:
                break
            }
        }
        let next = position + 1 < tokens.count ? tokens[position + 1].kind : nil
        let before = position > 0 ? tokens[position - 1].kind : nil
        switch token.kind {
        // `=>` and `=<` (QA round 23: "write `==`").
        case .symbol(.equal) where next == .symbol(.greater): return Message(ExprMessages.Help.useKeyword, [">="])
        case .symbol(.equal) where next == .symbol(.less): return Message(ExprMessages.Help.useKeyword, ["<="])
        case .symbol(.equal): return Message(ExprMessages.Help.useDoubleEquals)
        // `<>` (SQL, Excel).
        case .symbol(.greater) where before == .symbol(.less): return Message(ExprMessages.Help.useKeyword, ["!="])
        case .symbol(.ampAmp), .symbol(.amp): return Message(ExprMessages.Help.useKeyword, ["and"])
        case .symbol(.pipePipe), .symbol(.pipe): return Message(ExprMessages.Help.useKeyword, ["or"])
        case .symbol(.bang): return Message(ExprMessages.Help.useKeyword, ["not"])
        case .name(let name):
            guard position > 0, name.utf8.count == 3, !name.contains("_") else { return nil }
            switch tokens[position - 1].kind {
            case .integer, .decimal:
                // `rmb`: not `RMB`, which is no code either (QA round 23).
                if let code = CurrencyCodes.commonNames[name.uppercased()] {
                    return Message(ExprMessages.Help.currencyCommonName, [name, text(tokens[position - 1].range) + " " + code])
                }
                return Message(ExprMessages.Help.currencyIsUppercase, [name.uppercased()])
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// Enters one nesting level; FC0411 at `range` when that is one too many.
    mutating func enter(_ range: Range<Int>) throws(ParseAbort) {
        depth += 1
        if depth > limits.maxDepth {
            throw ParseAbort(diagnostic: ExprDiagnostic(
                ExprMessages.expressionTooDeep, at: range, [String(limits.maxDepth)],
                help: Message(ExprMessages.Help.nestedTooDeep)))
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: Grammar

    mutating func parseRoot() throws(ParseAbort) -> ExprID {
        let expression = try parseOr()
        guard case .end = current.kind else {
            throw unexpected("an operator or the end of the expression")
        }
        return expression.id
    }

    mutating func binary(_ op: ExprBinaryOperator, _ lhs: Operand, _ rhs: Operand, _ opRange: Range<Int>) -> Operand {
        let range = lhs.range.lowerBound..<rhs.range.upperBound
        return Operand(id: tree.add(.binary(op, lhs.id, rhs.id, operatorRange: opRange), range), range: range)
    }

    mutating func parseOr() throws(ParseAbort) -> Operand {
        var lhs = try parseAnd()
        while isKeyword(.or) {
            let opRange = current.range
            advance()
            let rhs = try parseAnd()
            lhs = binary(.or, lhs, rhs, opRange)
        }
        return lhs
    }

    mutating func parseAnd() throws(ParseAbort) -> Operand {
        var lhs = try parseNot()
        while isKeyword(.and) {
            let opRange = current.range
            advance()
            let rhs = try parseNot()
            lhs = binary(.and, lhs, rhs, opRange)
        }
        return lhs
    }

    mutating func parseNot() throws(ParseAbort) -> Operand {
        guard isKeyword(.not) else { return try parseComparison() }
        let opRange = current.range
        try enter(opRange)
        advance()
        let operand = try parseNot()
        leave()
        let range = opRange.lowerBound..<operand.range.upperBound
        return Operand(id: tree.add(.unary(.not, operand.id), range), range: range)
    }

    func comparisonOperator(_ token: Token) -> ExprBinaryOperator? {
        switch token.kind {
        case .symbol(.equalEqual): .equal
        case .symbol(.bangEqual): .notEqual
        case .symbol(.less): .less
        case .symbol(.lessEqual): .lessOrEqual
        case .symbol(.greater): .greater
        case .symbol(.greaterEqual): .greaterOrEqual
        case .keyword(.in): .in
        default: nil
        }
    }

    /// `not in` is not an operator; point the author at `not (x in list)`.
    func rejectNotIn(_ lhs: Operand) throws(ParseAbort) {
        if isKeyword(.not), isKeyword(.in, peek(1)) {
            throw unexpected("an operator or the end of the expression",
                             help: Message(ExprMessages.Help.notIn, [text(lhs.range)]))
        }
    }

    mutating func parseComparison() throws(ParseAbort) -> Operand {
        let lhs = try parseAdditive()
        try rejectNotIn(lhs)
        guard let op = comparisonOperator(current) else { return lhs }
        let opRange = current.range
        advance()
        let rhs = try parseAdditive()
        let result = binary(op, lhs, rhs, opRange)
        if comparisonOperator(current) != nil {
            throw ParseAbort(diagnostic: ExprDiagnostic(
                ExprMessages.chainedComparison, at: current.range,
                help: Message(ExprMessages.Help.splitComparison),
                labels: [ExprLabel(range: result.range, message: Message(ExprMessages.Help.operandType, ["boolean"]))]))
        }
        try rejectNotIn(result)
        return result
    }

    mutating func parseAdditive() throws(ParseAbort) -> Operand {
        var lhs = try parseMultiplicative()
        while true {
            let op: ExprBinaryOperator
            if isSymbol(.plus) { op = .add } else if isSymbol(.minus) { op = .subtract } else { break }
            let opRange = current.range
            advance()
            let rhs = try parseMultiplicative()
            lhs = binary(op, lhs, rhs, opRange)
        }
        return lhs
    }

    mutating func parseMultiplicative() throws(ParseAbort) -> Operand {
        var lhs = try parseUnary()
        while true {
            let op: ExprBinaryOperator
            if isSymbol(.star) {
                op = .multiply
            } else if isSymbol(.slash) {
                op = .divide
            } else if isSymbol(.percent) {
                op = .remainder
            } else {
                break
            }
            let opRange = current.range
            advance()
            let rhs = try parseUnary()
            lhs = binary(op, lhs, rhs, opRange)
        }
        return lhs
    }

    mutating func parseUnary() throws(ParseAbort) -> Operand {
        guard isSymbol(.minus) else { return try parsePrimary() }
        let opRange = current.range
        if case .smallestIntegerMagnitude = peek(1).kind {
            // `-9223372036854775808`: the smallest integer, one literal (its magnitude alone
            // does not fit, so it cannot be read as the negation of one).
            advance()
            let range = opRange.lowerBound..<current.range.upperBound
            advance()
            return Operand(id: tree.add(.literal(.integer(.min)), range), range: range)
        }
        try enter(opRange)
        advance()
        let operand = try parseUnary()
        leave()
        let range = opRange.lowerBound..<operand.range.upperBound
        return Operand(id: tree.add(.unary(.negate, operand.id), range), range: range)
    }

    mutating func parsePrimary() throws(ParseAbort) -> Operand {
        let token = current
        let literal: ExprLiteral
        switch token.kind {
        case .integer(let value): literal = .integer(value)
        case .decimal(let value): literal = .decimal(value)
        case .money(let amount, let currency): literal = .money(amount: amount, currency: currency)
        case .duration(let seconds): literal = .duration(seconds: seconds)
        case .text(let text): literal = .text(text)
        case .keyword(.true): literal = .boolean(true)
        case .keyword(.false): literal = .boolean(false)
        case .keyword(.null): literal = .null
        case .name(let name):
            advance()
            if isSymbol(.leftParen) { return try parseCall(name, token.range) }
            return Operand(id: tree.add(.field(path: name), token.range), range: token.range)
        case .symbol(.leftParen):
            try enter(token.range)
            advance()
            let inner = try parseOr()
            guard isSymbol(.rightParen) else { throw unexpected("`)`") }
            let range = token.range.lowerBound..<current.range.upperBound
            advance()
            leave()
            return Operand(id: inner.id, range: range)
        case .symbol(.leftBracket):
            try enter(token.range)
            advance()
            let elements = try parseSequence(closing: .rightBracket)
            let range = token.range.lowerBound..<current.range.upperBound
            advance()
            leave()
            return Operand(id: tree.add(.list(elements), range), range: range)
        case .smallestIntegerMagnitude:
            // Not right after a minus sign: out of range.
            throw ParseAbort(diagnostic: ExprDiagnostic(ExprMessages.invalidNumber, at: token.range, [text(token.range)],
                                                        help: Message(ExprMessages.Help.integerRange)))
        default:
            throw unexpected("an expression")
        }
        advance()
        return Operand(id: tree.add(.literal(literal), token.range), range: token.range)
    }

    mutating func parseCall(_ name: String, _ nameRange: Range<Int>) throws(ParseAbort) -> Operand {
        try enter(current.range)
        advance()
        let arguments = try parseSequence(closing: .rightParen)
        let range = nameRange.lowerBound..<current.range.upperBound
        advance()
        leave()
        return Operand(id: tree.add(.call(name: name, arguments: arguments, nameRange: nameRange), range), range: range)
    }

    /// Comma-separated expressions up to `closing` (a trailing comma is allowed); leaves the
    /// closing token current.
    mutating func parseSequence(closing: Symbol) throws(ParseAbort) -> [ExprID] {
        var items: [ExprID] = []
        while !isSymbol(closing) {
            let item = try parseOr()
            items.append(item.id)
            if items.count > limits.maxListElements {
                throw ParseAbort(diagnostic: ExprDiagnostic(
                    ExprMessages.tooManyListElements, at: item.range, [String(limits.maxListElements)]))
            }
            if isSymbol(.comma) {
                advance()
            } else if !isSymbol(closing) {
                throw unexpected("`,` or `\(closing.rawValue)`")
            }
        }
        return items
    }
}

extension ExprParser {
    /// `15` as `0.15`, `12.5` as `0.125`, `150` as `1.5`: a number literal as written, divided
    /// by 100 by moving its point (exactly, with no trailing zeros). Nil for anything else.
    static func percentAsFraction(_ literal: String) -> String? {
        let parts = literal.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              !parts[0].isEmpty else { return nil }
        let digits = Array(parts[0] + (parts.count == 2 ? parts[1] : ""))
        let point = parts[0].count - 2
        var whole = point > 0 ? String(digits[..<point]) : ""
        var fraction = point > 0 ? String(digits[point...]) : String(repeating: "0", count: -point) + String(digits)
        while whole.count > 1, whole.first == "0" { whole.removeFirst() }
        if whole.isEmpty { whole = "0" }
        while fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}
