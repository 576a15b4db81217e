import FlowRuntime

/// The flow as Graphviz DOT (`dot -Tsvg`), top to bottom, with the lose path in a cluster and,
/// over a deal, fill colours for the states and bold blue arrows for the path taken.
///
/// Every id and label is a quoted DOT string (`"` and `\` escaped), so Chinese names and
/// conditions such as `customer_tier == 'strategic'` pass through unchanged; the file is UTF-8.
public enum GraphDOT {
    public static func render(_ model: GraphModel) -> String {
        let overlay = model.deal != nil
        var out = "// flowc graph: \(line(model.templateID)) \(line(model.version)) \(line(model.hash))\n"
        out += "digraph \(q(model.templateID)) {\n"
        var title = model.title + " · " + model.templateID + " " + model.version
        if let deal = model.deal { title += "\n" + deal.heading }
        out += "  graph [charset=\"UTF-8\", rankdir=\"TB\", labelloc=\"t\", fontsize=\"18\", fontname=\(q(fonts)), nodesep=\"0.35\", ranksep=\"0.45\", label=\(q(title))];\n"
        out += "  node [fontname=\(q(fonts)), fontsize=\"12\", shape=\"box\", style=\"rounded,filled\", fillcolor=\"#f8fafc\", color=\"#52606d\", margin=\"0.15,0.06\"];\n"
        out += "  edge [fontname=\(q(fonts)), fontsize=\"10\", color=\(q(overlay ? "#cbd2d9" : "#7b8794")), fontcolor=\"#3e4c59\", arrowsize=\"0.7\"];\n"
        let lane = model.nodes.indices.filter { model.nodes[$0].inLane }
        for (k, node) in model.nodes.enumerated() where !lane.contains(k) {
            out += "  " + nodeLine(node) + "\n"
        }
        if !lane.isEmpty {
            let words = GraphWords.of(model.language)
            out += "  subgraph \"cluster_lose_path\" {\n"
            out += "    label=\(q(words.losePath)); style=\"dashed,rounded\"; color=\"#c53030\"; fontcolor=\"#c53030\"; fontsize=\"12\";\n"
            for k in lane { out += "    " + nodeLine(model.nodes[k]) + "\n" }
            out += "  }\n"
        }
        let back = GraphLayoutEngine.backArrows(model)
        for (e, edge) in model.edges.enumerated() {
            out += "  " + edgeLine(model, edge, back: back[e]) + "\n"
        }
        out += "}\n"
        return out
    }

    static let fonts = "Noto Sans CJK SC,Microsoft YaHei,PingFang SC,sans-serif"

