import FlowDiagnostics

/// Evaluates checked expressions. Pure and deterministic: the only inputs are the expression, the
/// field values and the clock value passed in; no wall clock, no I/O, no randomness.
///
/// Semantics of missing values (an unset field is `null`):
/// - arithmetic, negation and functions with a `null` operand give `null` (except `has` and
///   `coalesce`, whose point is to handle it);
/// - `==` and `!=` treat `null` as a value (`null == null`); every other comparison with `null`
///   is false, and so is `x in list` when `x` or the list is `null`;
/// - `and`, `or` and `not` read `null` as false;
/// - a condition that evaluates to `null` counts as false (``evaluateCondition(_:values:clock:fuel:)``).
///
/// Every node evaluated costs one unit of fuel and every list element visited one more; running
/// out is FC0432, never a hang. Overflow is FC0433, division by zero FC0430, never a trap.
public enum ExprEvaluator {
    /// The fuel of an evaluation unless the caller says otherwise.
    public static let defaultFuel = 10_000

    /// Evaluates with field values given by position.
    ///
    /// - Parameters:
    ///   - checked: an expression that checked without errors (FC0435 otherwise).
    ///   - fieldValues: the value of each of `checked.referencedFields`, in that order (missing
    ///     trailing entries are `null`). Hosts that keep deal fields in dense slots map them once
    ///     and evaluate without any lookup by name.
    ///   - clock: the instant `now()` and `today()` return.
    ///   - fuel: the budget (see the type's documentation).
    /// - Returns: the value, or why evaluation stopped.
    ///   - revision: the evaluation's rules (``ExprRevision``): the current ones, unless a runner
    ///     replays an event stepped under older rules.
    public static func evaluate(
        _ checked: CheckedExpr, fieldValues: [ExprValue], clock: ExprClock, fuel: Int = defaultFuel, revision: ExprRevision = .current
    ) -> Result<ExprValue, ExprEvalError> {
        guard !checked.hasErrors, let root = checked.root else {
            return .failure(ExprEvalError(ExprMessages.uncheckedExpression, 0..<checked.parsed.text.utf8.count, []))
        }
        var machine = Machine(checked: checked, fields: fieldValues, clock: clock, fuel: fuel, revision: revision)
        do {
            var value = try machine.run(root)
            if checked.expected == .decimal, case .integer(let integer) = value { value = .decimal(ExprDecimal(integer)) }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// Evaluates with field values looked up by path (once per referenced field).
    ///
    /// - Parameters:
    ///   - checked: an expression that checked without errors.
    ///   - values: the deal's field values; nil or `.null` for unset fields.
    ///   - clock: the instant `now()` and `today()` return.
    ///   - fuel: the budget.
    public static func evaluate(
        _ checked: CheckedExpr, values: some ExprValueSource, clock: ExprClock, fuel: Int = defaultFuel
    ) -> Result<ExprValue, ExprEvalError> {
        evaluate(checked, fieldValues: checked.referencedFields.map { values.value(of: $0) ?? .null }, clock: clock, fuel: fuel)
    }

    /// Evaluates with field values from a closure (called once per referenced field).
    public static func evaluate(
        _ checked: CheckedExpr, clock: ExprClock, fuel: Int = defaultFuel, values: (String) -> ExprValue?
    ) -> Result<ExprValue, ExprEvalError> {
        evaluate(checked, fieldValues: checked.referencedFields.map { values($0) ?? .null }, clock: clock, fuel: fuel)
    }

    /// Evaluates a condition (`when:`, `if:`): `null` counts as false.
    ///
    /// - Returns: the truth value; FC0423 if the value is neither boolean nor null (only possible
    ///   when the expression was checked without `expecting: .boolean`).
    public static func evaluateCondition(
        _ checked: CheckedExpr, values: some ExprValueSource, clock: ExprClock, fuel: Int = defaultFuel
    ) -> Result<Bool, ExprEvalError> {
        evaluate(checked, values: values, clock: clock, fuel: fuel).flatMap { value in
            switch value {
            case .boolean(let truth): return .success(truth)
            case .null: return .success(false)
            default:
                let range = checked.root.map { checked.tree.range(of: $0) } ?? 0..<0
                return .failure(ExprEvalError(ExprMessages.conditionNotBoolean, range, [value.kindName]))
            }
        }
    }

    /// The value of an expression that depends on nothing (no fields, no clock), e.g. to find
    /// conditions that are always false; nil when it depends on something, has errors, or fails.
    public static func constantValue(of checked: CheckedExpr) -> ExprValue? {
        guard checked.isConstant else { return nil }
        if case .success(let value) = evaluate(checked, fieldValues: [], clock: .epoch) { return value }
        return nil
    }
}

extension CheckedExpr {
    /// ``ExprEvaluator/constantValue(of:)`` of this expression.
    public var constantValue: ExprValue? { ExprEvaluator.constantValue(of: self) }
}

/// The rules an evaluation follows. A runner evaluates an event's expressions by the rules it
/// was stepped under (its runner rules, docs/runtime.md §12), so that an older log replays as it
/// ran.
public enum ExprRevision: Sendable, Hashable {
    /// Texts compare by their Unicode code points, as written (the UTF-8 bytes: what `len`
    /// counts and a store compares), in `==`, `<`, `in`, `contains`, `starts_with` and
    /// `ends_with`; a date or datetime moved past the years 1 to 9999 overflows (FC0433).
    case current
    /// Up to runner rules 6: texts compared by Swift's `String` rules (canonically equivalent
    /// texts equal: `é` and `e` + U+0301), and moved dates unbounded but by 64-bit seconds.
    case upToRules6
}

/// A failure inside an operation, before the node's range is known.
private struct OperationFailure: Error {
    let spec: MessageSpec
    let arguments: [String]

    init(_ spec: MessageSpec, _ arguments: [String] = []) {
        self.spec = spec
        self.arguments = arguments
    }
}

/// An explicit-stack interpreter over the tree: no recursion, so a long chain of operators cannot
/// exhaust the thread's stack.
private struct Machine {
    let tree: ExprTree
    let types: [ExprType?]
    let slots: [Int32]
    let fieldTypes: [ExprType]
    let callTargets: [ExprBuiltin?]
    let rawFields: [ExprValue]
    let clock: ExprClock
    let revision: ExprRevision
    let budget: Int
    var fuel: Int
    /// Field values checked against their declared types, on first use.
    var loaded: [ExprValue?]
    var values: [ExprValue] = []
    /// Pending work: a node and how far its evaluation has got (0 = not started).
    var work: [(id: ExprID, stage: UInt8)] = []

    init(checked: CheckedExpr, fields: [ExprValue], clock: ExprClock, fuel: Int, revision: ExprRevision) {
        self.revision = revision
        self.tree = checked.tree
        self.types = checked.types
        self.slots = checked.fieldSlots
        self.fieldTypes = checked.fieldTypes
        self.callTargets = checked.callTargets
        self.rawFields = fields
        self.clock = clock
        self.budget = fuel
        self.fuel = fuel
        self.loaded = Array(repeating: nil, count: checked.fieldTypes.count)
    }

    mutating func run(_ root: ExprID) throws(ExprEvalError) -> ExprValue {
        work.append((root, 0))
        while let (id, stage) = work.popLast() {
            do {
                try step(id, stage)
            } catch {
                throw ExprEvalError(error.spec, tree.range(of: id), error.arguments)
            }
        }
        return values.popLast() ?? .null
    }

    mutating func charge(_ cost: Int) throws(OperationFailure) {
        guard fuel >= cost else {
            fuel = 0
            throw OperationFailure(ExprMessages.fuelExhausted, [String(budget)])
        }
        fuel -= cost
    }

    mutating func pop() -> ExprValue { values.popLast() ?? .null }

    mutating func pop(_ count: Int) -> [ExprValue] {
        let n = min(count, values.count)
        let items = Array(values.suffix(n))
        values.removeLast(n)
        return items
    }

    mutating func push(_ id: ExprID, _ stage: UInt8) { work.append((id, stage)) }

    /// Children are pushed last-first, so the first is evaluated first.
    mutating func pushAll(_ ids: [ExprID]) {
        for id in ids.reversed() { work.append((id, 0)) }
    }

    /// The value in the form the node's static type promises (a call or operation may produce
    /// an integer where the checker joined to decimal, or text where it typed an enum).
    func promoted(_ value: ExprValue, for id: ExprID) -> ExprValue {
        switch (types[id.index], value) {
        case (.decimal?, .integer(let integer)): .decimal(ExprDecimal(integer))
        case (.enumeration?, .text(let text)): .enumValue(text)
        default: value
        }
    }

    // MARK: Steps

    mutating func step(_ id: ExprID, _ stage: UInt8) throws(OperationFailure) {
        switch tree[id] {
        case .literal(let literal):
            try charge(1)
            values.append(literal.value)
        case .field:
            try charge(1)
            values.append(try field(id))
        case .unary(let op, let operand):
            if stage == 0 {
                try charge(1)
                push(id, 1)
                push(operand, 0)
            } else {
                values.append(try unary(op, pop()))
            }
        case .binary(let op, let lhs, let rhs, _):
            try binary(id, stage, op, lhs, rhs)
        case .list(let elements):
            if stage == 0 {
                try charge(1)
                push(id, 1)
                pushAll(elements)
            } else {
                values.append(.list(pop(elements.count)))
            }
        case .call(let name, let arguments, _):
            guard let builtin = callTargets[id.index] else {
                throw OperationFailure(ExprMessages.unknownFunction, [name])
            }
            try call(id, stage, builtin, arguments)
        }
    }

    mutating func field(_ id: ExprID) throws(OperationFailure) -> ExprValue {
        let slot = Int(slots[id.index])
        guard slot >= 0, slot < fieldTypes.count else { return .null }
        if let value = loaded[slot] { return value }
        let raw = slot < rawFields.count ? rawFields[slot] : .null
        let declared = fieldTypes[slot]
        guard let value = try conform(raw, to: declared) else {
            throw OperationFailure(ExprMessages.fieldValueType, [tree.fieldPath(id) ?? "?", raw.kindName, declared.description])
        }
        loaded[slot] = value
        return value
    }

    /// The value in the form the declared type promises, or nil when it does not fit. Lenient where
    /// hosts reasonably differ: integers for decimals, plain numbers for money in the declared
    /// currency, text for enum values.
    mutating func conform(_ value: ExprValue, to type: ExprType) throws(OperationFailure) -> ExprValue? {
        switch (type, value) {
        case (_, .null): return .null
        case (.text, .text), (.integer, .integer), (.decimal, .decimal), (.boolean, .boolean),
             (.date, .date), (.datetime, .datetime), (.duration, .duration):
            return value
        case (.decimal, .integer(let integer)):
            return .decimal(ExprDecimal(integer))
        case (.money(let currency), .money(_, let actual)):
            return currency == actual ? value : nil
        case (.money(let currency), .integer(let integer)):
            return .money(amount: ExprDecimal(integer), currency: currency)
        case (.money(let currency), .decimal(let amount)):
            return .money(amount: amount, currency: currency)
        case (.enumeration(let values), .enumValue(let name)), (.enumeration(let values), .text(let name)):
            return values.contains(name) ? .enumValue(name) : nil
        case (.list(let element), .list(let items)):
            try charge(items.count)
            var out: [ExprValue] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let conformed = try conform(item, to: element) else { return nil }
                out.append(conformed)
            }
            return .list(out)
        default:
            return nil
        }
    }

    mutating func binary(_ id: ExprID, _ stage: UInt8, _ op: ExprBinaryOperator, _ lhs: ExprID, _ rhs: ExprID) throws(OperationFailure) {
        if op == .and || op == .or {
            switch stage {
            case 0:
                try charge(1)
                push(id, 1)
                push(lhs, 0)
            case 1:
                let left = Self.truth(pop())
                if left == (op == .or) {
                    values.append(.boolean(left))  // decided: false and …, true or …
                } else {
                    push(id, 2)
                    push(rhs, 0)
                }
            default:
                values.append(.boolean(Self.truth(pop())))
            }
            return
        }
        if stage == 0 {
            try charge(1)
            push(id, 1)
            push(rhs, 0)
            push(lhs, 0)
            return
        }
        let right = pop()
        let left = pop()
        let result: ExprValue
        switch op {
        case .equal: result = .boolean(try equal(left, right))
        case .notEqual: result = .boolean(try !equal(left, right))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            result = .boolean(try ordered(op, left, right))
        case .in: result = .boolean(try member(left, right))
        case .add: result = try add(left, right)
        case .subtract: result = try subtract(left, right)
        case .multiply: result = try multiply(left, right)
        case .divide: result = try divide(left, right)
        case .remainder: result = try remainder(left, right)
        case .and, .or: result = .null  // handled above
        }
        values.append(promoted(result, for: id))
    }

    static func truth(_ value: ExprValue) -> Bool {
        if case .boolean(let truth) = value { return truth }
        return false
    }

    // MARK: Comparison

    /// `==` on two values: `null` equals only `null`; numbers compare across integer/decimal;
    /// enum values compare with text; lists element by element (each costs fuel).
    mutating func equal(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.enumValue(let x), .text(let y)), (.text(let x), .enumValue(let y)), (.enumValue(let x), .enumValue(let y)):
            return revision == .current ? Self.textOrder(x, y) == 0 : x == y
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            try charge(x.count)
            for (p, q) in zip(x, y) where try !equal(p, q) { return false }
            return true
        default:
            if let order = try compare(a, b) { return order == 0 }
            return a == b
        }
    }

    /// -1, 0 or 1: texts in the order of their Unicode code points (their UTF-8 bytes), as
    /// written. Not Swift's `String` comparison, which takes canonically equivalent texts for
    /// equal (`é` as one code point and as `e` + a combining accent): a store compares bytes, and
    /// `len` counts code points, so all three agree (IR review F6); nor can the answer change
    /// with the Unicode tables of another Swift.
    static func textOrder(_ x: String, _ y: String) -> Int {
        var a = x.utf8.makeIterator(), b = y.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let p?, let q?): if p != q { return p < q ? -1 : 1 }
            }
        }
    }

    /// -1, 0 or 1 for values of one ordered kind; nil when they are not ordered against each other.
    func compare(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return sign(x, y)
        case (.integer(let x), .decimal(let y)): return sign(ExprDecimal(x), y)
        case (.decimal(let x), .integer(let y)): return sign(x, ExprDecimal(y))
        case (.decimal(let x), .decimal(let y)): return sign(x, y)
        case (.money(let x, let c), .money(let y, let d)):
            guard c == d else { throw OperationFailure(ExprMessages.currencyMismatch, [a.kindName, b.kindName]) }
            return sign(x, y)
        case (.text(let x), .text(let y)): return revision == .current ? Self.textOrder(x, y) : sign(x, y)
        case (.date(let x), .date(let y)), (.datetime(let x), .datetime(let y)), (.duration(let x), .duration(let y)):
            return sign(x, y)
        default: return nil
        }
    }

    mutating func ordered(_ op: ExprBinaryOperator, _ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> Bool {
        if a.isNull || b.isNull { return false }
        guard let order = try compare(a, b) else {
            throw OperationFailure(ExprMessages.operandTypes, [op.symbol, a.kindName, b.kindName])
        }
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        default: return order >= 0
        }
    }

    mutating func member(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> Bool {
        if a.isNull || b.isNull { return false }
        guard case .list(let items) = b else {
            throw OperationFailure(ExprMessages.operandTypes, ["in", a.kindName, b.kindName])
        }
        for item in items {
            try charge(1)
            if try equal(a, item) { return true }
        }
        return false
    }

    // MARK: Arithmetic

    static func overflow(_ op: String) -> OperationFailure { OperationFailure(ExprMessages.arithmeticOverflow, [op]) }

    static func mismatch(_ op: String, _ a: ExprValue, _ b: ExprValue) -> OperationFailure {
        OperationFailure(ExprMessages.operandTypes, [op, a.kindName, b.kindName])
    }

    /// Both operands as decimals, if both are numbers.
    static func decimals(_ a: ExprValue, _ b: ExprValue) -> (ExprDecimal, ExprDecimal)? {
        func decimal(_ v: ExprValue) -> ExprDecimal? {
            switch v {
            case .integer(let x): ExprDecimal(x)
            case .decimal(let x): x
            default: nil
            }
        }
        guard let x = decimal(a), let y = decimal(b) else { return nil }
        return (x, y)
    }

    static func checked(_ result: (partialValue: Int64, overflow: Bool), _ op: String) throws(OperationFailure) -> Int64 {
        guard !result.overflow else { throw overflow(op) }
        return result.partialValue
    }

    static func decimal(_ value: ExprDecimal?, _ op: String) throws(OperationFailure) -> ExprDecimal {
        guard let value else { throw overflow(op) }
        return value
    }

    /// A date moved by a duration, truncated to the day (a date is its midnight, UTC).
    func shift(days: Int64, by seconds: Int64, _ op: String) throws(OperationFailure) -> ExprValue {
        let midnight = try Self.checked(days.multipliedReportingOverflow(by: 86_400), op)
        let moved = try Self.checked(midnight.addingReportingOverflow(seconds), op)
        return .date(days: CivilCalendar.floorDiv(try inYears(moved, op), 86_400))
    }

    /// An instant a date or datetime was moved to, within the years 1 to 9999 as every date
    /// flowc reads, stores and shows is; past them the operation overflows (IR review F8: a
    /// computed date in the year 19 million was stored, then shown as `date(7000019842)` and
    /// blank in the deal list).
    func inYears(_ seconds: Int64, _ op: String) throws(OperationFailure) -> Int64 {
        guard revision == .upToRules6 || (CivilCalendar.firstInstant...CivilCalendar.lastInstant).contains(seconds) else { throw Self.overflow(op) }
        return seconds
    }

    func add(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> ExprValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.integer(let x), .integer(let y)): return .integer(try Self.checked(x.addingReportingOverflow(y), "+"))
        case (.money(let x, let c), .money(let y, let d)):
            guard c == d else { throw OperationFailure(ExprMessages.currencyMismatch, [a.kindName, b.kindName]) }
            return .money(amount: try Self.decimal(x.adding(y), "+"), currency: c)
        case (.text(let x), .text(let y)): return .text(x + y)
        case (.duration(let x), .duration(let y)): return .duration(seconds: try Self.checked(x.addingReportingOverflow(y), "+"))
        case (.date(let d), .duration(let s)), (.duration(let s), .date(let d)): return try shift(days: d, by: s, "+")
        case (.datetime(let t), .duration(let s)), (.duration(let s), .datetime(let t)):
            return .datetime(seconds: try inYears(try Self.checked(t.addingReportingOverflow(s), "+"), "+"))
        default:
            guard let (x, y) = Self.decimals(a, b) else { throw Self.mismatch("+", a, b) }
            return .decimal(try Self.decimal(x.adding(y), "+"))
        }
    }

    func subtract(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> ExprValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.integer(let x), .integer(let y)): return .integer(try Self.checked(x.subtractingReportingOverflow(y), "-"))
        case (.money(let x, let c), .money(let y, let d)):
            guard c == d else { throw OperationFailure(ExprMessages.currencyMismatch, [a.kindName, b.kindName]) }
            return .money(amount: try Self.decimal(x.subtracting(y), "-"), currency: c)
        case (.duration(let x), .duration(let y)):
            return .duration(seconds: try Self.checked(x.subtractingReportingOverflow(y), "-"))
        case (.date(let d), .duration(let s)):
            guard s != .min else { throw Self.overflow("-") }
            return try shift(days: d, by: -s, "-")
        case (.date(let x), .date(let y)):
            let days = try Self.checked(x.subtractingReportingOverflow(y), "-")
            return .duration(seconds: try Self.checked(days.multipliedReportingOverflow(by: 86_400), "-"))
        case (.datetime(let t), .duration(let s)):
            return .datetime(seconds: try inYears(try Self.checked(t.subtractingReportingOverflow(s), "-"), "-"))
        case (.datetime(let x), .datetime(let y)):
            return .duration(seconds: try Self.checked(x.subtractingReportingOverflow(y), "-"))
        default:
            guard let (x, y) = Self.decimals(a, b) else { throw Self.mismatch("-", a, b) }
            return .decimal(try Self.decimal(x.subtracting(y), "-"))
        }
    }

    func multiply(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> ExprValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.integer(let x), .integer(let y)): return .integer(try Self.checked(x.multipliedReportingOverflow(by: y), "*"))
        case (.money(let x, let c), .integer), (.money(let x, let c), .decimal):
            guard let (_, y) = Self.decimals(.integer(0), b) else { throw Self.mismatch("*", a, b) }
            return .money(amount: try Self.decimal(x.multiplied(by: y), "*"), currency: c)
        case (.integer, .money), (.decimal, .money):
            return try multiply(b, a)
        case (.duration(let s), .integer(let n)), (.integer(let n), .duration(let s)):
            return .duration(seconds: try Self.checked(s.multipliedReportingOverflow(by: n), "*"))
        default:
            guard let (x, y) = Self.decimals(a, b) else { throw Self.mismatch("*", a, b) }
            return .decimal(try Self.decimal(x.multiplied(by: y), "*"))
        }
    }

    func divide(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> ExprValue {
        let byZero = OperationFailure(ExprMessages.divisionByZero)
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.money(let x, let c), .money(let y, let d)):
            guard c == d else { throw OperationFailure(ExprMessages.currencyMismatch, [a.kindName, b.kindName]) }
            guard !y.isZero else { throw byZero }
            return .decimal(try Self.decimal(x.divided(by: y), "/"))
        case (.money(let x, let c), _):
            guard let (_, y) = Self.decimals(.integer(0), b) else { throw Self.mismatch("/", a, b) }
            guard !y.isZero else { throw byZero }
            return .money(amount: try Self.decimal(x.divided(by: y), "/"), currency: c)
        case (.duration(let s), .integer(let n)):
            guard n != 0 else { throw byZero }
            return .duration(seconds: try Self.checked(s.dividedReportingOverflow(by: n), "/"))
        default:
            guard let (x, y) = Self.decimals(a, b) else { throw Self.mismatch("/", a, b) }
            guard !y.isZero else { throw byZero }
            return .decimal(try Self.decimal(x.divided(by: y), "/"))
        }
    }

    func remainder(_ a: ExprValue, _ b: ExprValue) throws(OperationFailure) -> ExprValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.integer(let x), .integer(let y)):
            guard y != 0 else { throw OperationFailure(ExprMessages.divisionByZero) }
            return .integer(try Self.checked(x.remainderReportingOverflow(dividingBy: y), "%"))
        default:
            throw Self.mismatch("%", a, b)
        }
    }

    func unary(_ op: ExprUnaryOperator, _ value: ExprValue) throws(OperationFailure) -> ExprValue {
        switch (op, value) {
        case (.not, _): return .boolean(!Self.truth(value))
        case (.negate, .null): return .null
        case (.negate, .integer(let x)):
            guard x != .min else { throw Self.overflow("-") }
            return .integer(-x)
        case (.negate, .decimal(let x)): return .decimal(try Self.decimal(x.negated(), "-"))
        case (.negate, .money(let x, let c)): return .money(amount: try Self.decimal(x.negated(), "-"), currency: c)
        case (.negate, .duration(let s)):
            guard s != .min else { throw Self.overflow("-") }
            return .duration(seconds: -s)
        default:
            throw OperationFailure(ExprMessages.unaryOperandType, [op.symbol, value.kindName])
        }
    }

    // MARK: Calls

    mutating func call(_ id: ExprID, _ stage: UInt8, _ builtin: ExprBuiltin, _ arguments: [ExprID]) throws(OperationFailure) {
        switch builtin {
        case .has:
            try charge(1)
            guard let argument = arguments.first else { throw OperationFailure(ExprMessages.hasNeedsField) }
            let slot = Int(slots[argument.index])
            let raw = slot >= 0 && slot < rawFields.count ? rawFields[slot] : .null
            values.append(.boolean(!raw.isNull))
        case .coalesce:
            // Lazy: the fallback is evaluated only when needed.
            switch stage {
            case 0:
                try charge(1)
                guard arguments.count == 2 else { throw OperationFailure(ExprMessages.wrongArgumentCount, ["coalesce", "2", String(arguments.count)]) }
                push(id, 1)
                push(arguments[0], 0)
            case 1:
                let first = pop()
                if first.isNull {
                    push(id, 2)
                    push(arguments[1], 0)
                } else {
                    values.append(promoted(first, for: id))
                }
            default:
                values.append(promoted(pop(), for: id))
            }
        default:
            if stage == 0 {
                try charge(1)
                push(id, 1)
                pushAll(arguments)
                return
            }
            let argumentValues = pop(arguments.count)
            values.append(promoted(try apply(builtin, argumentValues), for: id))
        }
    }

    func apply(_ builtin: ExprBuiltin, _ args: [ExprValue]) throws(OperationFailure) -> ExprValue {
        switch builtin {
        case .today: return .date(days: clock.today)
        case .now: return .datetime(seconds: clock.now)
        default: break
        }
        // Functions other than `has` and `coalesce` give null for a null argument.
        guard builtin.arity.contains(args.count) else {
            throw OperationFailure(ExprMessages.wrongArgumentCount, [builtin.rawValue, builtin.arityText, String(args.count)])
        }
        if args.contains(.null) { return .null }
        let a = args[0]
        func wrong(_ index: Int, _ expected: String) -> OperationFailure {
            OperationFailure(ExprMessages.argumentType, [String(index + 1), builtin.rawValue, args[index].kindName, expected])
        }
        switch builtin {
        case .len:
            switch a {
            case .text(let text): return .integer(Int64(text.unicodeScalars.count))
            case .list(let items): return .integer(Int64(items.count))
            default: throw wrong(0, "text | list")
            }
        case .lower, .upper, .trim:
            guard case .text(let text) = a else { throw wrong(0, "text") }
            switch builtin {
            case .lower: return .text(text.lowercased())
            case .upper: return .text(text.uppercased())
            default: return .text(Self.trimmed(text))
            }
        case .contains, .startsWith, .endsWith:
            guard case .text(let text) = a else { throw wrong(0, "text") }
            guard case .text(let part) = args[1] else { throw wrong(1, "text") }
            switch builtin {
            case _ where revision == .upToRules6:
                switch builtin {
                case .contains: return .boolean(part.isEmpty || text.contains(part))
                case .startsWith: return .boolean(text.hasPrefix(part))
                default: return .boolean(text.hasSuffix(part))
                }
            // On code points, as `==` compares (a UTF-8 needle can only match whole code points).
            case .contains: return .boolean(part.isEmpty || text.utf8.firstRange(of: part.utf8) != nil)
            case .startsWith: return .boolean(text.utf8.starts(with: part.utf8))
            default: return .boolean(text.utf8.count >= part.utf8.count && text.utf8.suffix(part.utf8.count).elementsEqual(part.utf8))
            }
        case .abs:
            switch a {
            case .integer(let x):
                guard x != .min else { throw Self.overflow("abs") }
                return .integer(Swift.abs(x))
            case .decimal(let x): return .decimal(try Self.decimal(x.magnitude, "abs"))
            case .money(let x, let c): return .money(amount: try Self.decimal(x.magnitude, "abs"), currency: c)
            default: throw wrong(0, "integer | decimal | money")
            }
        case .min, .max:
            guard let order = try compare(a, args[1]) else { throw wrong(1, a.kindName) }
            return (order <= 0) == (builtin == .min) ? a : args[1]
        case .round:
            var places: Int64 = 0
            if args.count > 1 {
                guard case .integer(let n) = args[1] else { throw wrong(1, "integer") }
                guard n >= 0, n <= Int64(ExprDecimal.maxScale) else {
                    throw OperationFailure(ExprMessages.argumentOutOfRange, ["2", "round", "0", String(ExprDecimal.maxScale), String(n)])
                }
                places = n
            }
            switch a {
            case .integer(let x): return .decimal(ExprDecimal(x))
            case .decimal(let x): return .decimal(try Self.decimal(x.rounded(places: Int(places)), "round"))
            case .money(let x, let c): return .money(amount: try Self.decimal(x.rounded(places: Int(places)), "round"), currency: c)
            default: throw wrong(0, "integer | decimal | money")
            }
        case .days:
            guard case .duration(let seconds) = a else { throw wrong(0, "duration") }
            return .integer(seconds / 86_400)
        case .date:
            guard case .text(let text) = a else { throw wrong(0, "text") }
            guard let days = CivilCalendar.parseDate(text) else { throw OperationFailure(ExprMessages.invalidDate, [text]) }
            return .date(days: days)
        case .datetime:
            guard case .text(let text) = a else { throw wrong(0, "text") }
            guard let seconds = CivilCalendar.parseDatetime(text) else { throw OperationFailure(ExprMessages.invalidDatetime, [text]) }
            return .datetime(seconds: seconds)
        case .has, .coalesce, .today, .now:
            return .null  // handled by the caller
        }
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}

extension ExprLiteral {
    var value: ExprValue {
        switch self {
        case .null: .null
        case .boolean(let value): .boolean(value)
        case .integer(let value): .integer(value)
        case .decimal(let value): .decimal(value)
        case .text(let text): .text(text)
        case .money(let amount, let currency): .money(amount: amount, currency: currency)
        case .duration(let seconds): .duration(seconds: seconds)
        }
    }
}
