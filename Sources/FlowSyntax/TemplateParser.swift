public import FlowDiagnostics
public import FlowYAML
import FlowExpr

/// Turns a YAML document into `TemplateSyntax`: every key known, every scalar typed, every span kept.
///
/// It reports FC02xx diagnostics and keeps going, so that one run shows every structural problem.
/// Nothing is resolved here: names, references and expressions are the checker's business.
public enum TemplateParser {
    // The keys of each mapping are the `MappingKey` enums (MappingKeys.swift).

    /// Parses one template or fragment document.
    /// - Returns: the syntax (possibly partial) and the diagnostics found.
    /// A character no text of a template may hold: a control character other than tab and line
    /// feed (C0, DEL, C1), or a bidirectional override or isolate.
    public static func isForbiddenInText(_ c: Unicode.Scalar) -> Bool {
        c != "\t" && c != "\n" && CharacterNames.isTerminalControl(c)
    }

    public static func parse(_ doc: YAMLDocument) -> (TemplateSyntax, [Diagnostic]) {
        var r = SyntaxReader(doc: doc)
        // A text may not hold a terminal control sequence or a bidirectional override (FC0116),
        // written by an escape (`"\e[2J"`) or as it is (U+202E, which libyaml lets through):
        // names and versions are printed (QA rounds 14 and 15).
        for (node, character) in doc.scalarCharacters(where: TemplateParser.isForbiddenInText) {
            let named = CharacterNames.describe(character)
            let span = doc.span(node)
            let escaped = doc.style(node) == .doubleQuoted && doc.file.bytes[span.start..<span.end].contains(UInt8(ascii: "\\"))
            r.diagnostics.append(YAMLMessages.encodingProblem.at(doc.span(node), escaped ? SyntaxMessages.Formats.escapedControl(named) : SyntaxMessages.Formats.rawControl(named)))
        }
        let rootSpan = doc.span(doc.root)
        var t = TemplateSyntax(file: doc.file, version: nil, header: nil, isFragment: false, extends: nil, include: [],
                               fields: [], customer: nil, roles: [], nodes: [], removeNodes: [], start: nil, lose: nil,
                               pool: nil, effects: [], span: rootSpan)
        let firstLine = SourceSpan(file: doc.file, start: rootSpan.start, end: min(rootSpan.end, doc.file.lineRange(doc.file.line(of: rootSpan.start)).upperBound))
        guard let top = r.mapping(doc.root, as: TopKey.self, context: "the template", readGuesses: true) else {
            return (t, r.diagnostics)
        }
        if top[.flowc] == nil, !top.guesses.contains(TopKey.flowc.rawValue) {
            r.diagnostics.append(SyntaxMessages.missingKey.at(firstLine, TopKey.flowc.rawValue, "the template")
                .help(SyntaxMessages.Formats.addVersion))
        }
        if let v = top[.flowc]?.value, let n = r.int(v, key: "flowc") {
            if n.value != 1 {
                r.diagnostics.append(SyntaxMessages.unsupportedVersion.at(n.span, String(n.value)))
            }
            t.version = n
        }
        switch (top[.template], top[.fragment]) {
        case let (tpl?, frag?):
            r.diagnostics.append(SyntaxMessages.headerConflict.at(doc.span(frag.key)).label(doc.span(tpl.key), SyntaxMessages.Formats.templateIsHere))
        case let (tpl?, nil):
            t.header = header(&r, tpl.value, context: "`template`", requireAll: true)
        case let (nil, frag?):
            t.isFragment = true
            t.header = header(&r, frag.value, context: "`fragment`", requireAll: false)
            for k in [TopKey.extends, .start, .lose, .pool, .removeNodes, .customer] {
                if let e = top[k] {
                    var d = SyntaxMessages.headerConflict.at(doc.span(e.key))
                    d.message = Message(SyntaxMessages.Formats.notInFragment, [k.rawValue])
                    r.diagnostics.append(d)
                }
            }
        case (nil, nil):
            r.diagnostics.append(SyntaxMessages.missingKey.at(firstLine, "template", "the file")
                .help(SyntaxMessages.Formats.fragmentHeader))
        }
        if let e = top[.extends]?.value { t.extends = r.string(e, key: "extends") }
        if let e = top[.include]?.value {
            t.include = r.stringList(e, key: "include")
            // One path written without the brackets: reported (FC0203, with the fix) and read as
            // meant, so that what the fragment defines is known (QA round 17: 43 follow-on errors
            // about its roles and fields came first).
            if t.include.isEmpty, r.doc.kind(e) == .scalar, let path = r.doc.text(e), !path.isEmpty, !path.hasPrefix("-") {
                t.include = [Located(path, r.span(e))]
            }
        }
        // A section written twice is FC0102 (reported by the reader); what each defines is read,
        // so that the names of the other one are not all reported unknown besides (QA round 23).
        for e in (top[.fields].map { [$0.value] } ?? []) + top.repeatedValues(.fields) {
            t.fields += fields(&r, e)
            t.unnamedFields += unnamedKeys(r, e) + unreadableSection(r, e)
        }
        if let e = top[.customer] { t.customer = customer(&r, e.value, key: r.span(e.key)) }
        for e in (top[.roles].map { [$0.value] } ?? []) + top.repeatedValues(.roles) {
            t.roles += roles(&r, e)
            t.unnamedRoles += unnamedKeys(r, e) + unreadableSection(r, e)
        }
        if let e = top[.nodes]?.value { t.nodesSpan = r.span(e) }
        for e in (top[.nodes].map { [$0.value] } ?? []) + top.repeatedValues(.nodes) {
            guard let items = r.list(e, key: "nodes") else { continue }
            for item in items {
                if let n = node(&r, item) { t.nodes.append(n) } else if r.doc.kind(item) == .mapping { t.unnamedNodes.append(r.span(item)) }
                // `id` again in the node: the next node without its `- ` (QA round 36, C1).
                if r.doc.kind(item) == .mapping {
                    let ids = r.doc.pairs(item).filter { r.doc.text($0.key) == "id" }.dropFirst()
                    t.repeatedNodeIDs += ids.compactMap { r.doc.text($0.value) }
                }
            }
        }
        if let e = top[.removeNodes]?.value { t.removeNodes = r.identifierList(e, key: "remove_nodes") }
        if let e = top[.start]?.value { t.start = r.identifier(e, key: "start") }
        if let e = top[.lose]?.value { t.lose = lose(&r, e) }
        if let e = top[.pool]?.value { t.pool = pool(&r, e) }
        if let e = top[.effects]?.value { t.effects = triggerEffects(&r, e) }
        t.lookAlikeReferences = r.lookAlikeReferences
        return (t, r.diagnostics)
    }

