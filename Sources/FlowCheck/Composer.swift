import FlowDiagnostics
import FlowSyntax
import FlowYAML

/// Loads a template and everything it extends or includes, and merges them.
///
/// - `extends`: the parent is composed first; the child's fields, roles and nodes replace the
///   parent's entries of the same id and append the rest; `remove_nodes` drops parent nodes;
///   `start`, `lose`, `pool`, `customer` replace the parent's when given; effects replace the
///   parent's per trigger.
/// - `include`: a fragment's entries are appended; every fragment is loaded once per template,
///   however many files include it. The same id from two files is a duplicate (FC0301).
struct Composer {
    let fs: any TemplateFileSystem
    let limits: YAMLLimits
    static let maxDepth = 16
    var diagnostics: [Diagnostic] = []
    var loaded: Set<String> = []
    var files: [SourceFile] = []
    /// The nodes of the files read that an alias repeats: each node's span, with its aliases'.
    var aliased: [(node: SourceSpan, aliases: [SourceSpan])] = []
    /// Set when a file named by `extends` or `include` could not be used.
    var incomplete = false

    init(fs: any TemplateFileSystem, limits: YAMLLimits) {
        self.fs = fs
        self.limits = limits
    }

    /// Reads and parses one file; diagnostics for the file itself go to `diagnostics`.
    mutating func parse(path: String, bytes: [UInt8]) -> TemplateSyntax? {
        let file = SourceFile(path: path, bytes: bytes)
        files.append(file)
        let read = YAMLReader.read(file, limits: limits)
        diagnostics.append(contentsOf: read.diagnostics)
        guard let doc = read.document else { return nil }
        aliased += doc.aliasedNodes.map { (doc.span($0.node), $0.aliases) }
        let (syntax, diags) = TemplateParser.parse(doc)
        diagnostics.append(contentsOf: diags)
        return syntax
    }

    /// Loads a referenced file, reporting problems at the reference.
    mutating func load(_ ref: Located<String>, from base: String, chain: [String]) -> TemplateSyntax? {
        let path = fs.resolve(ref.value, from: base)
        let canon = fs.canonical(path)
        if chain.contains(canon) {
            let names = (chain + [canon]).map { ($0 as String).split(separator: "/").last.map(String.init) ?? $0 }
            diagnostics.append(CheckMessages.reuseCycle.at(ref.span, ref.value, names.joined(separator: " → ")))
            incomplete = true
            return nil
        }
        if chain.count >= Composer.maxDepth {
            diagnostics.append(CheckMessages.reuseTooDeep.at(ref.span, String(Composer.maxDepth)))
            incomplete = true
            return nil
        }
        switch fs.read(path, limits: limits) {
        case .failure(let p):
            let why: String = switch p.kind {
            case .notFound: CheckMessages.Formats.noSuchFile
            case .isDirectory: CheckMessages.Formats.isDirectory
            case .tooLarge(let n): Message(CheckMessages.Formats.fileTooLarge, [String(n), String(limits.maxFileBytes)]).text
            case .unreadable: p.detail
            }
            var d = CheckMessages.cannotLoad.at(ref.span, ref.value, why)
            // `renewal.flow.yml` beside `renewal.flow.yaml`: the file meant, as written relative.
            if case .notFound = p.kind {
                let slash = ref.value.lastIndex(of: "/")
                let name = slash.map { String(ref.value[ref.value.index(after: $0)...]) } ?? ref.value
                func isYAML(_ f: String) -> Bool { f.hasSuffix(".yaml") || f.hasSuffix(".yml") }
                let yamlFiles = fs.neighbours(of: path).filter(isYAML)
                if let guess = Suggestions.closest(to: name, in: yamlFiles) {
                    let meant = slash.map { String(ref.value[...$0]) + guess } ?? guess
                    d = d.help(CheckMessages.Formats.didYouMean, meant).fix(ref.span, meant)
                } else if yamlFiles.isEmpty, let slash, let meant = misspeltDirectory(ref.value, slash: slash, path: path, isYAML) {
                    // `fragment/roles.flow.yaml` beside `fragments/` (QA round 35, A14).
                    d = d.help(CheckMessages.Formats.didYouMean, meant).fix(ref.span, meant)
                }
            }
            diagnostics.append(d)
            incomplete = true
            return nil
        case .success(let bytes):
            let parsed = parse(path: path, bytes: bytes)
            if parsed == nil { incomplete = true }
            return parsed
        }
    }

