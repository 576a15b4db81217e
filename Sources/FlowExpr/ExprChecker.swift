import FlowDiagnostics

/// Type-checks parsed expressions against an environment of fields.
public enum ExprChecker {
    /// Checks a parsed expression.
    ///
    /// Independent problems are all reported (every unknown field, every bad operand), without
    /// cascades: a node whose child failed is not reported again.
    ///
    /// - Parameters:
    ///   - parsed: the output of ``ExprParser/parse(_:limits:)``; if it has errors, they are passed
    ///     through and nothing is checked.
    ///   - env: the fields the expression may use.
    ///   - expecting: the type the context requires: `.boolean` for `when:`/`if:` conditions
    ///     (FC0423 otherwise), a field's type for `compute:` (FC0424 otherwise), nil for any.
    ///   - strictInstants: a `datetime('…')` literal is held to the second and the zones in use
    ///     (FC0427); false for a machine loaded from its IR, compiled perhaps before that was so.
    public static func check(_ parsed: ParsedExpr, in env: some ExprEnvironment, expecting: ExprType? = nil, strictInstants: Bool = true) -> CheckedExpr {
        var checker = Checker(parsed: parsed, env: env)
        checker.strictInstants = strictInstants
        checker.run(expecting: expecting)
        var diagnostics = parsed.diagnostics
        var seen = Set(diagnostics)
        for d in checker.diagnostics where seen.insert(d).inserted { diagnostics.append(d) }
        diagnostics.sort { a, b in
            a.range.lowerBound != b.range.lowerBound ? a.range.lowerBound < b.range.lowerBound : a.code < b.code
        }
        let failed = diagnostics.contains { $0.severity == .error }
        return CheckedExpr(
            parsed: parsed, types: checker.types,
            resultType: failed ? nil : parsed.root.flatMap { checker.types[$0.index] },
            expected: expecting, diagnostics: diagnostics,
            referencedFields: checker.referencedFields, references: checker.references,
            usesClock: checker.usesClock, fieldSlots: checker.fieldSlots, fieldTypes: checker.fieldTypes,
            callTargets: checker.callTargets)
    }

    /// Parses and checks in one step.
    ///
    /// - Parameters:
    ///   - text: the expression text.
    ///   - env: the fields the expression may use.
    ///   - expecting: see ``check(_:in:expecting:)``.
    ///   - limits: the parser limits.
    public static func check(
        _ text: String, in env: some ExprEnvironment, expecting: ExprType? = nil, limits: ExprLimits = .default
    ) -> CheckedExpr {
        check(ExprParser.parse(text, limits: limits), in: env, expecting: expecting)
    }
}

/// Types one tree. Children precede parents in the arena, so one pass in index order visits every
/// child before its parent without recursion.
private struct Checker<Env: ExprEnvironment> {
    let parsed: ParsedExpr
    let tree: ExprTree
    let env: Env
    let bytes: [UInt8]
    var types: [ExprType?]
    var diagnostics: [ExprDiagnostic] = []
    var referencedFields: [String] = []
    var slotOfField: [String: Int] = [:]
    var references: [ExprFieldReference] = []
    var fieldSlots: [Int32]
    var fieldTypes: [ExprType] = []
    var callTargets: [ExprBuiltin?]
    var usesClock = false
    var strictInstants = true

    init(parsed: ParsedExpr, env: Env) {
        self.parsed = parsed
        self.tree = parsed.tree
        self.env = env
        self.bytes = Array(parsed.text.utf8)
        self.types = Array(repeating: nil, count: parsed.tree.count)
        self.fieldSlots = Array(repeating: -1, count: parsed.tree.count)
        self.callTargets = Array(repeating: nil, count: parsed.tree.count)
    }

