public import FlowIR
public import FlowRuntime
import FlowDiagnostics

/// The flow of a compiled template as a picture's data: boxes and arrows with their words, and,
/// over a deal, each box's state and which arrows the deal has taken. The DOT, Mermaid and SVG
/// renderers draw this one model, so they cannot disagree about what the flow is.
///
/// Built from the IR (``FlowIR/Machine``), not from the YAML, so that a deal's node indices line up
/// with the boxes. Besides the template's nodes the model has a start marker, one decision point
/// (diamond) per conditional `next`, and the lose entry ("from any open node") when the template
/// declares `lose:`.
public struct GraphModel: Sendable, Hashable {
    public var templateID: String
    public var version: String
    public var hash: String
    /// The template's display name in the chosen language.
    public var title: String
    public var language: GraphLanguage
    public var nodes: [GraphNode]
    public var edges: [GraphEdge]
    /// The deal drawn over the flow, if any.
    public var deal: GraphDeal?

    /// The longest node label, in display columns (CJK counts 2); longer names are cut with `…`
    /// (the whole name stays in the tooltip).
    public static let maxLabelColumns = 32
    /// The longest edge label and detail line, in display columns.
    public static let maxDetailColumns = 40

    /// The model index of machine node `index`.
    public func node(machineIndex index: Int) -> Int? {
        nodes.firstIndex { $0.machineIndex == index }
    }
}

/// One box of the picture.
public struct GraphNode: Sendable, Hashable {
    /// Whether the box is on the way to `lost` (the lose entry, the lose path, the lost end):
    /// over a deal, such a box done is drawn in red, not in the green of progress.
    public var losing: Bool { kind == .lost || kind == .loseEntry || losePath }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case start, task, approval, fork, join, won, lost
        /// The diamond in front of a conditional `next`.
        case decision
        /// Where the lose path starts ("from any open node").
        case loseEntry = "lose-entry"
    }

    /// A unique key: the template's node id, or `:start`, `:lose`, `:if:NODE` for the boxes
    /// flowc adds (template ids cannot contain `:`).
    public var key: String
    /// Index into `Machine.nodes`; nil for the added boxes.
    public var machineIndex: Int?
    public var kind: Kind
    /// The display name, cut at ``GraphModel/maxLabelColumns``.
    public var label: String
    /// Small lines under the name: owner and probability, the tailoring condition.
    public var details: [String]
    /// The tooltip: the whole name, the id, what the node is, its state and records.
    public var tooltip: [String]
    /// A node of the lose path: `lose.via` and every node after it, as the runner counts a deal
    /// there as being lost; drawn red and dashed, and light red when done over a deal.
    public var losePath: Bool
    /// Drawn in the lose path's lane: the lose entry, and the lose path's nodes that the main
    /// flow does not lead to. One the main flow also leads to (an outcome such as `no_bid` into
    /// the loss review) stays in the main flow, still drawn as lose path (QA round 39, H3: it was
    /// an ordinary grey task, and done over a lost deal the green of progress).
    public var inLane = false
    /// The node has a `when` (tailoring): it takes part only while the condition holds.
    public var tailored: Bool
    /// Over a deal, a line written in a blocked or overdue box under its details, its state in
    /// words (QA round 39, H7: told by colour alone).
    public var stateMark: String? = nil
    /// What a fork or join bar says: its name, and for a tailored fork its condition (a bar has
    /// no room below its name, and the condition decides whether the branches run at all).
    public var barLabel: String {
        guard tailored, kind == .fork, let condition = details.last else { return label }
        return label + " · " + condition
    }
    /// The deal's state of the node (nil when no deal is drawn).
    public var state: NodeStatus?
    /// How many notes and links the deal has on this node.
    public var recordCount: Int
    /// Over a deal: a node the deal went through before being sent back (a rework, an outcome
    /// back to an earlier node), not reached again yet. Its state is pending; it is drawn as
    /// passed earlier, with the arrows of that pass, so the path stays whole.
    public var passedEarlier = false
    /// Over a deal: an active node past its due time that no timer sweep has blocked yet (the
    /// report's "overdue"); drawn in the red of blocked, dashed.
    public var overdue = false
}

/// One arrow of the picture.
public struct GraphEdge: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// From the start marker to the start node.
        case start
        /// A plain `next` (also from a fork branch to its join).
        case next
        /// A conditional branch out of a decision point (label: the condition).
        case branch
        /// The default of a conditional `next`.
        case otherwise
        /// An approval outcome (label: the outcome).
        case outcome
        /// From a fork to one of its branches.
        case fork
        /// A declared `rework` target: back to an earlier node.
        case rework
        /// From the lose entry to `lose.via`.
        case lose
    }

    /// Model node indices.
    public var from: Int
    public var to: Int
    public var kind: Kind
    /// The words on the arrow, cut at ``GraphModel/maxDetailColumns``.
    public var label: String?
    /// The whole condition of a branch, or the name of an outcome.
    public var condition: String?
    /// The whole label and what the arrow means, for the tooltip.
    public var tooltip: String
    /// The deal has gone along this arrow.
    public var taken: Bool
    /// Taken on a pass the deal was sent back from, not on the current one: it leaves a node
    /// passed earlier, or one open now. Drawn apart from the current path (QA round 39, H4: the
    /// arrows out of two overdue reviews were as bold as the path the deal is on).
    public var earlier = false
}

