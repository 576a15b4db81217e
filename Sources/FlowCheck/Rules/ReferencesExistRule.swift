import FlowDiagnostics
import FlowSyntax

/// Every reference to a node, role or field names one that is defined.
///
/// Rejects unknown nodes in `start`, `next`, branches, `outcomes`, fork `branches` and `join`,
/// `rework`, `lose.via` and `lose.from`; unknown roles in `owner`, `participants`,
/// `escalate.to`, effect recipients, `pool.assign_by` and `pool.idle.notify`; unknown fields in
/// `requires` and bot card `fields`. Each comes with a "did you mean" when a close name exists.
/// A reference to a node that `remove_nodes` removed is reported where the fix belongs: at the
/// reference when the checked file wrote it, else at the `remove_nodes` entry, with the other
/// place labelled. A name that may mean a definition without a usable id (a Chinese name used
/// as an id, reported already) is not reported again, unless it is a near miss of a known name.
/// Language reference: "nodes", "roles", "effects".
enum ReferencesExistRule: TemplateRule {
    static let name = "ReferencesExistRule"
    static let summary = "references to nodes, roles and fields resolve"
    static let codes = [CheckMessages.unknownNode, CheckMessages.unknownRole, CheckMessages.unknownField]
    /// Effect recipients that are not roles.
    static let specialRecipients = TemplateParser.reservedRoleIDs

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        // Only needed for messages.
        lazy var nodeNames = t.nodes.map(\.id.value)
        lazy var roleNames = t.roles.map(\.id.value)
        lazy var fieldNames = t.fields.map(\.id.value)
        lazy var joinNames = t.nodes.filter { $0.effectiveKind == .join }.map(\.id.value)
        // The joins forks name that no node defines, and that no join node is a near miss of.
        lazy var missingJoins = Set(t.nodes.compactMap { n in n.join.map(\.value) }
            .filter { ctx.nodeIndex[$0] == nil && Suggestions.closest(to: $0, in: joinNames) == nil })
        /// - Parameter referrer: the node or key that names `ref`, for messages.
        func node(_ ref: Located<String>, _ referrer: String) {
            guard ctx.nodeIndex[ref.value] == nil else { return }
            guard let removed = t.removedNodes.first(where: { $0.value == ref.value }) else {
                // A node without a usable id (reported already) may be the one meant, unless
                // the name is a near miss of a defined node.
                if ctx.mayBeUnnamed(ref.value, t.unnamedNodes, known: nodeNames) { return }
                // The missing join of a fork, named by its branches too: the same help as at `join:`.
                if missingJoins.contains(ref.value) {
                    ctx.report(CheckMessages.unknownNode.at(ref.span, ref.value).help(CheckMessages.Formats.addJoinNode, ref.value))
                    return
                }
                ctx.reportUnknown(CheckMessages.unknownNode, ref, known: nodeNames)
                return
            }
            let text = CheckMessages.Formats.self
            if ref.span.file.path == t.main.file.path {
                ctx.report(CheckMessages.unknownNode.at(ref.span, format: text.removedNode, ref.value)
                    .label(removed.span, text.removedHere))
            } else {
                // An inherited node still leads to a node this template removes.
                ctx.report(CheckMessages.unknownNode.at(removed.span, format: text.removedButReferenced, ref.value, referrer)
                    .label(ref.span, text.stillLeadsHere, referrer)
                    .help(text.replaceReferrer, referrer, ref.value))
            }
        }
        /// A fork's `join`: the guess is a join node, never the fork itself (QA round 17: the
        /// fork `contract_check` was offered for a missing `contract_checked`), and with no near
        /// join the help says to add one.
        func join(_ ref: Located<String>, _ referrer: String) {
            guard ctx.nodeIndex[ref.value] == nil, !t.removedNodes.contains(where: { $0.value == ref.value }) else { return node(ref, referrer) }
            if ctx.mayBeUnnamed(ref.value, t.unnamedNodes, known: joinNames) { return }
            var d = CheckMessages.unknownNode.at(ref.span, ref.value)
            if let guess = Suggestions.closest(to: ref.value, in: joinNames) {
                d = d.help(CheckMessages.Formats.didYouMean, guess).fix(ref.span, guess)
            } else {
                d = d.help(CheckMessages.Formats.addJoinNode, ref.value)
            }
            ctx.report(d)
        }
        func role(_ ref: Located<String>) {
            if ctx.roleIndex[ref.value] == nil, !ctx.mayBeUnnamed(ref.value, t.unnamedRoles, known: roleNames) {
                ctx.reportUnknown(CheckMessages.unknownRole, ref, known: roleNames)
            }
        }
        func recipient(_ ref: Located<String>) {
            if ctx.roleIndex[ref.value] == nil, !specialRecipients.contains(ref.value),
               !ctx.mayBeUnnamed(ref.value, t.unnamedRoles, known: roleNames + specialRecipients) {
                ctx.reportUnknown(CheckMessages.unknownRole, ref, known: roleNames + specialRecipients)
            }
        }
        func field(_ ref: Located<String>) {
            if ctx.fieldIndex[ref.value] == nil, !ctx.mayBeUnnamed(ref.value, t.unnamedFields, known: fieldNames) {
                ctx.reportUnknown(CheckMessages.unknownField, ref, known: fieldNames)
            }
        }
        func effects(_ list: [EffectSyntax]) {
            for e in list {
                if e.kind.value == .groupChat { e.recipients.forEach(role) } else { e.recipients.forEach(recipient) }
                e.fields.forEach(field)
                if let a = e.assigneeRole { role(a) }
            }
        }
        if let s = t.start { node(s, "start") }
        for n in t.nodes {
            if let o = n.owner { role(o) }
            n.participants.forEach(role)
            if let e = n.escalate?.to { role(e) }
            n.requires.forEach(field)
            let from = n.id.value
            switch n.next {
            case .single(let target)?: node(target, from)
            case .conditional(let bs, _)?: bs.forEach { node($0.target, from) }
            case nil: break
            }
            n.outcomes.forEach { node($0.target, from) }
            n.branches.forEach { node($0, from) }
            if let j = n.join { join(j, from) }
            n.rework.forEach { node($0, from) }
            effects(n.onEnter)
            effects(n.onComplete)
        }
        if let l = t.lose {
            if let v = l.via { node(v, "lose.via") }
            l.from?.forEach { node($0, "lose.from") }
        }
        if let p = t.pool {
            if let a = p.assignBy { role(a) }
            p.idle?.notify.forEach(recipient)
            if let u = p.idle?.until { node(u, "pool.idle.until") }
        }
        for (_, list) in t.effects { effects(list) }
    }
}