    static func header(_ r: inout SyntaxReader, _ id: YAMLNodeID, context: String, requireAll: Bool) -> HeaderSyntax? {
        guard let m = r.mapping(id, as: HeaderKey.self, context: context, required: requireAll ? [.id, .version, .name] : [.id]) else { return nil }
        var h = HeaderSyntax(id: nil, version: nil, name: nil, description: nil, span: r.span(id))
        if let v = m[.id]?.value { h.id = r.identifier(v, key: "id") }
        if let v = m[.version]?.value { h.version = r.string(v, key: "version", lenient: true) }
        // A version is printed on one line by most commands and stored in the IR, whose loader
        // refuses any control character in it: a tab or a line break, which other texts may
        // hold, is refused here too (the others are refused for every text above).
        if let v = h.version, let c = v.value.unicodeScalars.first(where: { $0 == "\t" || $0 == "\n" }) {
            r.diagnostics.append(YAMLMessages.encodingProblem.at(v.span, SyntaxMessages.Formats.versionOnOneLine(CharacterNames.describe(c))))
        }
        if let v = m[.name]?.value { h.name = r.name(v, key: "name") }
        if let v = m[.description]?.value { h.description = r.string(v, key: "description")?.value }
        return h
    }

    static func fields(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> [FieldSyntax] {
        let entries = mapEntries(&r, id, context: "`fields`")
        // Reserved: the count is known, so the array never grows (and copies) while filling.
        var out: [FieldSyntax] = []
        out.reserveCapacity(entries.count)
        for (key, value) in entries {
            if let f = field(&r, key, value) { out.append(f) }
        }
        return out
    }

    /// The span of an id-keyed section that is not a mapping (reported already, FC0203): it may
    /// hold any of the definitions the template uses, written in the wrong shape (`- amount:
    /// {...}`), so that every use of one is not reported as unknown too.
    static func unreadableSection(_ r: SyntaxReader, _ id: YAMLNodeID) -> [SourceSpan] {
        r.doc.kind(id) == .mapping ? [] : [r.span(id)]
    }

    /// Keys of an id-keyed mapping that cannot name a definition, not even by a suggested id
    /// (see `SyntaxReader.definitionID`); each is reported already.
    static func unnamedKeys(_ r: SyntaxReader, _ id: YAMLNodeID) -> [SourceSpan] {
        r.doc.mappingPairs(id).compactMap { pair in
            if case .string(let s)? = r.doc.value(pair.key), SyntaxReader.isIdentifier(s) || SyntaxReader.suggestIdentifier(s) != nil {
                return nil
            }
            return r.span(pair.key)
        }
    }

    /// The (key, value) pairs of a mapping whose keys are ids chosen by the author.
    static func mapEntries(_ r: inout SyntaxReader, _ id: YAMLNodeID, context: String) -> YAMLPairs {
        if r.doc.kind(id) != .mapping {
            var d = r.wrongShape(id, "a mapping", context: context)
            if let entry = oneKeyItems(r, id) {
                // `- approve: contract`: entries written as list items.
                d = d.help(SyntaxMessages.Formats.removeDash, entry)
            }
            r.diagnostics.append(d)
        }
        // Empty for anything but a mapping.
        return r.doc.mappingPairs(id)
    }

    /// When `id` is a list whose items are each a mapping of one key, the first item as it
    /// would be written as an entry of a mapping (`approve: contract`, or `amount:` when its
    /// value is not a plain scalar).
    static func oneKeyItems(_ r: SyntaxReader, _ id: YAMLNodeID) -> String? {
        guard r.doc.kind(id) == .sequence else { return nil }
        let items = r.doc.items(id)
        guard let first = items.first, items.allSatisfy({ r.doc.kind($0) == .mapping && r.doc.count($0) == 1 }),
              let pair = r.doc.mappingPairs(first).first, let key = r.doc.text(pair.key) else { return nil }
        if r.doc.kind(pair.value) == .scalar, let value = r.doc.text(pair.value), !value.isEmpty {
            return key + ": " + value
        }
        return key + ":"
    }

    static func field(_ r: inout SyntaxReader, _ key: YAMLNodeID, _ value: YAMLNodeID) -> FieldSyntax? {
        guard let fid = r.keyID(key, key: "fields") else { return nil }
        var f = FieldSyntax(id: fid, span: r.span(value))
        guard let m = r.mapping(value, as: FieldKey.self, context: "field `\(fid.value)`", required: [.type], missingAt: fid.span) else { return f }
        if let v = m[.type]?.value {
            f.type = r.choice(v, key: "type", what: "field type", FieldTypeName.self)
            if f.type == nil { f.unreadKeys.insert("type") }
        }
        if let v = m[.name]?.value { f.name = r.name(v, key: "name") }
        if let v = m[.required]?.value { f.required = r.bool(v, key: "required") }
        if let v = m[.default]?.value {
            if r.doc.kind(v) == .scalar, let sv = r.doc.value(v) {
                f.defaultValue = Located(sv, r.span(v))
                f.defaultSource = r.doc.text(v)
            } else {
                r.diagnostics.append(SyntaxMessages.wrongShape.at(r.span(v), "a single value", "default", r.describe(v)))
            }
        }
        if let v = m[.compute]?.value { f.compute = r.expression(v, key: "compute") }
        if let v = m[.currency]?.value, let c = r.string(v, key: "currency") {
            if c.value.count == 3, c.value.allSatisfy({ $0.isASCII && $0.isUppercase }), CurrencyCodes.iso4217.contains(c.value) {
                f.currency = c
            } else if c.value.count == 3, c.value.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                // Three letters, but no ISO 4217 code (QA round 12: `RMB` and `XQQ` passed).
                f.unreadKeys.insert("currency")
                var d = SyntaxMessages.badCurrency.at(c.span, c.value)
                if let code = CurrencyCodes.commonNames[c.value] {
                    d = d.help(SyntaxMessages.Formats.currencyCommonName, code, c.value).fix(c.span, code)
                }
                r.diagnostics.append(d)
            } else {
                f.unreadKeys.insert("currency")
                var d = SyntaxMessages.badCurrency.at(c.span, c.value)
                let up = c.value.uppercased()
                // `rmb` too: its capitals are no code either (QA round 23).
                if let code = CurrencyCodes.commonNames[c.value] ?? CurrencyCodes.commonNames[up] {
                    d = d.help(SyntaxMessages.Formats.currencyCommonName, code, c.value).fix(c.span, code)
                } else if up.count == 3, up.allSatisfy({ $0.isASCII && $0.isUppercase }) { d = d.help(SyntaxMessages.Formats.write, up).fix(c.span, up) }
                r.diagnostics.append(d)
            }
        }
        if let v = m[.values]?.value {
            // A value that is no id but suggests one (`Extended`) is kept as that id, so that the
            // conditions written with it are not refused as well (QA round 36, C9: FC0425 with
            // "declared values" missing it).
            f.values = []
            for item in r.list(v, key: "values") ?? [] {
                if let value = r.definitionID(item, key: "values") { f.values.append(value) }
            }
            f.valuesSpan = r.span(v)
            if r.doc.kind(v) == .sequence, r.doc.count(v) == 0 {
                r.diagnostics.append(SyntaxMessages.emptyCollection.at(r.span(v), "values"))
            }
        }
        if let v = m[.of]?.value {
            f.of = r.choice(v, key: "of", what: "list element type", FieldTypeName.self)
            if f.of == nil { f.unreadKeys.insert("of") }
        }
        if let v = m[.min]?.value { f.min = r.number(v, key: "min") }
        if let v = m[.max]?.value { f.max = r.number(v, key: "max") }
        if let v = m[.multiline]?.value { f.multiline = r.bool(v, key: "multiline") }
        return f
    }

