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
        // Unknown names, reported once each when all are known (see `reportUnknowns`).
        var unknowns: [Unknown] = []
        /// - Parameter referrer: the node or key that names `ref`, for messages.
        func node(_ ref: Located<String>, _ referrer: String) {
            guard ctx.nodeIndex[ref.value] == nil else { return }
            guard let removed = t.removedNodes.first(where: { $0.value == ref.value }) else {
                // A node without a usable id (reported already) may be the one meant, unless
                // the name is a near miss of a defined node.
                if ctx.mayBeUnnamed(ref.value, t.unnamedNodes, known: nodeNames) { return }
                // Written as a second `id` of the node before (its `- ` missing): FC0102 says so,
                // with the fix (QA round 36, C1: "unknown node" came first, pointing away).
                if t.repeatedNodeIDs.contains(ref.value) { return }
                // The missing join of a fork, named by its branches too: the same help as at `join:`.
                if missingJoins.contains(ref.value) {
                    ctx.report(CheckMessages.unknownNode.at(ref.span, ref.value).help(CheckMessages.Formats.addJoinNode, ref.value))
                    return
                }
                unknowns.append(Unknown(spec: CheckMessages.unknownNode, ref: ref, known: nodeNames, kind: .node))
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
            // The join written as a second `id` of the node before (QA round 37, E1).
            if t.repeatedNodeIDs.contains(ref.value) { return }
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
                unknowns.append(Unknown(spec: CheckMessages.unknownRole, ref: ref, known: roleNames, kind: .role))
            }
        }
        /// A role of a list of role ids (`what`: a group chat's `roles`, a node's `participants`):
        /// `owner` or `contacts` there gets the role meant (QA round 35, A14: "unknown role
        /// `owner`" and no more), or is told to leave it out when that role is listed already
        /// (QA round 36, C10: the fix-it listed the role twice, FC0711).
        func listedRole(_ ref: Located<String>, among listed: [Located<String>], _ what: String) {
            guard ctx.roleIndex[ref.value] == nil, specialRecipients.contains(ref.value) else { return role(ref) }
            let flag = ref.value == "owner" ? "owner" : "external"
            let meant = ref.value == "owner" ? t.roles.filter(\.owner) : ref.value == "contacts" ? t.roles.filter(\.external) : []
            var d = CheckMessages.unknownRole.at(ref.span, ref.value)
            if meant.count == 1, let r = meant.first {
                d = listed.contains(where: { $0.value == r.id.value })
                    ? d.help(CheckMessages.Formats.chatRoleListed, ref.value, r.id.value, flag, what)
                    : d.help(CheckMessages.Formats.chatRolesAreRoles, ref.value, r.id.value, flag, what).fix(ref.span, r.id.value)
            }
            ctx.report(d)
        }
        func recipient(_ ref: Located<String>) {
            if ctx.roleIndex[ref.value] == nil, !specialRecipients.contains(ref.value),
               !ctx.mayBeUnnamed(ref.value, t.unnamedRoles, known: roleNames + specialRecipients) {
                unknowns.append(Unknown(spec: CheckMessages.unknownRole, ref: ref, known: roleNames + specialRecipients, kind: .role))
            }
        }
        func field(_ ref: Located<String>) {
            if ctx.fieldIndex[ref.value] == nil, !ctx.mayBeUnnamed(ref.value, t.unnamedFields, known: fieldNames) {
                unknowns.append(Unknown(spec: CheckMessages.unknownField, ref: ref, known: fieldNames, kind: .field))
            }
        }
        func effects(_ list: [EffectSyntax]) {
            for e in list {
                if e.kind.value == .groupChat {
                    e.recipients.forEach { listedRole($0, among: e.recipients, CheckMessages.Formats.chatRoles) }
                } else {
                    e.recipients.forEach(recipient)
                }
                e.fields.forEach(field)
                if let a = e.assigneeRole { role(a) }
            }
        }
        if let s = t.start { node(s, "start") }
        for n in t.nodes {
            if let o = n.owner { role(o) }
            // `participants` are role ids too (QA round 37, E4: `owner` there had no help).
            n.participants.forEach { listedRole($0, among: n.participants, CheckMessages.Formats.participantRoles) }
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
        reportUnknowns(unknowns, &ctx)
    }

    /// A name no definition has, where it is used.
    struct Unknown {
        enum Kind { case node, role, field }
        var spec: MessageSpec
        var ref: Located<String>
        var known: [String]
        var kind: Kind
    }

    /// Each unknown name once, at its first use, with its other uses labelled. A name used more
    /// than once whose near miss is declared, and used nowhere as declared, is likely that
    /// declaration's typo: the declaration is labelled, and the help offers renaming it (QA round
    /// 22: a role misspelt in a fragment gave ten errors, each offering to copy the typo into a
    /// correct use, none at the declaration).
    static func reportUnknowns(_ unknowns: [Unknown], _ ctx: inout RuleContext) {
        var groups: [String: [Unknown]] = [:]
        var order: [String] = []
        for u in unknowns {
            let key = "\(u.spec.code.number) \(u.ref.value)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(u)
        }
        let text = CheckMessages.Formats.self
        for key in order {
            guard let uses = groups[key], let first = uses.first else { continue }
            var d = first.spec.at(first.ref.span, first.ref.value)
            // A use written once and repeated by aliases has one place (QA round 36, C5: "also
            // used here" on the anchored value itself, and one fix-it per use, all alike).
            var places: [SourceSpan] = []
            for use in uses where !places.contains(use.ref.span) { places.append(use.ref.span) }
            for other in places.dropFirst().prefix(maxLabelledUses) { d = d.label(other, text.alsoUsedHere) }
            if uses.count > 1 { d = d.note(text.usedTimes, String(uses.count)) }
            if let guess = Suggestions.closest(to: first.ref.value, in: first.known) {
                if uses.count > 1, let declared = declaration(of: guess, first.kind, ctx), !ctx.isWrittenElsewhere(guess, besides: declared) {
                    // One edit fixes every use: the fix-it renames the declaration.
                    d = d.label(declared, text.declaredHere, guess)
                        .help(text.didYouMeanOrRename, guess, first.ref.value)
                        .fix(declared, first.ref.value)
                } else {
                    // Every use is corrected, the first and those labelled alike.
                    d = d.help(text.didYouMean, guess)
                    for place in places { d = d.fix(place, guess) }
                }
            }
            ctx.report(d)
        }
    }

    /// The other uses of an unknown name labelled at most; the note counts them all.
    static let maxLabelledUses = 3

    static func declaration(of name: String, _ kind: Unknown.Kind, _ ctx: RuleContext) -> SourceSpan? {
        let t = ctx.template
        switch kind {
        case .node: return ctx.nodeIndex[name].map { t.nodes[$0].id.span }
        case .role: return ctx.roleIndex[name].map { t.roles[$0].id.span }
        case .field: return ctx.fieldIndex[name].map { t.fields[$0].id.span }
        }
    }
}
