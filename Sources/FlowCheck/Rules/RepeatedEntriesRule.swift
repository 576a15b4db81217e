import FlowDiagnostics
import FlowSyntax

/// Lists of names name each entry once.
///
/// Rejects a name repeated in `requires`, `participants` or `rework` of a node, in
/// `customer.identity`, `profile` or `normalize`, in `lose.from`, in `pool.idle.notify`, and in
/// an effect's recipients or bot card `fields`. A repeat does nothing at run time but is almost
/// always a slip for another name; the template schema marks these lists unique. (Repeats in
/// `remove_nodes` are reported while templates are composed; repeated ids, such as enum values
/// and lose reasons, by `UniqueIDsRule`; repeated fork branches by `ForkBranchesApartRule`.)
/// Language reference: "nodes", "customer", "lose", "pool", "effects".
enum RepeatedEntriesRule: TemplateRule {
    static let name = "RepeatedEntriesRule"
    static let summary = "lists of names (required fields, recipients, rework targets, …) name each entry once"
    static let codes = [CheckMessages.repeatedEntry]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        for n in t.nodes {
            once(&ctx, n.requires, "requires")
            once(&ctx, n.participants, "participants")
            once(&ctx, n.rework, "rework")
            n.onEnter.forEach { effect(&ctx, $0) }
            n.onComplete.forEach { effect(&ctx, $0) }
        }
        if let c = t.customer {
            once(&ctx, c.identity, "customer.identity")
            once(&ctx, c.profile, "customer.profile")
            once(&ctx, c.normalize, "customer.normalize")
        }
        if let from = t.lose?.from { once(&ctx, from, "lose.from") }
        if let notify = t.pool?.idle?.notify { once(&ctx, notify, "pool.idle.notify") }
        for (_, effects) in t.effects { effects.forEach { effect(&ctx, $0) } }
    }

    static func effect(_ ctx: inout RuleContext, _ e: EffectSyntax) {
        once(&ctx, e.recipients, e.kind.value == .groupChat ? "roles" : "to")
        once(&ctx, e.fields, "fields")
    }

    /// Reports each entry of `list` that repeats an earlier one.
    static func once(_ ctx: inout RuleContext, _ list: [Located<String>], _ key: String) {
        guard list.count > 1 else { return }
        var first: [String: SourceSpan] = [:]
        for entry in list {
            guard let earlier = first[entry.value] else {
                first[entry.value] = entry.span
                continue
            }
            ctx.report(CheckMessages.repeatedEntry.at(entry.span, entry.value, key)
                .label(earlier, CheckMessages.Formats.firstListedHere)
                .help(CheckMessages.Formats.removeRepeat))
        }
    }
}