    /// - Parameter key: where `customer:` is written, for a missing `identity`.
    static func customer(_ r: inout SyntaxReader, _ id: YAMLNodeID, key: SourceSpan) -> CustomerSyntax? {
        // Without identity fields, duplicate customers would go uncaught.
        guard let m = r.mapping(id, as: CustomerKey.self, context: "`customer`", required: [.identity], missingAt: key) else { return nil }
        var c = CustomerSyntax(identity: [], normalize: [], profile: [], span: r.span(id))
        if let v = m[.identity]?.value {
            c.identity = r.identifierList(v, key: "identity")
            r.refuseEmptyList(v, key: "identity")
        }
        if let v = m[.normalize]?.value { c.normalize = r.identifierList(v, key: "normalize") }
        if let v = m[.profile]?.value { c.profile = r.identifierList(v, key: "profile") }
        if let v = m[.group]?.value { c.group = r.identifier(v, key: "group") }
        return c
    }

    /// Special recipients of effects, which therefore cannot be role ids.
    public static let reservedRoleIDs = ["owner", "contacts", "added"]

    /// Whether `s` is an id as templates write them: lowercase snake_case, at most 64 characters
    /// (the reader's own rule, for checks of compiled templates).
    public static func isIdentifier(_ s: String) -> Bool { SyntaxReader.isIdentifier(s) }

