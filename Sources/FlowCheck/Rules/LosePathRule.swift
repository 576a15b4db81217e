import FlowDiagnostics
import FlowSyntax

/// Losing a deal leads through its follow-up to a `lost` end, and winning is possible.
///
/// Rejects a lose path (from `lose.via`) that can reach a `won` end or cannot reach a `lost`
/// one (unless a node on it leads somewhere unknown, which is reported already), and
/// `lose.from` entries that are already ends; warns when no `won` node exists, and of a
/// `probability` above 0 on the lose path, where a deal is forecast at 0.
/// Language reference: "lose".
enum LosePathRule: TemplateRule {
    static let name = "LosePathRule"
    static let summary = "the lose path ends in `lost`; some node is `won`"
    static let codes = [CheckMessages.loseEnd, CheckMessages.loseFromTerminal, CheckMessages.noWon, CheckMessages.loseReasonField,
                        CheckMessages.probabilityOnLosePath]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        guard !t.main.isFragment, !t.nodes.isEmpty else { return }
        // A node whose kind could not be read (reported already) may be the `won` end.
        if !t.nodes.contains(where: { $0.effectiveKind == .won || $0.unreadKeys.contains("kind") }) {
            ctx.report(CheckMessages.noWon.at(t.main.header?.id?.span ?? t.main.span))
        }
        guard let lose = t.lose else { return deadProbabilities([], &ctx) }
        var onLosePath: [Bool] = []
        if let via = lose.via, let v = ctx.nodeIndex[via.value] {
            let seen = ctx.graph.reachable(from: [v]) { $0.isForward }
            onLosePath = seen
            let won = seen.indices.first { seen[$0] && t.nodes[$0].effectiveKind == .won }
            let lost = seen.indices.contains { seen[$0] && t.nodes[$0].effectiveKind == .lost }
            if let w = won {
                ctx.report(CheckMessages.loseEnd.at(via.span, via.value).label(t.nodes[w].id.span, CheckMessages.Formats.lostCouldBeWon))
            } else if !lost, !seen.indices.contains(where: { seen[$0] && ctx.hasUnknownTransitions[$0] }) {
                ctx.report(CheckMessages.loseEnd.at(via.span, via.value))
            }
        }
        deadProbabilities(onLosePath, &ctx)
        for f in lose.from ?? [] {
            guard let i = ctx.nodeIndex[f.value] else { continue }
            if t.nodes[i].effectiveKind.isTerminal {
                ctx.report(CheckMessages.loseFromTerminal.at(f.span, f.value, t.nodes[i].effectiveKind.rawValue))
            } else if onLosePath.indices.contains(i), onLosePath[i], let via = lose.via {
                // A deal there is being lost already and cannot be lost again (review of the
                // checker, C12: the only sign was two unreachable nodes).
                ctx.report(CheckMessages.loseFromTerminal.at(f.span, format: CheckMessages.Formats.loseFromLosePath, f.value)
                    .label(via.span, CheckMessages.Formats.losePathStartsHere))
            }
        }
        if let ref = lose.reasonField { checkReasonField(ref, lose, &ctx) }
    }

    /// A `probability` above 0 where a deal can no longer be won, so that it is forecast at 0
    /// (runner rules 11 and 13): on the lose path (QA round 33, Q8), or on any node whose
    /// transitions lead to `lost` and never to `won` (QA round 34, S8). Nothing is said of a flow
    /// without a `won` node (FC0512 is), nor of a lose path that reaches one (FC0511 is).
    static func deadProbabilities(_ onLosePath: [Bool], _ ctx: inout RuleContext) {
        let t = ctx.template
        let won = t.nodes.map { $0.effectiveKind == .won }
        guard won.contains(true) else { return }
        let canWin = ctx.graph.canReach(won) { $0.isForward }
        // Led to `lost` only: in a flow whose transitions are not all known (an error is said
        // already), a node that reaches no end is not said to be lost.
        let canLose = ctx.graph.canReach(t.nodes.map { $0.effectiveKind == .lost }) { $0.isForward }
        for i in t.nodes.indices where i < canWin.count && !canWin[i] && canLose[i] && ctx.isFirstDefinition[i] {
            guard let p = t.nodes[i].probability, p.value > 0 else { continue }
            if onLosePath.indices.contains(i), onLosePath[i], let via = t.lose?.via {
                ctx.report(CheckMessages.probabilityOnLosePath.at(p.span, String(p.value), t.nodes[i].id.value)
                    .label(via.span, CheckMessages.Formats.losePathStartsHere))
            } else {
                ctx.report(CheckMessages.probabilityOnLosePath.at(p.span, format: CheckMessages.Formats.probabilityNeverWon, String(p.value), t.nodes[i].id.value))
            }
        }
    }

    /// `lose.reason_field`: a declared text field, or an enum with every reason among its values;
    /// not computed; and there are reasons to write.
    static func checkReasonField(_ ref: Located<String>, _ lose: LoseSyntax, _ ctx: inout RuleContext) {
        typealias F = CheckMessages.Formats
        let names = ctx.template.fields.map(\.id.value)
        guard let i = ctx.fieldIndex[ref.value] else {
            ctx.reportUnknown(CheckMessages.unknownField, ref, known: names)
            return
        }
        let field = ctx.template.fields[i]
        func report(_ why: String, help: String? = nil) {
            let d = CheckMessages.loseReasonField.at(ref.span, ref.value, why).label(field.id.span, F.definedHere, field.id.value)
            ctx.report(help.map { d.help($0) } ?? d)
        }
        if field.compute != nil { return report(F.reasonFieldComputed) }
        switch field.type?.value {
        case .text?: break
        case .enum?:
            if let missing = lose.reasons.first(where: { r in !field.values.contains { $0.value == r.value } }) {
                // What to change, either side (QA round 44, A12: no help).
                return report(Message(F.reasonNotAValue, [missing.value]).text,
                              help: Message(F.addReasonToValues, [missing.value, field.id.value]).text)
            }
        case let other?: return report(Message(F.reasonFieldType, [other.rawValue]).text)
        case nil: return
        }
        if lose.reasons.isEmpty { report(F.noReasons) }
    }
}