    /// A DOT quoted string: `"` and `\` escaped, line breaks as `\n`.
    static func q(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r", "\t": out += " "
            default: if u.value >= 0x20 { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Text for a `//` comment: one line.
    static func line(_ s: String) -> String { GraphText.cut(s, 200) }

    static func attributes(_ pairs: [(String, String)]) -> String {
        "[" + pairs.map { "\($0.0)=\(q($0.1))" }.joined(separator: ", ") + "]"
    }

    static func nodeLine(_ node: GraphNode) -> String {
        var a: [(String, String)] = []
        let label = ([node.label] + node.details + (node.stateMark.map { [$0] } ?? [])).joined(separator: "\n")
        switch node.kind {
        case .start: a = [("label", ""), ("shape", "circle"), ("width", "0.25"), ("style", "filled"), ("fillcolor", "#334e68")]
        case .decision: a = [("label", "?"), ("shape", "diamond"), ("width", "0.4"), ("height", "0.4"), ("style", "filled"), ("fillcolor", "#fffaeb"), ("color", "#b7791f")]
        case .task:
            a = [("label", label)]
            if node.losePath { a += [("style", "rounded,filled,dashed"), ("color", "#c53030"), ("fillcolor", "#fff5f5")] }
            else if node.tailored { a += [("style", "rounded,filled,dashed"), ("color", "#b7791f")] }
        case .approval: a = [("label", label), ("shape", "hexagon"), ("fillcolor", "#fffaeb"), ("color", "#b7791f")]
        case .fork, .join:
            // A tailored fork: its condition on the bar, and the amber dashed edge of tailored tasks.
            a = [("label", node.barLabel), ("shape", "box"), ("style", node.tailored ? "filled,dashed" : "filled"), ("fillcolor", "#334e68"),
                 ("fontcolor", "#ffffff"), ("height", "0.3")]
            if node.tailored { a += [("color", "#b7791f"), ("penwidth", "2")] }
        case .won: a = [("label", node.label), ("style", "rounded,filled,bold"), ("fillcolor", "#e3f9e5"), ("color", "#2f8132")]
        case .lost: a = [("label", node.label), ("style", "rounded,filled,bold"), ("fillcolor", "#ffe3e3"), ("color", "#a61b1b")]
        case .loseEntry: a = [("label", node.label), ("style", "rounded,filled,dashed"), ("fillcolor", "#fff5f5"), ("color", "#c53030"), ("fontcolor", "#a61b1b")]
        }
        if let state = node.state {
            let (fill, stroke, width) = node.passedEarlier ? (node.losing ? earlierLosing : earlier) : node.overdue ? overdueColours
                : state == .done && node.losing ? losingDone(node.kind) : colours(state)
            let filled = node.kind == .fork || node.kind == .join || node.kind == .start
            a.removeAll { $0.0 == "fillcolor" || $0.0 == "color" }
            a += [("fillcolor", filled ? stroke : fill), ("color", stroke), ("penwidth", width)]
            if state == .skipped { a.removeAll { $0.0 == "style" }; a.append(("style", node.kind == .task ? "rounded,filled,dashed" : "filled,dashed")) }
            if node.passedEarlier { a.removeAll { $0.0 == "style" }; a.append(("style", node.kind == .task ? "rounded,filled,dashed" : "filled,dashed")) }
            if node.overdue { a.removeAll { $0.0 == "style" }; a.append(("style", "rounded,filled,dashed")) }
            a.append(("class", node.passedEarlier ? "pending earlier" : node.overdue ? "active overdue" : state.rawValue))
        }
        var tip = node.tooltip
        if node.recordCount > 0 { tip.insert("records: \(node.recordCount)", at: min(2, tip.count)) }
        a.append(("tooltip", tip.joined(separator: "\n")))
        if node.recordCount > 0, let i = a.firstIndex(where: { $0.0 == "label" }) { a[i].1 += " [\(node.recordCount)]" }
        return q(node.key) + " " + attributes(a) + ";"
    }

    /// An active box past its due time, not yet blocked: blocked's red, lighter, dashed.
    static let overdueColours = (fill: "#fff4e6", stroke: "#d64545", width: "3")

    /// A box the deal passed before it was sent back (pending again): a pale, dashed green.
    static let earlier = (fill: "#f1f8f2", stroke: "#8fbf94", width: "1.4")
    /// A node of the lose path on a pass the deal was sent back from (lost, then claimed back):
    /// pale red, not the pale green of progress (QA round 39, H5).
    static let earlierLosing = (fill: "#fff5f5", stroke: "#e8a0a0", width: "1.4")

    /// A done box on the way to `lost`: red, not the green of progress (the lost end bolder).
    static func losingDone(_ kind: GraphNode.Kind) -> (fill: String, stroke: String, width: String) {
        kind == .lost ? ("#ffc9c9", "#a61b1b", "3") : ("#fff0f0", "#a61b1b", "1.8")
    }

    static func colours(_ state: NodeStatus) -> (fill: String, stroke: String, width: String) {
        switch state {
        case .done: ("#e3f9e5", "#2f8132", "1.8")
        case .active: ("#dbeefe", "#1c7ed6", "3")
        case .blocked: ("#ffe3e3", "#d64545", "3")
        case .waiting: ("#fff3c4", "#cb6e17", "2")
        case .skipped: ("#f5f7fa", "#9aa5b1", "1")
        case .closed: ("#e4e7eb", "#7b8794", "1")
        case .pending: ("#ffffff", "#cbd2d9", "1")
        }
    }

    /// - Parameter back: the arrow goes back against the flow (a rejection to an earlier node):
    ///   amber, as the SVG draws it and the legend says (QA round 39, H12: a plain grey arrow).
    static func edgeLine(_ model: GraphModel, _ edge: GraphEdge, back: Bool = false) -> String {
        var a: [(String, String)] = []
        if let label = edge.label { a.append(("label", label)) }
        switch edge.kind {
        case .rework: a += [("style", "dashed"), ("color", "#dd6b20"), ("fontcolor", "#c05621"), ("constraint", "false")]
        case .lose: a += [("style", "dashed"), ("color", "#c53030"), ("fontcolor", "#c53030")]
        default: if back { a += [("color", "#b7791f"), ("fontcolor", "#b7791f"), ("constraint", "false")] }
        }
        if model.deal != nil {
            if edge.taken && edge.earlier {
                // Taken on a pass the deal was sent back from: as its boxes, pale green dashed.
                a.removeAll { $0.0 == "color" || $0.0 == "style" || $0.0 == "fontcolor" }
                let losing = model.nodes[edge.to].losing
                a += [("color", losing ? earlierLosing.stroke : earlier.stroke), ("style", "dashed"), ("penwidth", "2"), ("class", "taken earlier")]
            } else if edge.taken {
                if edge.kind != .rework && edge.kind != .lose { a.removeAll { $0.0 == "color" }; a.append(("color", "#1c7ed6")) }
                a += [("penwidth", "2.6"), ("class", "taken")]
            } else {
                a.removeAll { $0.0 == "color" || $0.0 == "fontcolor" }
                if edge.kind == .rework || edge.kind == .lose { a += [("color", "#cbd2d9"), ("fontcolor", "#9aa5b1")] }
            }
        }
        a.append(("tooltip", edge.tooltip))
        return q(model.nodes[edge.from].key) + " -> " + q(model.nodes[edge.to].key) + " " + attributes(a) + ";"
    }
}