/// The deal drawn over a flow.
public struct GraphDeal: Sendable, Hashable {
    public var dealID: String
    public var status: DealStatus
    public var heading: String
}

extension GraphModel {
    /// Builds the picture of a machine, and of a deal on it when `snapshot` is given.
    ///
    /// - Parameters:
    ///   - machine: a verified machine (indices in range); out-of-range indices are skipped, not trusted.
    ///   - snapshot: a deal on this machine; its node states and decisions mark the boxes and arrows.
    /// - Parameter now: the clock (seconds) against which an active node past its due time is
    ///   marked overdue, as the report marks it before a timer sweep blocks it; nil marks none.
    public static func build(_ machine: Machine, language: GraphLanguage = .zh, snapshot: DealSnapshot? = nil, now: Int64? = nil) -> GraphModel {
        GraphModelBuilder(machine: machine, language: language, snapshot: snapshot, now: now).build()
    }
}

/// Builds a ``GraphModel``: boxes first, then arrows, then the deal's marks.
struct GraphModelBuilder {
    let m: Machine
    let words: GraphWords
    let language: GraphLanguage
    let snapshot: DealSnapshot?
    let now: Int64?

    init(machine: Machine, language: GraphLanguage, snapshot: DealSnapshot?, now: Int64? = nil) {
        self.m = machine
        self.language = language
        self.words = GraphWords.of(language)
        self.snapshot = snapshot
        self.now = now
    }

    func build() -> GraphModel {
        var nodes: [GraphNode] = []
        var index: [Int: Int] = [:]
        var decision: [Int: Int] = [:]
        let (losePath, lane) = losePathNodes()

        nodes.append(GraphNode(key: ":start", machineIndex: nil, kind: .start, label: words.start, details: [], tooltip: [words.start],
                               losePath: false, tailored: false, state: nil, recordCount: 0))
        for (i, def) in m.nodes.enumerated() {
            index[i] = nodes.count
            var node = box(i, def, losePath: losePath.contains(i))
            node.inLane = lane.contains(i)
            nodes.append(node)
            if case .branch = def.transition {
                decision[i] = nodes.count
                nodes.append(GraphNode(key: ":if:" + def.id, machineIndex: nil, kind: .decision, label: words.decision, details: [],
                                       tooltip: [], losePath: losePath.contains(i), inLane: lane.contains(i), tailored: false, state: nil,
                                       recordCount: 0))
            }
        }
        var loseEntry: Int?
        if let lose = m.lose, index[lose.via] != nil {
            loseEntry = nodes.count
            var label = words.loseAnyNode
            if let from = lose.from {
                let names = from.filter { m.nodes.indices.contains($0) }.map { name(m.nodes[$0]) }
                label = words.fill(words.loseSomeNodes, names.joined(separator: "、"))
            }
            var tooltip = [label]
            if !lose.reasons.isEmpty { tooltip.append(lose.reasons.joined(separator: ", ")) }
            nodes.append(GraphNode(key: ":lose", machineIndex: nil, kind: .loseEntry, label: GraphText.cut(label, GraphModel.maxLabelColumns),
                                   details: [], tooltip: tooltip, losePath: true, inLane: true, tailored: false, state: nil, recordCount: 0))
        }

        var edges: [GraphEdge] = []
        func add(_ from: Int?, _ to: Int?, _ kind: GraphEdge.Kind, _ label: String? = nil, condition: String? = nil) {
            guard let from, let to else { return }
            let text = label.map { GraphText.cut($0, GraphModel.maxDetailColumns) }
            let tip = [nodes[from].tooltip.first ?? nodes[from].label, "→", nodes[to].tooltip.first ?? nodes[to].label].joined(separator: " ")
            edges.append(GraphEdge(from: from, to: to, kind: kind, label: text, condition: condition,
                                   tooltip: label.map { tip + " · " + $0 } ?? tip, taken: false))
        }
        add(0, index[m.start], .start)
        for (i, def) in m.nodes.enumerated() {
            switch def.transition {
            case .end: break
            case .goto(let t): add(index[i], index[t], .next)
            case .branch(let guards, let otherwise):
                add(index[i], decision[i], .next)
                var tip: [String] = []
                for g in guards {
                    let source = expression(g.condition)
                    add(decision[i], index[g.to], .branch, source, condition: source)
                    tip.append(source + " → " + targetName(g.to))
                }
                add(decision[i], index[otherwise], .otherwise, words.otherwise)
                tip.append(words.otherwise + " → " + targetName(otherwise))
                if let d = decision[i] { nodes[d].tooltip = [name(def) + " · " + words.decision] + tip }
            case .outcomes(let outcomes):
                for o in outcomes { add(index[i], index[o.to], .outcome, o.name, condition: o.name) }
            case .fork(let branches, _):
                for b in branches { add(index[i], index[b], .fork) }
            }
            for r in def.rework { add(index[i], index[r], .rework, words.rework) }
        }
        if let lose = m.lose { add(loseEntry, index[lose.via], .lose, words.lose) }

        var model = GraphModel(templateID: m.template.id, version: m.template.version, hash: m.template.hash,
                               title: language.pick(m.template.name, fallback: m.template.id), language: language,
                               nodes: nodes, edges: edges, deal: nil)
        if let snapshot { GraphOverlay(machine: m, snapshot: snapshot, words: words, now: now).apply(to: &model) }
        return model
    }

