import FlowDiagnostics
import FlowSyntax

/// The report's amount is a field the author knows of.
///
/// `flowc report` sums each deal's amount; templates do not mark the field, so a fixed rule picks
/// it (``ReportFields/amount(_:)``, docs/views.md): `amount`, else a money field named for one,
/// else the first money field. The last is a guess a template with `price_per_seat` before its
/// computed `arr` got wrong without a word: the funnel and the forecast summed the price of a
/// seat (QA round 44, A1). Warns when the report falls back to a money field that another money
/// field is computed from, times a count.
enum ReportFieldsRule: TemplateRule {
    static let name = "ReportFieldsRule"
    static let summary = "the report's amount is a field named for it, not a guess"
    static let codes = [CheckMessages.amountGuessed]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let profile = Set((t.customer?.profile ?? []).map(\.value))
        let candidates = t.fields.map { ReportFields.Candidate(id: $0.id.value, isMoney: $0.type?.value == .money, inProfile: profile.contains($0.id.value)) }
        guard let picked = ReportFields.amount(candidates), !picked.contains("amount"),
              let field = t.fields.first(where: { $0.id.value == picked }) else { return }
        // Only where the guess is plainly not the deal's value: a money field is worked out from
        // it times a count (`arr = price_per_seat * seats`). A first money field from which only
        // a margin (`quote - cost`) or a share (`quote * 0.05`) is worked out is most often the
        // amount.
        let numbers = Set(t.fields.filter { $0.type?.value == .integer || $0.type?.value == .decimal }.map(\.id.value))
        guard let larger = t.fields.first(where: { f in
            guard f.type?.value == .money, f.id.value != picked, let e = f.compute, e.text.contains("*"),
                  let reads = DivisorRule.checkedExpression(e, ctx)?.references.map(\.path) else { return false }
            return reads.contains(picked) && reads.contains(where: numbers.contains)
        }) else { return }
        let currency = field.currency?.value ?? "CNY"
        ctx.report(CheckMessages.amountGuessed.at(field.id.span, picked, larger.id.value)
            .label(larger.id.span, CheckMessages.Formats.workedOutFromIt, larger.id.value)
            .help(CheckMessages.Formats.nameTheAmount, picked, larger.id.value, currency))
    }
}

/// The rule that picks the fields the report reads (docs/views.md, "What the report reads"), in
/// one place for `flowc check` and the host's view columns.
public enum ReportFields {
    public struct Candidate: Sendable {
        public var id: String
        public var isMoney: Bool
        public var inProfile: Bool

        public init(id: String, isMoney: Bool, inProfile: Bool) {
            self.id = id
            self.isMoney = isMoney
            self.inProfile = inProfile
        }
    }

    /// The money field `amount`; else the first money field whose id ends in `amount`
    /// (`expected_amount`, `bid_amount`); else the first whose id contains `amount`; else the
    /// first money field. Never `amount_received`, nor a field of the customer profile (so a
    /// shared fragment's `annual_revenue` is never taken). Nil without one.
    public static func amount(_ fields: [Candidate]) -> String? {
        let money = fields.filter { $0.isMoney && !$0.inProfile }.map(\.id).filter { $0 != "amount_received" }
        if money.contains("amount") { return "amount" }
        if let f = money.first(where: { $0.hasSuffix("amount") }) { return f }
        if let f = money.first(where: { $0.contains("amount") }) { return f }
        return money.first
    }
}