    /// The path meant by `written` (resolved as `path`) when its last directory is misspelt: the
    /// directory beside it with the nearest name that holds the file, or one near its name.
    func misspeltDirectory(_ written: String, slash: String.Index, path: String, _ isYAML: (String) -> Bool) -> String? {
        let directory = PathText.directory(of: path)
        let name = String(written[written.index(after: slash)...])
        let writtenDirectory = String(written[..<slash])
        let last = writtenDirectory.lastIndex(of: "/").map { String(writtenDirectory[writtenDirectory.index(after: $0)...]) } ?? writtenDirectory
        guard !last.isEmpty, last != ".", last != ".." else { return nil }
        guard let guess = Suggestions.closest(to: last, in: fs.neighbours(of: directory)) else { return nil }
        let parent = PathText.directory(of: directory)
        let files = fs.neighbours(of: (parent.isEmpty ? guess : parent + "/" + guess) + "/" + name).filter(isYAML)
        guard let file = files.contains(name) ? name : Suggestions.closest(to: name, in: files) else { return nil }
        let before = writtenDirectory.dropLast(last.count)
        return before + guess + "/" + file
    }

    /// Composes `t` (already parsed from `path`) with its parents and fragments.
    mutating func compose(_ t: TemplateSyntax, path: String, chain: [String]) -> ComposedTemplate {
        let canon = fs.canonical(path)
        loaded.insert(canon)
        var out: ComposedTemplate
        var hasParent = false
        if let ext = t.extends, let parent = load(ext, from: path, chain: chain + [canon]) {
            if parent.isFragment {
                diagnostics.append(CheckMessages.cannotLoad.at(ext.span, ext.value, CheckMessages.Formats.extendsFragment))
                incomplete = true
                out = ComposedTemplate(main: t)
            } else {
                out = compose(parent, path: fs.resolve(ext.value, from: path), chain: chain + [canon])
                out.main = t
                hasParent = true
            }
        } else {
            out = ComposedTemplate(main: t)
        }
        // `remove_nodes` is judged against a parent (review of the checker, C1 and C14): with
        // none written it is one error at its first entry; with one that could not be used
        // (FC0305 said why) its entries are not judged, as every name of the missing file.
        if t.extends == nil, let first = t.removeNodes.first {
            diagnostics.append(CheckMessages.removeUnknown.at(first.span, format: CheckMessages.Formats.removeWithoutExtends, first.value))
        }
        let inheritedCounts = (fields: out.fields.count, roles: out.roles.count, nodes: out.nodes.count)
        // The file's own entries come first (so its first node is the default start), then the
        // fragments it includes.
        merge(own: t, into: &out, inherited: inheritedCounts, judgeRemovals: hasParent)
        for inc in t.include {
            let incPath = fs.resolve(inc.value, from: path)
            // A fragment is merged once per template; but one that includes itself (directly or
            // through others) is a cycle, which `load` reports.
            let incCanon = fs.canonical(incPath)
            if loaded.contains(incCanon), !chain.contains(incCanon), incCanon != canon { continue }
            guard let frag = load(inc, from: path, chain: chain + [canon]) else { continue }
            if !frag.isFragment {
                diagnostics.append(CheckMessages.cannotLoad.at(inc.span, inc.value, CheckMessages.Formats.includesTemplate))
                incomplete = true
                continue
            }
            let composedFragment = compose(frag, path: incPath, chain: chain + [canon])
            out.fields += composedFragment.fields
            out.roles += composedFragment.roles
            out.nodes += composedFragment.nodes
            out.effects += composedFragment.effects
        }
        return out
    }