    func name(_ def: NodeDef) -> String { language.pick(def.name, fallback: def.id) }

    func targetName(_ i: Int) -> String { m.nodes.indices.contains(i) ? name(m.nodes[i]) : "?" }

    func expression(_ i: Int) -> String { m.expressions.indices.contains(i) ? m.expressions[i].source : "?" }

    /// The box of template node `i`.
    func box(_ i: Int, _ def: NodeDef, losePath: Bool) -> GraphNode {
        let kind: GraphNode.Kind = switch def.kind {
        case .task: .task
        case .approval: .approval
        case .fork: .fork
        case .join: .join
        case .won: .won
        case .lost: .lost
        }
        let full = name(def)
        let ownerText = def.owner.flatMap { o in
            m.roles.indices.contains(o) ? words.fill(words.owner, language.pick(m.roles[o].name, fallback: m.roles[o].id)) : nil
        }
        let probabilityText = kind == .task || kind == .approval ? def.probability.map { words.fill(words.probability, String($0)) } : nil
        let meta = [ownerText, probabilityText].compactMap { $0 }
        var details: [String] = []
        if !meta.isEmpty, kind == .task || kind == .approval {
            // A long owner role is cut, not the probability after it (QA round 18: `owner:
            // Regional Vice President of Sales…` lost its `35% win`).
            if let o = ownerText, let p = probabilityText,
               GraphText.columns(o) + GraphText.columns(" · " + p) > GraphModel.maxDetailColumns {
                details.append(GraphText.cut(o, max(4, GraphModel.maxDetailColumns - GraphText.columns(" · " + p))) + " · " + p)
            } else {
                details.append(meta.joined(separator: " · "))
            }
        }
        var condition: String?
        if let w = def.when { condition = words.fill(words.when, expression(w)) }
        if let condition, kind != .approval { details.append(condition) }
        var tooltip = [full + " (" + def.id + ")", ([words.kindNames[kind.rawValue] ?? kind.rawValue] + meta).joined(separator: " · ")]
        if let condition, kind != .approval { tooltip.append(condition) }
        return GraphNode(key: def.id, machineIndex: i, kind: kind, label: GraphText.cut(full, GraphModel.maxLabelColumns),
                         details: details.map { GraphText.cut($0, GraphModel.maxDetailColumns) }, tooltip: tooltip,
                         losePath: losePath, tailored: def.when != nil && kind != .approval, state: nil, recordCount: 0)
    }

    /// The lose path's nodes: those reachable from `lose.via` (reworks not counted), and those of
    /// them not reachable from the start too, the lane's.
    func losePathNodes() -> (path: Set<Int>, lane: Set<Int>) {
        guard let lose = m.lose, m.nodes.indices.contains(lose.via) else { return ([], []) }
        let path = reachable(from: lose.via)
        return (path, path.subtracting(reachable(from: m.start)))
    }

    func reachable(from root: Int) -> Set<Int> {
        guard m.nodes.indices.contains(root) else { return [] }
        var seen: Set<Int> = [root]
        var stack = [root]
        while let n = stack.popLast() {
            for t in m.nodes[n].transition.targets where m.nodes.indices.contains(t) && !seen.contains(t) {
                seen.insert(t)
                stack.append(t)
            }
        }
        return seen
    }
}

/// Text helpers shared by the renderers.
enum GraphText {
    /// `text` cut to at most `columns` display columns, with `…` when cut. Newlines and other
    /// control characters become spaces (a label is one line).
    static func cut(_ text: String, _ columns: Int) -> String {
        var clean = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        if DisplayWidth.of(clean) <= columns { return clean }
        var out = String.UnicodeScalarView()
        var width = 0
        for s in clean.unicodeScalars {
            let w = DisplayWidth.of(s)
            if width + w > columns - 1 { break }
            out.append(s)
            width += w
        }
        clean = String(out) + "…"
        return clean
    }

    /// Display columns of a string (CJK counts 2).
    static func columns(_ text: String) -> Int { DisplayWidth.of(text) }
}