    static func roles(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> [RoleSyntax] {
        mapEntries(&r, id, context: "`roles`").compactMap { key, value in
            guard let rid = r.keyID(key, key: "roles") else { return nil }
            if reservedRoleIDs.contains(rid.value) {
                var d = SyntaxMessages.badIdentifier.at(rid.span, rid.value)
                d.message = Message(SyntaxMessages.Formats.reservedRoleID, [rid.value])
                r.diagnostics.append(d.help(SyntaxMessages.Formats.reservedRoleHelp))
            }
            var role = RoleSyntax(id: rid, name: nil, owner: false, manager: false, external: false, span: r.span(value))
            guard let m = r.mapping(value, as: RoleKey.self, context: "role `\(rid.value)`", required: [.name], missingAt: rid.span) else { return role }
            if let v = m[.name]?.value { role.name = r.name(v, key: "name") }
            if let v = m[.description]?.value { r.checkString(v, key: "description") }
            if let v = m[.owner]?.value {
                if let b = r.bool(v, key: "owner") { role.owner = b.value; role.ownerSpan = r.span(m[.owner]?.key ?? v) } else { role.ownerUnread = true }
            }
            if let v = m[.manager]?.value, let b = r.bool(v, key: "manager") { role.manager = b.value; role.managerSpan = r.span(m[.manager]?.key ?? v) }
            if let v = m[.external]?.value, let b = r.bool(v, key: "external") { role.external = b.value }
            return role
        }
    }

    static func node(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> NodeSyntax? {
        guard r.doc.kind(id) == .mapping else {
            r.diagnostics.append(SyntaxMessages.wrongShape.at(r.span(id), "a mapping", "nodes", r.describe(id)))
            return nil
        }
        // The id names the node in the messages about its other keys, so it is read first. The
        // first `id` counts (a repeated key is reported by the YAML reader); `Entries` keeps the
        // last.
        let idValue = r.doc.mappingPairs(id).first { r.doc.scalarBytesEqual($0.key, "id") }?.value
        let nid = idValue.flatMap { r.definitionID($0, key: "id") }
        guard let m = r.mapping(id, as: NodeKey.self, context: nid.map { "node `\($0.value)`" } ?? "a node", required: [.id, .name]) else { return nil }
        guard let nid else { return nil }
        var n = NodeSyntax(id: nid, span: r.span(id))
        if let v = m[.name]?.value { n.name = r.name(v, key: "name") }
        if let v = m[.description]?.value { r.checkString(v, key: "description") }
        // Keys that could not be read, and the keys that misspelt ones probably meant.
        if m.hasUnreadableKey { n.unreadKeys.insert("*") }
        for meant in m.guesses { n.unreadKeys.insert(meant) }
        if let v = m[.kind]?.value {
            n.kind = r.choice(v, key: "kind", what: "node kind", NodeKind.self)
            if n.kind == nil { n.unreadKeys.insert("kind") }
        }
        if let v = m[.owner]?.value {
            n.owner = r.identifier(v, key: "owner")
            if n.owner == nil { n.unreadKeys.insert("owner") }
        }
        if let v = m[.participants]?.value { n.participants = r.identifierList(v, key: "participants") }
        if let v = m[.estimate]?.value { n.estimate = r.duration(v, key: "estimate") }
        if let v = m[.due]?.value {
            n.due = r.duration(v, key: "due")
            // Written but unreadable (reported): no rule says the node has none.
            if n.due == nil { n.unreadKeys.insert("due") }
        }
        if let v = m[.escalate]?.value, let em = r.mapping(v, as: EscalationKey.self, context: "`escalate`", required: [.to]) {
            var e = EscalationSyntax(after: nil, to: nil, span: r.span(v))
            if let a = em[.after]?.value { e.after = r.duration(a, key: "after") }
            if let a = em[.to]?.value { e.to = r.identifier(a, key: "to") }
            n.escalate = e
        }
        if let v = m[.probability]?.value, let p = r.percentage(v, key: "probability") {
            if (0...100).contains(p.value) { n.probability = p } else {
                r.diagnostics.append(SyntaxMessages.outOfRange.at(p.span, String(p.value), "probability", "a percentage from 0 to 100"))
            }
        }
        if let v = m[.requires]?.value { n.requires = r.identifierList(v, key: "requires") }
        if let v = m[.deliverables]?.value, let items = r.list(v, key: "deliverables") {
            for item in items {
                if r.doc.kind(item) == .scalar {
                    if let did = r.identifier(item, key: "deliverables") { n.deliverables.append(DeliverableSyntax(id: did, name: nil, span: did.span)) }
                    continue
                }
                guard let dm = r.mapping(item, as: DeliverableKey.self, context: "a deliverable", required: [.id]) else { continue }
                guard let did = dm[.id].flatMap({ r.identifier($0.value, key: "id") }) else { continue }
                let name = dm[.name].flatMap { r.name($0.value, key: "name") }
                n.deliverables.append(DeliverableSyntax(id: did, name: name, span: r.span(item)))
            }
        }
        if let v = m[.when]?.value { n.when = r.expression(v, key: "when") }
        if let v = m[.onEnter]?.value { n.onEnter = effects(&r, v, key: "on_enter") }
        if let v = m[.onComplete]?.value { n.onComplete = effects(&r, v, key: "on_complete") }
        if let v = m[.next]?.value {
            n.next = next(&r, v)
            switch n.next {
            case nil: n.unreadKeys.insert("next")
            case .conditional(let bs, _)? where bs.count != r.doc.count(v): n.unreadKeys.insert("next")
            default: break
            }
        }
        if let v = m[.outcomes]?.value {
            n.outcomesSpan = r.span(v)
            for (k, t) in mapEntries(&r, v, context: "`outcomes`") {
                if let name = r.keyID(k, key: "outcomes", definition: false), let target = r.identifier(t, key: name.value) {
                    n.outcomes.append((name, target))
                }
            }
            if r.doc.kind(v) != .mapping || n.outcomes.count != r.doc.count(v) { n.unreadKeys.insert("outcomes") }
        }
        if let v = m[.branches]?.value {
            n.branchesSpan = r.span(v)
            n.branches = r.identifierList(v, key: "branches")
            if r.doc.kind(v) != .sequence || n.branches.count != r.doc.count(v) { n.unreadKeys.insert("branches") }
        }
        if let v = m[.join]?.value {
            n.join = r.identifier(v, key: "join")
            if n.join == nil { n.unreadKeys.insert("join") }
        }
        if let v = m[.rework]?.value { n.rework = r.identifierList(v, key: "rework") }
        return n
    }

    static func next(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> NextSyntax? {
        if r.doc.kind(id) == .scalar {
            return r.identifier(id, key: "next").map(NextSyntax.single)
        }
        guard let items = r.list(id, key: "next") else { return nil }
        if items.isEmpty {
            // A deal completing the node would have nowhere to go.
            r.diagnostics.append(SyntaxMessages.emptyCollection.at(r.span(id), "next").help(SyntaxMessages.Formats.nextNeedsATarget))
            return nil
        }
        var branches: [BranchSyntax] = []
        // A `default` written inside an `if`/`to` branch, read as the last branch (QA round 43, F8).
        var misplacedDefault: BranchSyntax?
        for item in items {
            guard r.doc.kind(item) == .mapping else {
                var d = SyntaxMessages.wrongShape.at(r.span(item), "a mapping with `if` and `to`, or `default`", "next", r.describe(item))
                if r.doc.kind(item) == .scalar, case .string(let target)? = r.doc.value(item) {
                    if items.count == 1, SyntaxReader.isIdentifier(target) {
                        // `next: [delivery]`: one next node, which needs no list.
                        d = d.help(SyntaxMessages.Formats.singleNext, target).fix(r.span(id), target)
                    } else {
                        d = d.help(SyntaxMessages.Formats.writeDefault, target)
                    }
                }
                r.diagnostics.append(d)
                continue
            }
            // `default` compared on bytes: no other spelling of it is canonically equivalent.
            let pairs = r.doc.mappingPairs(item)
            let isDefault = pairs.contains { r.doc.scalarBytesEqual($0.key, "default") }
            // `- else: contract`: a default branch under another language's word for it, said
            // once with its did-you-mean rather than as a branch missing `if` and `to` too.
            let isDefaultByAnotherName = !isDefault && pairs.count == 1 && pairs.allSatisfy {
                r.doc.kind($0.key) == .scalar && r.doc.text($0.key).flatMap { BranchKey.synonyms[$0] } == .default
            }
            if isDefault, pairs.count >= 2, let fallback = pairs.first(where: { r.doc.scalarBytesEqual($0.key, "default") }),
               let condition = pairs.first(where: { r.doc.scalarBytesEqual($0.key, "if") }) {
                // `default:` under an `if`/`to` branch without its `- `: one error with the dash,
                // and both branches read (QA round 39, R10: `if` and `to` were unknown keys of the
                // default branch, and the branch's node was said to be unreachable). Between or
                // before them, no dash makes two branches of it: it is to be moved, after them
                // (QA round 43, F8). With another key beside them, or no `to`, the same, and the
                // rest said apart (round 44, R4); with a default branch in the list already, the
                // line is to go (R5: the help made two defaults).
                let to = pairs.first(where: { r.doc.scalarBytesEqual($0.key, "to") })
                let others = pairs.filter { p in !["if", "to", "default"].contains { r.doc.scalarBytesEqual(p.key, $0) } }
                let key = fallback.key
                let last = r.doc.scalarBytesEqual(pairs[pairs.count - 1].key, "default") && to != nil && others.isEmpty
                let anotherDefault = items.contains { other in
                    other != item && r.doc.kind(other) == .mapping && r.doc.mappingPairs(other).contains { r.doc.scalarBytesEqual($0.key, "default") }
                }
                let target = r.doc.text(fallback.value) ?? ""
                var d = SyntaxMessages.unknownKey.at(r.span(key), "default", "a branch")
                d.message = Message(SyntaxMessages.Formats.defaultInBranch, [])
                if anotherDefault {
                    d = d.help(SyntaxMessages.Formats.defaultAlreadyThere, target)
                } else if last {
                    d = d.help(SyntaxMessages.Formats.defaultNeedsDash)
                    if let dash = r.missingDash(before: key, itemFirstKey: pairs[0].key) { d = d.fix(dash, "- ") }
                } else {
                    d = d.help(SyntaxMessages.Formats.defaultToMove, target.isEmpty ? "…" : target)
                }
                r.diagnostics.append(d)
                for other in others {
                    r.diagnostics.append(SyntaxMessages.unknownKey.at(r.span(other.key), r.doc.text(other.key) ?? "?", "a branch"))
                }
                if let to {
                    if let c = r.expression(condition.value, key: "if"), let t = r.identifier(to.value, key: "to") {
                        branches.append(BranchSyntax(condition: c, target: t, span: r.span(item)))
                    }
                } else {
                    r.diagnostics.append(SyntaxMessages.missingKey.at(r.span(condition.key), "to", "a branch"))
                }
                if !anotherDefault, !target.isEmpty, let t = r.identifier(fallback.value, key: "default") {
                    let span = r.span(key)
                    let branch = BranchSyntax(condition: nil, target: t, span: SourceSpan(file: span.file, start: span.start, end: max(span.end, r.span(fallback.value).end)))
                    if last { branches.append(branch) } else { misplacedDefault = misplacedDefault ?? branch }
                }
                continue
            }
            if isDefault || isDefaultByAnotherName {
                guard let m = r.mapping(item, as: BranchKey.self, context: isDefault ? "the `default` branch" : "a branch", allowed: [.default]),
                      let t = m[.default].flatMap({ r.identifier($0.value, key: "default") }) else { continue }
                branches.append(BranchSyntax(condition: nil, target: t, span: r.span(item)))
            } else {
                guard let m = r.mapping(item, as: BranchKey.self, context: "a branch", required: [.if, .to]) else { continue }
                guard let c = m[.if].flatMap({ r.expression($0.value, key: "if") }),
                      let t = m[.to].flatMap({ r.identifier($0.value, key: "to") }) else { continue }
                branches.append(BranchSyntax(condition: c, target: t, span: r.span(item)))
            }
        }
        if let misplacedDefault { branches.append(misplacedDefault) }
        return .conditional(branches, span: r.span(id))
    }

    static func effects(_ r: inout SyntaxReader, _ id: YAMLNodeID, key: String) -> [EffectSyntax] {
        guard let items = r.list(id, key: key) else { return [] }
        return items.compactMap { effect(&r, $0) }
    }

    static func effectKeys(_ kind: EffectKind) -> (allowed: [EffectKey], required: [EffectKey]) {
        switch kind {
        case .notify: ([.to, .message], [.to, .message])
        case .botCard: ([.to, .title, .fields], [.to, .title])
        case .groupChat: ([.name, .roles], [.name, .roles])
        case .requirement: ([.team, .title, .assigneeRole], [.team, .title])
        case .webhook: ([.url, .event], [.url, .event])
        }
    }

    static func effect(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> EffectSyntax? {
        let pairs = r.doc.mappingPairs(id)
        if pairs.count > 1 {
            // Usually a missing `- ` before the second effect: point at the second kind.
            let names = pairs.map { "`\(r.doc.text($0.key) ?? "?")`" }.joined(separator: ", ")
            var d = SyntaxMessages.badEffect.at(r.span(pairs[1].key))
            d.message = Message(SyntaxMessages.Formats.severalEffectKinds, [String(pairs.count), names])
            r.diagnostics.append(d.help(SyntaxMessages.Formats.oneEffectPerItem))
            return nil
        }
        guard r.doc.kind(id) == .mapping, let (k, v) = pairs.first.map({ ($0.key, $0.value) }) else {
            // `- {}`: an empty mapping, not "a mapping" (QA round 38, G8: the message contradicted itself).
            let found = r.doc.kind(id) == .mapping ? SyntaxMessages.Formats.emptyMapping : r.describe(id)
            r.diagnostics.append(SyntaxMessages.badEffect.at(r.span(id), found))
            return nil
        }
        guard let kind = r.choice(k, key: "effect", what: "effect kind", EffectKind.self) else { return nil }
        let spec = effectKeys(kind.value)
        var e = EffectSyntax(kind: kind, recipients: [], text: [], fields: [], team: nil, assigneeRole: nil, url: nil, event: nil, span: r.span(id))
        guard let m = r.mapping(v, as: EffectKey.self, context: "`\(kind.value.rawValue)`", allowed: spec.allowed, required: spec.required, missingAt: kind.span) else { return e }
        if let x = m[.to]?.value {
            e.recipients = r.identifierList(x, key: "to")
            e.recipientsSpan = r.span(x)
            e.recipientsNotAList = r.doc.kind(x) != .sequence
        }
        if let x = m[.roles]?.value {
            e.recipients = r.identifierList(x, key: "roles")
            e.recipientsSpan = r.span(x)
            e.recipientsNotAList = r.doc.kind(x) != .sequence
        }
        for key in [EffectKey.message, .title, .name] {
            guard let x = m[key]?.value else { continue }
            if let n = r.name(x, key: key.rawValue) {
                for entry in n.entries { e.localizedText[entry.language] = entry.text }
                e.text = r.nameScalars(x)
            }
        }
        if let x = m[.fields]?.value { e.fields = r.identifierList(x, key: "fields") }
        if let x = m[.team]?.value { e.team = r.identifier(x, key: "team") }
        if let x = m[.assigneeRole]?.value { e.assigneeRole = r.identifier(x, key: "assignee_role") }
        if let x = m[.url]?.value { e.url = r.string(x, key: "url") }
        if let x = m[.event]?.value { e.event = r.identifier(x, key: "event") }
        return e
    }

    static func lose(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> LoseSyntax? {
        guard let m = r.mapping(id, as: LoseKey.self, context: "`lose`", required: [.via]) else { return nil }
        var l = LoseSyntax(reasons: [], via: nil, from: nil, span: r.span(id))
        if let v = m[.reasons]?.value { l.reasons = r.identifierList(v, key: "reasons") }
        if let v = m[.via]?.value { l.via = r.identifier(v, key: "via") }
        if let v = m[.reasonField]?.value { l.reasonField = r.identifier(v, key: "reason_field") }
        if let v = m[.from]?.value {
            if r.doc.scalarBytesEqual(v, "any") { l.from = nil } else {
                l.from = r.identifierList(v, key: "from")
                // No node could be lost from; leaving `from` out means any, which later rules
                // assume rather than report every node of the lose path as unreachable.
                r.refuseEmptyList(v, key: "from", help: SyntaxMessages.Formats.fromAny)
                if r.doc.kind(v) == .sequence, r.doc.count(v) == 0 { l.from = nil }
            }
        }
        return l
    }

    static func pool(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> PoolSyntax? {
        guard let m = r.mapping(id, as: PoolKey.self, context: "`pool`") else { return nil }
        var p = PoolSyntax(lostToPublic: nil, idle: nil, claim: nil, assignBy: nil, span: r.span(id))
        if let v = m[.lostToPublic]?.value { p.lostToPublic = r.bool(v, key: "lost_to_public") }
        if let v = m[.idle]?.value, let im = r.mapping(v, as: IdleKey.self, context: "`pool.idle`", required: [.after]) {
            var idle = IdleSyntax(after: nil, warn: nil, notify: [], span: r.span(v))
            if let x = im[.after]?.value { idle.after = r.duration(x, key: "after") }
            if let x = im[.warn]?.value {
                idle.warn = r.duration(x, key: "warn")
                idle.warnIsWritten = true
            }
            if let x = im[.notify]?.value {
                idle.notify = r.identifierList(x, key: "notify")
                idle.notifySpan = r.span(x)
                idle.notifyNotAList = r.doc.kind(x) != .sequence
            }
            if let x = im[.until]?.value { idle.until = r.identifier(x, key: "until") }
            p.idle = idle
        }
        if let v = m[.claim]?.value, let cm = r.mapping(v, as: ClaimKey.self, context: "`pool.claim`") {
            var c = ClaimSyntax(quota: nil, cooldown: nil, span: r.span(v))
            if let x = cm[.quota]?.value { c.quota = r.int(x, key: "quota") }
            if let x = cm[.cooldown]?.value { c.cooldown = r.duration(x, key: "cooldown") }
            p.claim = c
        }
        if let v = m[.assignBy]?.value { p.assignBy = r.identifier(v, key: "assign_by") }
        return p
    }

    static func triggerEffects(_ r: inout SyntaxReader, _ id: YAMLNodeID) -> [(trigger: Located<EffectTrigger>, effects: [EffectSyntax])] {
        mapEntries(&r, id, context: "`effects`").compactMap { k, v in
            guard let t = r.choice(k, key: "effects", what: "effect trigger", EffectTrigger.self) else { return nil }
            return (t, effects(&r, v, key: t.value.rawValue))
        }
    }
}