    /// Merges a file's own entries. An entry replaces an inherited one (from the `extends` parent,
    /// the first `inherited` entries of each list) of the same id, once; anything else is appended,
    /// so that a second definition in the same file stays visible as a duplicate.
    /// - Parameter judgeRemovals: whether a `remove_nodes` entry that names no inherited node is
    ///   reported (there is a parent to judge it by).
    mutating func merge(own t: TemplateSyntax, into out: inout ComposedTemplate, inherited: (fields: Int, roles: Int, nodes: Int),
                        judgeRemovals: Bool) {
        // Both steps look entries up by id through a dictionary of the inherited entries, so that
        // a child of a large parent stays linear (a search of the parent per entry did not).
        func replaceOrAppend<T>(_ list: inout [T], _ new: [T], inheritedCount: Int, id: (T) -> String) {
            // Nothing inherited (no `extends`): the list is the file's own, shared rather than copied.
            if inheritedCount == 0, list.isEmpty {
                list = new
                return
            }
            var inheritedIndex: [String: Int] = [:]
            for i in (0..<inheritedCount).reversed() { inheritedIndex[id(list[i])] = i }
            var replaced = Set<String>()
            for item in new {
                let key = id(item)
                if !replaced.contains(key), let i = inheritedIndex[key] {
                    list[i] = item
                    replaced.insert(key)
                } else {
                    list.append(item)
                }
            }
        }
        var nodeCount = inherited.nodes
        if !t.removeNodes.isEmpty {
            // Each removal takes the first inherited node of that id not removed yet.
            var remaining: [String: [Int]] = [:]
            for i in (0..<nodeCount).reversed() { remaining[out.nodes[i].id.value, default: []].append(i) }
            var removed = [Bool](repeating: false, count: nodeCount)
            var removedHere: [String: SourceSpan] = [:]
            for r in t.removeNodes {
                if let i = remaining[r.value]?.popLast() {
                    removed[i] = true
                    out.removedNodes.append(r)
                    removedHere[r.value] = removedHere[r.value] ?? r.span
                    nodeCount -= 1
                } else if let earlier = removedHere[r.value] {
                    diagnostics.append(CheckMessages.repeatedEntry.at(r.span, r.value, "remove_nodes")
                        .label(earlier, CheckMessages.Formats.firstListedHere).help(CheckMessages.Formats.removeRepeat))
                } else if judgeRemovals {
                    var d = CheckMessages.removeUnknown.at(r.span, r.value)
                    let nodes = out.nodes
                    let kept = removed.indices.filter { !removed[$0] }.map { nodes[$0].id.value }
                    if let guess = Suggestions.closest(to: r.value, in: kept) {
                        d = d.help(CheckMessages.Formats.didYouMean, guess).fix(r.span, guess)
                    }
                    diagnostics.append(d)
                }
            }
            var kept: [NodeSyntax] = []
            kept.reserveCapacity(out.nodes.count)
            for (i, n) in out.nodes.enumerated() where i >= removed.count || !removed[i] { kept.append(n) }
            out.nodes = kept
        }
        replaceOrAppend(&out.fields, t.fields, inheritedCount: inherited.fields) { $0.id.value }
        replaceOrAppend(&out.roles, t.roles, inheritedCount: inherited.roles) { $0.id.value }
        replaceOrAppend(&out.nodes, t.nodes, inheritedCount: nodeCount) { $0.id.value }
        out.unnamedNodes += t.unnamedNodes
        out.repeatedNodeIDs.formUnion(t.repeatedNodeIDs)
        out.unnamedRoles += t.unnamedRoles
        out.unnamedFields += t.unnamedFields
        out.lookAlikeReferences += t.lookAlikeReferences
        if let c = t.customer { out.customer = c }
        if let s = t.start { out.start = s }
        if let l = t.lose { out.lose = l }
        if let p = t.pool { out.pool = p }
        // A file's own effects replace the inherited ones of the same trigger; fragments' effects,
        // merged after this, add to them.
        let ownTriggers = Set(t.effects.map(\.trigger.value))
        out.effects.removeAll { ownTriggers.contains($0.trigger.value) }
        out.effects += t.effects
    }
}
