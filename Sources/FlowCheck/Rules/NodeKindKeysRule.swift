import FlowDiagnostics
import FlowSyntax

/// Each node uses the keys of its kind.
///
/// Rejects `outcomes` on a task, `next` on an approval or an end, `branches`/`join` outside a
/// fork, an owner-less task or approval, a task without `next`, an approval with fewer than
/// two outcomes, a fork with fewer than two branches or no join. Language reference: "nodes".
enum NodeKindKeysRule: TemplateRule {
    static let name = "NodeKindKeysRule"
    static let summary = "each node has the keys its kind needs and none it cannot use"
    static let codes = [CheckMessages.keyNotForKind, CheckMessages.keyNeededForKind, CheckMessages.noNodes]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        if t.nodes.isEmpty {
            // Nodes may come from a file that could not be loaded; a fragment needs none.
            if !t.main.isFragment, !t.isIncomplete {
                ctx.report(CheckMessages.noNodes.at(t.main.nodesSpan ?? t.main.header?.id?.span ?? t.main.header?.span ?? t.main.span))
            }
            return
        }
        // A node whose kind could not be read is reported already; its keys cannot be judged.
        for n in t.nodes where !n.unreadKeys.contains("kind") {
            let kind = n.effectiveKind
            let k = kind.rawValue
            let at = n.id.span
            func notFor(_ key: String, _ span: SourceSpan?, help: String? = nil) {
                guard let span else { return }
                let d = CheckMessages.keyNotForKind.at(span, key, k)
                ctx.report(help.map { d.help($0) } ?? d)
            }
            // A key that is written but could not be read (or was misspelt) is reported already.
            func written(_ key: String) -> Bool { n.unreadKeys.contains(key) || n.unreadKeys.contains("*") }
            func needs(_ key: String, _ present: Bool) {
                if !present, !written(key) { ctx.report(CheckMessages.keyNeededForKind.at(at, k, key)) }
            }
            func needsTwo(_ key: String, _ count: Int, _ span: SourceSpan?) {
                guard count < 2, !written(key) else { return }
                if let span {
                    ctx.report(CheckMessages.keyNeededForKind.at(span, format: CheckMessages.Formats.needsAtLeastTwo, k, key))
                } else {
                    needs(key, false)
                }
            }
            let nextSpan: SourceSpan? = switch n.next {
            case .single(let s)?: s.span
            case .conditional(_, let span)?: span
            case nil: nil
            }
            switch kind {
            case .task, .join:
                if kind == .join { notFor("when", n.when?.span) }
                notFor("outcomes", n.outcomesSpan)
                notFor("branches", n.branchesSpan)
                notFor("join", n.join?.span)
                needs("next", n.next != nil)
                if kind == .task { needs("owner", n.owner != nil) }
            case .approval:
                // A skipped approval would have no outcome to follow.
                if let w = n.when {
                    ctx.report(CheckMessages.keyNotForKind.at(w.span, "when", k).help(CheckMessages.Formats.conditionOnTransition, n.id.value))
                }
                // Where the deal goes after it is the outcomes' (QA round 44, A12: no help).
                notFor("next", nextSpan, help: CheckMessages.Formats.approvalGoesOnByOutcomes)
                notFor("branches", n.branchesSpan)
                notFor("join", n.join?.span)
                needs("owner", n.owner != nil)
                needsTwo("outcomes", n.outcomes.count, n.outcomesSpan)
            case .fork:
                notFor("next", nextSpan, help: CheckMessages.Formats.forkGoesOnByItsJoin)
                notFor("outcomes", n.outcomesSpan)
                needsTwo("branches", n.branches.count, n.branchesSpan)
                if n.join == nil, !written("join") {
                    // The join its branches lead to, when one join node belongs to no fork (QA round 17).
                    var d = CheckMessages.keyNeededForKind.at(at, k, "join")
                    let orphans = ctx.template.joinsNamedByNoFork
                    if orphans.count == 1, let j = orphans.first {
                        d = d.help(CheckMessages.Formats.joinOfFork, j.id.value)
                    }
                    ctx.report(d)
                }
            case .won, .lost:
                notFor("when", n.when?.span)
                notFor("next", nextSpan, help: CheckMessages.Formats.endHasNoNext)
                notFor("outcomes", n.outcomesSpan)
                notFor("branches", n.branchesSpan)
                notFor("join", n.join?.span)
                if let r = n.rework.first { notFor("rework", r.span) }
            }
        }
    }
}
