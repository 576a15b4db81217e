public import FlowDiagnostics
public import FlowIR
import FlowCheck
public import FlowExpr
public import FlowYAML
import Foundation

/// A saved view: a `*.view.yaml` file beside the templates.
///
/// ```yaml
/// flowc: 1
/// view:
///   id: big-open-deals
///   name: {zh: 大额在途商机, en: Big open deals}
/// template: ../standard-sale.flow.yaml   # a path relative to this file, or a template id
/// where: status == "open" and amount >= 500000 CNY
/// group_by: owner
/// sort: [count:desc]
/// columns: [deal, owner, node, amount]
/// limit: 50
/// ```
public struct SavedView: Sendable {
    public var id: String
    public var nameZh: String?
    public var nameEn: String?
    /// The template as written, and the file it resolved to (nil when it did not).
    public var template: String
    public var templatePath: String?
    /// The template's id and machine, when the template could be compiled.
    public var templateID: String?
    public var machine: VerifiedMachine?
    public var spec: DealViewSpec
    public var locator: DealViewLocator
}

/// Reading and checking saved views (`flowc check` runs ``check(path:)`` on every `*.view.yaml`).
public enum ViewFile {
    static let topKeys = ["flowc", "view", "template", "where", "group_by", "sort", "columns", "limit"]
    static let viewKeys = ["id", "name", "description"]

    /// Whether a path names a saved view.
    public static func isViewFile(_ path: String) -> Bool {
        path.hasSuffix(".view.yaml") || path.hasSuffix(".view.yml")
    }

    /// Reads and checks a saved view: its keys, its template, and its filter, grouping, sort and
    /// columns against the template's fields (expression errors located inside the `where:`
    /// scalar).
    /// - Returns: the view (nil when its structure is broken), every diagnostic, and the source
    ///   files they point into.
    ///
    /// The file is read as a template is (``DiskFileSystem``): a pipe can be read, and a file over
    /// `limits.maxFileBytes` is refused before it is read.
    public static func check(path: String, clock: ExprClock = ExprClock(now: 0), limits: YAMLLimits = .default)
        -> (SavedView?, [Diagnostic], [SourceFile])
    {
        switch DiskFileSystem().read(path, limits: limits) {
        case .success(let bytes): return check(path: path, bytes: bytes, clock: clock, limits: limits)
        case .failure(let problem): return (nil, [TemplateChecker.diagnostic(problem, path: path, limits: limits)], [])
        }
    }

