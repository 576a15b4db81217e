/// The built-in functions. Their type rules live in the checker, their behaviour in the evaluator.
enum ExprBuiltin: String, CaseIterable, Sendable {
    case len, lower, upper, trim
    case contains, startsWith = "starts_with", endsWith = "ends_with"
    case has, coalesce
    case abs, min, max, round
    case days, date, datetime, today, now

    /// How many arguments the function takes.
    var arity: ClosedRange<Int> {
        switch self {
        case .today, .now: 0...0
        case .len, .lower, .upper, .trim, .has, .abs, .days, .date, .datetime: 1...1
        case .contains, .startsWith, .endsWith, .coalesce, .min, .max: 2...2
        case .round: 1...2
        }
    }

    /// `1` or `1-2`, as shown in FC0417.
    var arityText: String {
        arity.lowerBound == arity.upperBound ? String(arity.lowerBound) : "\(arity.lowerBound)-\(arity.upperBound)"
    }

    /// Every function name, sorted, for suggestions and the "known functions" note.
    static let names: [String] = allCases.map(\.rawValue).sorted()
}
