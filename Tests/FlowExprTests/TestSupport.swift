import FlowDiagnostics
import FlowExpr

/// The fields of the grammar examples, plus a few more for rules the examples do not reach.
let salesFields = ExprFieldTable([
    "quote": .money(currency: "CNY"),
    "cost": .money(currency: "CNY"),
    "amount": .money(currency: "CNY"),
    "strategic": .boolean,
    "industry": .enumeration(values: ["manufacturing", "retail", "finance"]),
    "close_date": .date,
    "headcount": .integer,
    "discount_rate": .decimal,
    "customer_name": .text,
    "products": .list(.text),
    // Extras.
    "quote_usd": .money(currency: "USD"),
    "last_visit_at": .datetime,
    "follow_up": .duration,
    "regions": .list(.enumeration(values: ["north", "south"])),
    "customer.industry": .enumeration(values: ["manufacturing", "retail", "finance"]),
])

/// 2024-05-01T09:30:00Z.
let testClock = ExprClock(now: 1_714_555_800)

func parse(_ text: String, limits: ExprLimits = .default) -> ParsedExpr {
    ExprParser.parse(text, limits: limits)
}

func check(_ text: String, expecting: ExprType? = nil) -> CheckedExpr {
    ExprChecker.check(text, in: salesFields, expecting: expecting)
}

/// The codes of the diagnostics, in order.
func codes(_ diagnostics: [ExprDiagnostic]) -> [Int] { diagnostics.map(\.code.number) }

/// Checks and evaluates; fails the caller's expectation through the result.
func eval(_ text: String, _ values: [String: ExprValue] = [:], fuel: Int = ExprEvaluator.defaultFuel) -> Result<ExprValue, ExprEvalError> {
    let checked = check(text)
    return ExprEvaluator.evaluate(checked, values: values, clock: testClock, fuel: fuel)
}

/// The value, or nil on any failure (including check errors).
func value(_ text: String, _ values: [String: ExprValue] = [:]) -> ExprValue? {
    try? eval(text, values).get()
}

/// The byte offset of the first occurrence of `needle` in `text`, as a range.
func byteRange(of needle: String, in text: String) -> Range<Int>? {
    let hay = Array(text.utf8)
    let n = Array(needle.utf8)
    guard !n.isEmpty, hay.count >= n.count else { return nil }
    for start in 0...(hay.count - n.count) where Array(hay[start..<(start + n.count)]) == n {
        return start..<(start + n.count)
    }
    return nil
}

func money(_ amount: String, _ currency: String = "CNY") -> ExprValue {
    .money(amount: ExprDecimal(amount) ?? .zero, currency: currency)
}

func decimal(_ text: String) -> ExprValue { .decimal(ExprDecimal(text) ?? .zero) }