    mutating func run(expecting: ExprType?) {
        guard let root = parsed.root, parsed.diagnostics.isEmpty else { return }
        for id in tree.ids {
            types[id.index] = check(id)
        }
        guard let expected = expecting, let actual = types[root.index] else { return }
        if expected == .boolean {
            if actual != .boolean && actual != .null {
                report(ExprMessages.conditionNotBoolean, tree.range(of: root), [actual.description])
            }
        } else if !actual.isAssignable(to: expected) {
            report(ExprMessages.resultType, tree.range(of: root), [actual.description, expected.description])
        }
    }

    // MARK: Helpers

    mutating func report(
        _ spec: MessageSpec, _ range: Range<Int>, _ arguments: [String] = [],
        help: Message? = nil, notes: [Message] = [], labels: [ExprLabel] = []
    ) {
        diagnostics.append(ExprDiagnostic(spec, at: range, arguments, help: help, notes: notes, labels: labels))
    }

    func type(_ id: ExprID) -> ExprType? { types[id.index] }

    /// The day an operand spells, quoted or not (`'2024-12-31'`, `2024-12-31`, `2024-6-1`), as
    /// `date()` wants it; nil for anything else.
    func writtenDay(_ id: ExprID) -> String? {
        let text = tree.textLiteral(id) ?? source(id)
        // `2024-12-31`, and `2024/12/31` as Chinese sales teams write it (QA round 23).
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "/" })
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        func two(_ s: Substring) -> String { s.count == 1 ? "0" + s : String(s) }
        return "\(parts[0])-\(two(parts[1]))-\(two(parts[2]))"
    }

    func source(_ id: ExprID) -> String {
        let range = tree.range(of: id)
        return String(decoding: bytes[max(0, range.lowerBound)..<min(range.upperBound, bytes.count)], as: UTF8.self)
    }

    func typeLabel(_ id: ExprID) -> ExprLabel {
        ExprLabel(range: tree.range(of: id), message: Message(ExprMessages.Help.operandType, [type(id)?.description ?? "?"]))
    }

    /// A number literal, possibly negated: the thing that should have had a currency.
    func isNumberLiteral(_ id: ExprID) -> Bool {
        switch tree[id] {
        case .literal(.integer), .literal(.decimal): true
        case .unary(.negate, let operand): isNumberLiteral(operand)
        default: false
        }
    }

    /// The value of an integer literal, possibly negated.
    func integerLiteral(_ id: ExprID) -> Int64? {
        switch tree[id] {
        case .literal(.integer(let value)): value
        case .unary(.negate, let operand): integerLiteral(operand).flatMap { $0 == .min ? nil : -$0 }
        default: nil
        }
    }

    func isZeroLiteral(_ id: ExprID) -> Bool {
        switch tree[id] {
        case .literal(.integer(0)): true
        case .literal(.decimal(let value)): value.isZero
        case .literal(.money(let amount, _)): amount.isZero
        case .unary(.negate, let operand): isZeroLiteral(operand)
        default: false
        }
    }

    // MARK: Nodes

    mutating func check(_ id: ExprID) -> ExprType? {
        switch tree[id] {
        case .literal(let literal):
            switch literal {
            case .null: return .null
            case .boolean: return .boolean
            case .integer: return .integer
            case .decimal: return .decimal
            case .text: return .text
            case .money(_, let currency): return .money(currency: currency)
            case .duration: return .duration
            }
        case .field(let path):
            return field(id, path)
        case .unary(let op, let operand):
            return unary(id, op, operand)
        case .binary(let op, let lhs, let rhs, let opRange):
            guard let lt = type(lhs), let rt = type(rhs) else { return nil }
            return binary(op, lhs, lt, rhs, rt, opRange)
        case .list(let elements):
            return list(id, elements)
        case .call(let name, let arguments, let nameRange):
            return call(id, name, arguments, nameRange)
        }
    }

    mutating func field(_ id: ExprID, _ path: String) -> ExprType? {
        guard let type = env.lookup(path) else {
            var help: Message?
            if let suggestion = Suggestions.closest(to: path, in: env.knownNames) {
                help = Message(ExprMessages.Help.didYouMean, [suggestion])
            } else if ExprBuiltin(rawValue: path) != nil {
                help = Message(ExprMessages.Help.callFunction, [path])
            }
            report(ExprMessages.unknownField, tree.range(of: id), [path], help: help)
            return nil
        }
        let slot: Int
        if let existing = slotOfField[path] {
            slot = existing
        } else {
            slot = referencedFields.count
            slotOfField[path] = slot
            referencedFields.append(path)
            fieldTypes.append(type)
        }
        fieldSlots[id.index] = Int32(slot)
        references.append(ExprFieldReference(path: path, range: tree.range(of: id), node: id))
        return type
    }

    mutating func unary(_ id: ExprID, _ op: ExprUnaryOperator, _ operand: ExprID) -> ExprType? {
        guard let t = type(operand) else { return nil }
        let fits: Bool
        switch op {
        case .negate:
            switch t {
            case .integer, .decimal, .money, .duration, .null: fits = true
            default: fits = false
            }
        case .not:
            fits = t == .boolean || t == .null
        }
        guard fits else {
            let start = tree.range(of: id).lowerBound
            report(ExprMessages.unaryOperandType, start..<(start + op.symbol.utf8.count), [op.symbol, t.description],
                   labels: [typeLabel(operand)])
            return nil
        }
        if op == .not { return .boolean }
        return t
    }

    mutating func list(_ id: ExprID, _ elements: [ExprID]) -> ExprType? {
        var element: ExprType = .null
        var first: ExprID?
        for e in elements {
            guard let t = type(e) else { return nil }
            switch ExprType.join(element, t) {
            case .joined(let joined):
                element = joined
                if t != .null, first == nil { first = e }
            case .currencyMismatch, .mismatch:
                var labels = [typeLabel(e)]
                if let first { labels.insert(typeLabel(first), at: 0) }
                report(ExprMessages.mixedListTypes, tree.range(of: e), [element.description, t.description], labels: labels)
                return nil
            }
        }
        return .list(element)
    }

    // MARK: Operators

    /// How two operand types fit an operator.
    enum Fit {
        case ok(ExprType)
        case currencyMismatch
        /// Money met a plain number; the id is the number's side.
        case moneyWithoutCurrency(numberSide: ExprID, money: ExprType)
        case mismatch(help: Message?)
    }

    mutating func binary(
        _ op: ExprBinaryOperator, _ lhs: ExprID, _ lt: ExprType, _ rhs: ExprID, _ rt: ExprType, _ opRange: Range<Int>
    ) -> ExprType? {
        let fit: Fit
        switch op {
        case .and, .or:
            let ok = (lt == .boolean || lt == .null) && (rt == .boolean || rt == .null)
            fit = ok ? .ok(.boolean) : .mismatch(help: nil)
        case .add, .subtract, .multiply, .divide, .remainder:
            fit = arithmetic(op, lhs, lt, rhs, rt)
            if case .ok = fit, op == .divide || op == .remainder, isZeroLiteral(rhs) {
                report(ExprMessages.divisionByZero, tree.range(of: rhs))
                return nil
            }
        case .equal, .notEqual:
            fit = equality(lhs, lt, rhs, rt)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            fit = ordering(lhs, lt, rhs, rt)
        case .in:
            fit = membership(lhs, lt, rhs, rt)
        }
        switch fit {
        case .ok(let type):
            return type
        case .currencyMismatch:
            report(ExprMessages.currencyMismatch, opRange, [lt.description, rt.description],
                   labels: [typeLabel(lhs), typeLabel(rhs)])
        case .moneyWithoutCurrency(let number, let money):
            let moneySide = number == lhs ? rhs : lhs
            var help = isNumberLiteral(number) ? Message(ExprMessages.Help.writeMoney, [source(number), money.currency ?? "CNY"]) : nil
            // `margin < 0.15`: a fraction against money is a rate meant (QA round 22: `0.15 CNY`
            // was offered).
            if case .literal(.decimal(let d)) = tree[number], !d.isNegative, !d.isZero, d < ExprDecimal(1) {
                help = Message(ExprMessages.Help.rateAgainstMoney, [source(moneySide), source(number), money.currency ?? "CNY"])
            }
            report(ExprMessages.moneyWithoutCurrency, tree.range(of: number), [money.description],
                   help: help, labels: [typeLabel(moneySide)])
        case .mismatch(var help):
            // `closed >= today()`: an instant against a day (QA round 18: no help).
            if help == nil, op.isComparison, Set([lt, rt]) == [.date, .datetime] {
                help = Message(ExprMessages.Help.datetimeAgainstDate)
            }
            // `delivery_date < '2024-12-31'` or `< 2024-12-31` (read as 2024 − 12 − 31): a day
            // written as text or as a subtraction (QA round 22: no help).
            if help == nil, op.isComparison, lt == .date || rt == .date, let day = writtenDay(lt == .date ? rhs : lhs) {
                help = Message(ExprMessages.Help.dateLiteral, [day])
            }
            // `created > "2026-11-01"`: a day written as text against an instant (QA round 24).
            if help == nil, op.isComparison, lt == .datetime || rt == .datetime, let day = writtenDay(lt == .datetime ? rhs : lhs) {
                help = Message(ExprMessages.Help.datetimeLiteral, [day])
            }
            // `pool_since > "2026-11-01T00:00:00+08:00"`: a whole instant written as text (QA round 25).
            if help == nil, op.isComparison, lt == .datetime || rt == .datetime,
               let text = tree.textLiteral(lt == .datetime ? rhs : lhs), CivilCalendar.parseDatetime(text) != nil {
                help = Message(ExprMessages.Help.datetimeCall, [text])
            }
            // `quote * 15% - cost`: a percentage, read as `(quote * 15) % (-cost)`.
            if help == nil, op == .remainder {
                let left = source(lhs)
                let digits = String(left.reversed().prefix { $0.isASCII && ($0.isNumber || $0 == ".") }.reversed())
                if !digits.isEmpty, let fraction = ExprParser.percentAsFraction(digits) {
                    help = Message(ExprMessages.Help.percentIsRemainder, [fraction, digits])
                }
            }
            report(ExprMessages.operandTypes, opRange, [op.symbol, lt.description, rt.description],
                   help: help, labels: [typeLabel(lhs), typeLabel(rhs)])
        }
        return nil
    }

    func arithmetic(_ op: ExprBinaryOperator, _ lhs: ExprID, _ lt: ExprType, _ rhs: ExprID, _ rt: ExprType) -> Fit {
        func capable(_ t: ExprType) -> Bool {
            switch t {
            case .integer, .decimal, .money, .duration, .date, .datetime, .null: true
            case .text: op == .add
            default: false
            }
        }
        if lt == .null || rt == .null {
            return capable(lt) && capable(rt) ? .ok(.null) : .mismatch(help: nil)
        }
        switch (op, lt, rt) {
        case (.remainder, .integer, .integer): return .ok(.integer)
        case (.remainder, _, _): return .mismatch(help: nil)
        case (.divide, _, _) where lt.isNumeric && rt.isNumeric: return .ok(.decimal)
        case (_, .integer, .integer): return .ok(.integer)
        case (_, _, _) where lt.isNumeric && rt.isNumeric: return .ok(.decimal)
        case (.add, .money(let a), .money(let b)), (.subtract, .money(let a), .money(let b)):
            return a == b ? .ok(lt) : .currencyMismatch
        case (.divide, .money(let a), .money(let b)):
            return a == b ? .ok(.decimal) : .currencyMismatch
        case (.add, .money, _), (.subtract, .money, _):
            return rt.isNumeric ? .moneyWithoutCurrency(numberSide: rhs, money: lt) : .mismatch(help: nil)
        case (.add, _, .money), (.subtract, _, .money):
            return lt.isNumeric ? .moneyWithoutCurrency(numberSide: lhs, money: rt) : .mismatch(help: nil)
        case (.multiply, .money, _), (.divide, .money, _):
            return rt.isNumeric ? .ok(lt) : .mismatch(help: nil)
        case (.multiply, _, .money):
            return lt.isNumeric ? .ok(rt) : .mismatch(help: nil)
        case (.add, .text, .text): return .ok(.text)
        case (.add, .duration, .duration), (.subtract, .duration, .duration): return .ok(.duration)
        case (.multiply, .duration, .integer), (.multiply, .integer, .duration), (.divide, .duration, .integer):
            return .ok(.duration)
        case (.add, .date, .duration), (.add, .duration, .date), (.subtract, .date, .duration): return .ok(.date)
        case (.subtract, .date, .date): return .ok(.duration)
        case (.add, .datetime, .duration), (.add, .duration, .datetime), (.subtract, .datetime, .duration):
            return .ok(.datetime)
        case (.subtract, .datetime, .datetime): return .ok(.duration)
        default: return .mismatch(help: nil)
        }
    }

    /// `==` / `!=`: values of one kind; enums against string literals naming declared values.
    mutating func equality(_ lhs: ExprID, _ lt: ExprType, _ rhs: ExprID?, _ rt: ExprType) -> Fit {
        switch (lt, rt) {
        case (.null, _), (_, .null):
            return .ok(.boolean)
        case (.money(let a), .money(let b)):
            return a == b ? .ok(.boolean) : .currencyMismatch
        case (.money, _) where rt.isNumeric:
            return rhs.map { .moneyWithoutCurrency(numberSide: $0, money: lt) } ?? .mismatch(help: nil)
        case (_, .money) where lt.isNumeric:
            return .moneyWithoutCurrency(numberSide: lhs, money: rt)
        case (.enumeration(let values), .text):
            return enumAgainstText(values, enumSide: lhs, textSide: rhs)
        case (.text, .enumeration(let values)):
            return enumAgainstText(values, enumSide: rhs, textSide: lhs)
        default:
            if case .joined = ExprType.join(lt, rt) { return .ok(.boolean) }
            return .mismatch(help: nil)
        }
    }

    /// An enum compared with text: fine for a string literal naming a declared value (FC0425
    /// otherwise); any other text expression is an operand mismatch.
    mutating func enumAgainstText(_ values: [String], enumSide: ExprID?, textSide: ExprID?) -> Fit {
        guard let textSide, let literal = tree.textLiteral(textSide) else {
            return .mismatch(help: Message(ExprMessages.Help.enumNeedsLiteral))
        }
        if !values.contains(literal) {
            let owner = enumSide.flatMap { tree.fieldPath($0) } ?? ExprType.enumeration(values: values).description
            let help = Suggestions.closest(to: literal, in: values).map { Message(ExprMessages.Help.didYouMean, [$0]) }
            report(ExprMessages.unknownEnumValue, tree.range(of: textSide), [literal, owner],
                   help: help, notes: [Message(ExprMessages.Help.declaredValues, [values.map { "`\($0)`" }.joined(separator: ", ")])])
        }
        return .ok(.boolean)
    }

    func ordering(_ lhs: ExprID, _ lt: ExprType, _ rhs: ExprID, _ rt: ExprType) -> Fit {
        switch (lt, rt) {
        case (.null, _), (_, .null):
            return .mismatch(help: Message(ExprMessages.Help.nullOrdering))
        case (.money(let a), .money(let b)):
            return a == b ? .ok(.boolean) : .currencyMismatch
        case (.money, _) where rt.isNumeric:
            return .moneyWithoutCurrency(numberSide: rhs, money: lt)
        case (_, .money) where lt.isNumeric:
            return .moneyWithoutCurrency(numberSide: lhs, money: rt)
        case (.text, .text), (.date, .date), (.datetime, .datetime), (.duration, .duration):
            return .ok(.boolean)
        default:
            return lt.isNumeric && rt.isNumeric ? .ok(.boolean) : .mismatch(help: nil)
        }
    }

    /// `x in list`: the right side is a list whose elements compare with `x` as `==` would.
    mutating func membership(_ lhs: ExprID, _ lt: ExprType, _ rhs: ExprID, _ rt: ExprType) -> Fit {
        guard let element = rt.listElement else {
            let help = lt == .text && rt == .text
                ? Message(ExprMessages.Help.useContainsForText, [source(rhs), source(lhs)]) : nil
            return .mismatch(help: help)
        }
        if lt == .null || element == .null { return .ok(.boolean) }
        if case .list(let elements) = tree[rhs] {
            // A list literal: check each element, so an unknown enum value points at itself.
            for e in elements {
                guard let et = type(e) else { continue }
                switch equality(lhs, lt, e, et) {
                case .ok: continue
                case .currencyMismatch: return .currencyMismatch
                case .moneyWithoutCurrency(let number, let money):
                    return .moneyWithoutCurrency(numberSide: number, money: money)
                case .mismatch(let help): return .mismatch(help: help)
                }
            }
            return .ok(.boolean)
        }
        switch equality(lhs, lt, nil, element) {
        case .ok: return .ok(.boolean)
        case .currencyMismatch: return .currencyMismatch
        case .moneyWithoutCurrency, .mismatch: return .mismatch(help: nil)
        }
    }

    // MARK: Calls

    mutating func call(_ id: ExprID, _ name: String, _ arguments: [ExprID], _ nameRange: Range<Int>) -> ExprType? {
        guard let builtin = ExprBuiltin(rawValue: name) else {
            var help: Message?
            if let suggestion = Suggestions.closest(to: name, in: ExprBuiltin.names) {
                help = Message(ExprMessages.Help.didYouMean, [suggestion])
            } else if env.lookup(name) != nil {
                help = Message(ExprMessages.Help.fieldIsNotFunction, [name])
            }
            report(ExprMessages.unknownFunction, nameRange, [name], help: help,
                   notes: [Message(ExprMessages.Help.unknownFunctionList, [ExprBuiltin.names.joined(separator: ", ")])])
            return nil
        }
        callTargets[id.index] = builtin
        guard builtin.arity.contains(arguments.count) else {
            report(ExprMessages.wrongArgumentCount, tree.range(of: id), [name, builtin.arityText, String(arguments.count)])
            return nil
        }
        if builtin == .has {
            guard let argument = arguments.first, tree.fieldPath(argument) != nil else {
                let range = arguments.first.map { tree.range(of: $0) } ?? tree.range(of: id)
                report(ExprMessages.hasNeedsField, range, help: arguments.first.map {
                    Message(ExprMessages.Help.hasOnFields, [source($0)])
                })
                return .boolean
            }
            return .boolean
        }
        var argumentTypes: [ExprType] = []
        for argument in arguments {
            guard let t = type(argument) else { return nil }
            argumentTypes.append(t)
        }
        return typeCall(builtin, id, arguments, argumentTypes)
    }

    /// FC0418 for argument `index` (0-based) unless its type is one of `accepted` (or null).
    mutating func expect(
        _ builtin: ExprBuiltin, _ arguments: [ExprID], _ types: [ExprType], _ index: Int,
        _ accepted: String, help: Message? = nil, _ test: (ExprType) -> Bool
    ) -> Bool {
        let t = types[index]
        if t == .null || test(t) { return true }
        report(ExprMessages.argumentType, tree.range(of: arguments[index]),
               [String(index + 1), builtin.rawValue, t.description, accepted], help: help)
        return false
    }

    mutating func typeCall(_ builtin: ExprBuiltin, _ id: ExprID, _ arguments: [ExprID], _ types: [ExprType]) -> ExprType? {
        switch builtin {
        case .today:
            usesClock = true
            return .date
        case .now:
            usesClock = true
            return .datetime
        case .len:
            let ok = expect(builtin, arguments, types, 0, "text | list") { $0 == .text || $0.listElement != nil }
            return ok ? .integer : nil
        case .lower, .upper, .trim:
            return expect(builtin, arguments, types, 0, "text") { $0 == .text } ? .text : nil
        case .contains, .startsWith, .endsWith:
            let listHelp = types[0].listElement != nil
                ? Message(ExprMessages.Help.useInForLists, [source(arguments[1]), source(arguments[0])]) : nil
            let first = expect(builtin, arguments, types, 0, "text", help: listHelp) { $0 == .text }
            let second = expect(builtin, arguments, types, 1, "text") { $0 == .text }
            return first && second ? .boolean : nil
        case .has:
            return .boolean
        case .coalesce, .min, .max:
            // `coalesce(industry, 'retail')`: an enum with a default named by a string literal.
            if builtin == .coalesce, case .enumeration(let values) = types[0], tree.textLiteral(arguments[1]) != nil {
                _ = enumAgainstText(values, enumSide: arguments[0], textSide: arguments[1])
                return types[0]
            }
            if builtin != .coalesce {
                let numeric: (ExprType) -> Bool = { $0.isNumeric || $0.isMoney }
                let first = expect(builtin, arguments, types, 0, "integer | decimal | money", numeric)
                let second = expect(builtin, arguments, types, 1, "integer | decimal | money", numeric)
                guard first, second else { return nil }
            }
            switch ExprType.join(types[0], types[1]) {
            case .joined(let joined):
                return joined
            case .currencyMismatch:
                report(ExprMessages.currencyMismatch, tree.range(of: id), [types[0].description, types[1].description],
                       labels: [typeLabel(arguments[0]), typeLabel(arguments[1])])
                return nil
            case .mismatch:
                let help = types[0].isMoney && types[1].isNumeric && isNumberLiteral(arguments[1])
                    ? Message(ExprMessages.Help.writeMoney, [source(arguments[1]), types[0].currency ?? "CNY"]) : nil
                report(ExprMessages.argumentType, tree.range(of: arguments[1]),
                       ["2", builtin.rawValue, types[1].description, types[0].description], help: help)
                return nil
            }
        case .abs:
            let ok = expect(builtin, arguments, types, 0, "integer | decimal | money") { $0.isNumeric || $0.isMoney }
            return ok ? types[0] : nil
        case .round:
            let first = expect(builtin, arguments, types, 0, "integer | decimal | money") { $0.isNumeric || $0.isMoney }
            var second = true
            if arguments.count > 1 {
                second = expect(builtin, arguments, types, 1, "integer") { $0 == .integer }
                if second, let places = integerLiteral(arguments[1]), places < 0 || places > Int64(ExprDecimal.maxScale) {
                    report(ExprMessages.argumentOutOfRange, tree.range(of: arguments[1]),
                           ["2", builtin.rawValue, "0", String(ExprDecimal.maxScale), String(places)])
                    second = false
                }
            }
            guard first, second else { return nil }
            return types[0].isMoney ? types[0] : .decimal
        case .days:
            return expect(builtin, arguments, types, 0, "duration") { $0 == .duration } ? .integer : nil
        case .date, .datetime:
            guard expect(builtin, arguments, types, 0, "text", { $0 == .text }) else { return nil }
            if let literal = tree.textLiteral(arguments[0]) {
                // The rule broken is a note, as for a field's default (the same reading).
                if builtin == .date, case .failure(let problem) = CivilCalendar.readDate(literal) {
                    report(ExprMessages.invalidDate, tree.range(of: arguments[0]), [literal],
                           help: Message(ExprMessages.Help.dateFormat), notes: problem == .dateForm ? [] : [problem.note])
                    return nil
                }
                if builtin == .datetime, case .failure(let problem) = CivilCalendar.readDatetime(literal, strict: strictInstants) {
                    report(ExprMessages.invalidDatetime, tree.range(of: arguments[0]), [literal],
                           help: Message(ExprMessages.Help.datetimeFormat), notes: problem == .datetimeForm ? [] : [problem.note])
                    return nil
                }
            }
            return builtin == .date ? .date : .datetime
        }
    }
}