    /// Reads and checks a saved view already in memory (`flowc check -`, an editor's buffer),
    /// named `path`, from which its template is resolved.
    public static func check(path: String, bytes: [UInt8], clock: ExprClock = ExprClock(now: 0), limits: YAMLLimits = .default)
        -> (SavedView?, [Diagnostic], [SourceFile])
    {
        let file = SourceFile(path: path, bytes: bytes)
        let read = YAMLReader.read(file, limits: limits)
        guard let doc = read.document, !read.diagnostics.contains(where: { $0.severity == .error }) else {
            return (nil, read.diagnostics, [file])
        }
        var diagnostics = read.diagnostics
        let root = doc.root
        guard doc.kind(root) == .mapping else {
            return (nil, diagnostics + [ViewMessages.viewFileValue.at(doc.span(root), "a saved view", "a mapping")], [file])
        }
        var nodes: [String: (key: YAMLNodeID, value: YAMLNodeID)] = [:]
        func keys(_ map: YAMLNodeID, _ allowed: [String]) -> [String: (key: YAMLNodeID, value: YAMLNodeID)] {
            var found: [String: (key: YAMLNodeID, value: YAMLNodeID)] = [:]
            for (k, v) in doc.pairs(map) {
                let name = doc.text(k) ?? ""
                if allowed.contains(name) {
                    found[name] = (k, v)
                } else {
                    var d = ViewMessages.viewFileKey.at(doc.span(k), name)
                    if let guess = Suggestions.closest(to: name, in: allowed) { d = d.help("did you mean `{0}`?", guess) }
                    diagnostics.append(d)
                }
            }
            return found
        }
        nodes = keys(root, topKeys)
        func scalarText(_ name: String, _ node: YAMLNodeID, _ what: String) -> String? {
            guard doc.kind(node) == .scalar, let text = doc.text(node), doc.value(node) != .null else {
                diagnostics.append(ViewMessages.viewFileValue.at(doc.span(node), name, what))
                return nil
            }
            return text
        }
        func list(_ name: String) -> [(String, YAMLNodeID)]? {
            guard let node = nodes[name]?.value else { return nil }
            if doc.kind(node) == .scalar, let text = doc.text(node) { return [(text, node)] }
            guard doc.kind(node) == .sequence else {
                diagnostics.append(ViewMessages.viewFileValue.at(doc.span(node), name, "a list of keys"))
                return nil
            }
            return doc.items(node).compactMap { item in scalarText(name, item, "a list of keys").map { ($0, item) } }
        }

        if let version = nodes["flowc"]?.value {
            if doc.value(version) != .int(1) { diagnostics.append(ViewMessages.viewFileValue.at(doc.span(version), "flowc", "1")) }
        } else {
            diagnostics.append(ViewMessages.viewFileMissing.at(SourceSpan(file: file, start: 0, end: 0), "flowc: 1"))
        }
        var id = ""
        var nameZh: String?
        var nameEn: String?
        if let view = nodes["view"]?.value, doc.kind(view) == .mapping {
            let viewNodes = keys(view, viewKeys)
            if let idNode = viewNodes["id"]?.value, let text = scalarText("id", idNode, "an identifier") {
                id = text
                if !text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) {
                    diagnostics.append(ViewMessages.viewFileValue.at(doc.span(idNode), "id", "an identifier (letters, digits, `-`, `_`)"))
                }
            } else if viewNodes["id"] == nil {
                diagnostics.append(ViewMessages.viewFileMissing.at(doc.span(view), "view.id"))
            }
            if let name = viewNodes["name"]?.value {
                if doc.kind(name) == .mapping {
                    for (k, v) in doc.pairs(name) {
                        switch doc.text(k) {
                        case "zh": nameZh = scalarText("name.zh", v, "text")
                        case "en": nameEn = scalarText("name.en", v, "text")
                        default: diagnostics.append(ViewMessages.viewFileValue.at(doc.span(k), "name", "a map with `zh` and `en`"))
                        }
                    }
                } else {
                    nameZh = scalarText("name", name, "text or a map with `zh` and `en`")
                }
            }
        } else {
            let span = nodes["view"].map { doc.span($0.value) } ?? SourceSpan(file: file, start: 0, end: 0)
            diagnostics.append(nodes["view"] == nil
                ? ViewMessages.viewFileMissing.at(span, "view: {id, name}")
                : ViewMessages.viewFileValue.at(span, "view", "a mapping with `id` and `name`"))
        }

        var spec = DealViewSpec()
        let whereNode = nodes["where"]?.value
        if let whereNode { spec.filter = scalarText("where", whereNode, "an expression") }
        let groupNode = nodes["group_by"]?.value
        if let groupNode { spec.groupBy = scalarText("group_by", groupNode, "one key") }
        let sorts = list("sort") ?? []
        spec.sort = sorts.map(\.0)
        let columns = list("columns")
        spec.columns = columns?.map(\.0)
        if let limitNode = nodes["limit"]?.value {
            if case .int(let n)? = doc.value(limitNode), n >= 0, n <= Int64(DealViewEngine.maxLimit) {
                spec.limit = Int(n)
            } else {
                diagnostics.append(ViewMessages.viewFileValue.at(doc.span(limitNode), "limit", "an integer from 0 to \(DealViewEngine.maxLimit)"))
            }
        }
        let fallback = SourceSpan(file: file, start: 0, end: 0)
        let sortSpans = sorts.map { doc.span($0.1) }
        let columnSpans = (columns ?? []).map { doc.span($0.1) }
        let whereMap = whereNode.map { doc.scalarMap($0) }
        let groupSpan = groupNode.map { doc.span($0) } ?? fallback
        let locator = DealViewLocator(
            filter: { range in whereMap?.sourceSpan(of: range) ?? fallback },
            groupBy: { groupSpan },
            sort: { i in sortSpans.indices.contains(i) ? sortSpans[i] : fallback },
            column: { i in columnSpans.indices.contains(i) ? columnSpans[i] : fallback })

        var view = SavedView(id: id, nameZh: nameZh, nameEn: nameEn, template: "", templatePath: nil, templateID: nil, machine: nil,
                             spec: spec, locator: locator)
        guard let templateNode = nodes["template"]?.value else {
            diagnostics.append(ViewMessages.viewFileMissing.at(fallback, "template"))
            return (view, diagnostics, [file])
        }
        guard let template = scalarText("template", templateNode, "a template path or id") else { return (view, diagnostics, [file]) }
        view.template = template
        switch resolveTemplate(template, besides: path) {
        case .failure(let reason):
            diagnostics.append(ViewMessages.viewFileTemplate.at(doc.span(templateNode), template, reason.text))
        case .success(let (templatePath, machine)):
            view.templatePath = templatePath
            view.machine = machine
            view.templateID = machine.machine.template.id
            let schema = DealViewSchema(machine: machine)
            switch CompiledDealView.compile(spec, schema: schema, defaultColumns: [], clock: clock, locator: locator) {
            case .failure(let problems): diagnostics += problems.diagnostics
            case .success(let compiled):
                // A misspelt node id matches no deal, which reads as "none there" (QA round 25).
                let known = machine.machine.nodes.map(\.id)
                for (node, range) in compiled.filter?.comparedNodes ?? [] where !known.contains(node) {
                    var d = ViewMessages.viewFileUnknownNode.at(locator.filter(range), node, machine.machine.template.id)
                    if let guess = Suggestions.closest(to: node, in: known) { d = d.help("did you mean `{0}`?", guess) }
                    diagnostics.append(d)
                }
            }
        }
        return (view, diagnostics, [file])
    }

    struct Reason: Error { let text: String }

    /// A template path (relative to the view file) or id (searched among the `*.flow.yaml` files
    /// of the view's directory and its parent), compiled.
    ///
    /// Paths are joined as text and left for the file system to resolve (`views/../x.flow.yaml`
    /// is opened as written): a relative view path has no URL base to standardise against, and
    /// resolving `..` by hand would also be wrong across a symbolic link.
    static func resolveTemplate(_ template: String, besides viewPath: String) -> Result<(String, VerifiedMachine), Reason> {
        let written = PathText.directory(of: viewPath)
        let directory = written.isEmpty ? "." : written
        func inside(_ dir: String, _ name: String) -> String { dir.hasSuffix("/") ? dir + name : dir + "/" + name }
        if template.hasSuffix(".yaml") || template.hasSuffix(".yml") || template.contains("/") {
            let path = template.hasPrefix("/") ? template : inside(directory, template)
            return compile(path).map { (path, $0) }
        }
        for dir in [directory, inside(directory, "..")] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for name in names where name.hasSuffix(".flow.yaml") || name.hasSuffix(".flow.yml") {
                let path = inside(dir, name)
                if case .success(let machine) = compile(path), machine.machine.template.id == template { return .success((path, machine)) }
            }
        }
        return .failure(Reason(text: "no template with this id in `\(directory)` or its parent directory"))
    }

    static func compile(_ path: String) -> Result<VerifiedMachine, Reason> {
        guard FileManager.default.fileExists(atPath: path) else { return .failure(Reason(text: "no such file or directory")) }
        let result = TemplateChecker.check(path: path)
        if result.hasErrors { return .failure(Reason(text: "the template has errors (run `flowc check` on it)")) }
        do {
            return .success(try IRLoader.verify(try IRCompiler.compile(result)))
        } catch let error as CompileError {
            // Check reports whatever the compiler refuses; should it miss one, say where and which.
            guard let d = error.diagnostic else { return .failure(Reason(text: "it cannot be compiled: \(error)")) }
            let at = d.location.map { "\(d.path):\($0.line):\($0.column): " } ?? ""
            return .failure(Reason(text: "it cannot be compiled: \(at)error[\(d.code)]: \(d.message.text)"))
        } catch {
            return .failure(Reason(text: "it cannot be compiled: \(error)"))
        }
    }
}
