/// The flow as a self-contained SVG: laid out by ``GraphLayout`` (no Graphviz), styled with an
/// embedded style sheet, fonts that carry Chinese glyphs, a `<title>` tooltip on every box and
/// arrow, and, over a deal, a legend of the states.
///
/// The document is UTF-8 with an XML declaration and opens offline in any browser. Every box is a
/// `<g class="node KIND [STATE]" data-node="ID">` holding one shape of class `box`; every arrow a
/// `<g class="edge KIND forward|back [taken]" data-from="ID" data-to="ID">` holding one path.
public enum GraphSVG {
    /// Renders a model.
    /// - Throws: ``GraphLayoutError`` when the flow is too large to lay out (FC1401).
    public static func render(_ model: GraphModel) throws(GraphLayoutError) -> String {
        let words = GraphWords.of(model.language)
        let base = try GraphLayout.make(model, top: 0)
        var header: [String] = []
        var y = 32.0
        header.append(text("heading", 20, y, model.title))
        y += 20
        header.append(text("subheading", 20, y, "\(model.templateID) \(model.version) · \(String(model.hash.prefix(19)))"))
        var legendWidth = 0.0
        if let deal = model.deal {
            y += 24
            header.append(text("deal", 20, y, deal.heading))
            let legend = GraphLegend.render(words: words, top: y + 14, maxWidth: max(base.width - 40, 560),
                                            earlier: model.nodes.contains(where: \.passedEarlier), earlierArrows: model.edges.contains(where: \.earlier),
                                            earlierLoss: model.nodes.contains { $0.passedEarlier && $0.losing },
                                            losing: model.nodes.contains { $0.state == .done && $0.losing },
                                            overdue: model.nodes.contains(where: \.overdue))
            header.append(legend.svg)
            y = legend.bottom
            legendWidth = legend.width + 40
        } else {
            let legend = GraphLegend.shapes(words: words, top: y + 10, maxWidth: max(base.width - 40, 560))
            header.append(legend.svg)
            y = legend.bottom
            legendWidth = legend.width + 40
        }
        let top = y + 24
        let layout = try GraphLayout.make(model, top: top)
        let headingWidth = Double(max(GraphText.columns(model.title) * 10, GraphText.columns(model.deal?.heading ?? "") * 8)) + 40
        let width = max(layout.width, legendWidth, headingWidth).rounded(.up)
        let height = layout.height

        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"flowc-graph\(model.deal == nil ? "" : " overlay")\""
        out += " xml:lang=\"\(model.language == .zh ? "zh-CN" : "en")\""
        out += " width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-labelledby=\"graph-title\">\n"
        out += "<title id=\"graph-title\">\(escape(model.title + (model.deal.map { " · " + $0.heading } ?? "")))</title>\n"
        out += "<desc>flowc graph: \(escape(model.templateID)) \(escape(model.version)) \(escape(model.hash))</desc>\n"
        out += "<style>\n" + GraphStyle.css + "</style>\n"
        out += GraphStyle.markers
        out += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\"/>\n"
        out += header.joined(separator: "\n") + "\n"
        if let lane = layout.loseLane {
            out += "<g class=\"lane lose-lane\"><rect x=\"\(n(lane.x))\" y=\"\(n(lane.y))\" width=\"\(n(lane.width))\" height=\"\(n(lane.height))\" rx=\"10\"/>"
            out += text("lane-title", lane.x + 12, lane.y + 18, words.losePath) + "</g>\n"
        }
        out += "<g class=\"edges\">\n"
        for (e, edge) in model.edges.enumerated() {
            out += edgeSVG(model, edge, layout.routes[e]) + "\n"
        }
        out += "</g>\n<g class=\"nodes\">\n"
        for (k, node) in model.nodes.enumerated() {
            out += nodeSVG(node, layout.boxes[k], words) + "\n"
        }
        out += "</g>\n<g class=\"edge-labels\">\n"
        for (e, edge) in model.edges.enumerated() {
            guard let label = edge.label else { continue }
            let route = layout.routes[e]
            let classes = "edge-label " + edge.kind.rawValue + (edge.taken ? " taken" : "") + (edge.earlier ? " earlier" : "")
            out += "<text class=\"\(classes)\" x=\"\(n(route.labelAt.x))\" y=\"\(n(route.labelAt.y))\" text-anchor=\"\(route.labelAnchor)\">"
            out += escape(label) + "</text>\n"
        }
        out += "</g>\n</svg>\n"
        return out
    }

    static func n(_ v: Double) -> String { GraphNumber.text(v) }

    static func text(_ cls: String, _ x: Double, _ y: Double, _ s: String, anchor: String? = nil) -> String {
        "<text class=\"\(cls)\" x=\"\(n(x))\" y=\"\(n(y))\"" + (anchor.map { " text-anchor=\"\($0)\"" } ?? "") + ">" + escape(s) + "</text>"
    }

    /// Escapes text and attribute values; drops characters XML 1.0 does not allow.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case _ where ReportHTMLEscape.bidiCode(u) != nil: out += ReportHTMLEscape.bidiCode(u) ?? ""
            default:
                let v = u.value
                if v < 0x20 && v != 0x09 { out += " "; continue }
                if v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func nodeSVG(_ node: GraphNode, _ b: GraphRect, _ words: GraphWords) -> String {
        var classes = ["node", node.kind.rawValue]
        if let state = node.state { classes.append(state.rawValue) }
        if node.losePath { classes.append("lose-path") }
        if node.passedEarlier { classes.append("earlier") }
        if node.overdue { classes.append("overdue") }
        if node.tailored { classes.append("tailored") }
        if node.recordCount > 0 { classes.append("has-records") }
        var tip = node.tooltip
        if node.recordCount > 0 { tip.insert(words.fill(words.records, String(node.recordCount)), at: min(2, tip.count)) }
        var s = "<g class=\"\(classes.joined(separator: " "))\" data-node=\"\(escape(node.key))\""
        if let state = node.state { s += " data-state=\"\(state.rawValue)\"" }
        s += "><title>\(escape(tip.joined(separator: "\n")))</title>"
        let rect = "x=\"\(n(b.x))\" y=\"\(n(b.y))\" width=\"\(n(b.width))\" height=\"\(n(b.height))\""
        switch node.kind {
        case .start:
            s += "<circle class=\"box\" cx=\"\(n(b.midX))\" cy=\"\(n(b.midY))\" r=\"\(n(b.width / 2))\"/>"
        case .decision:
            s += "<polygon class=\"box\" points=\"\(points([(b.midX, b.y), (b.maxX, b.midY), (b.midX, b.maxY), (b.x, b.midY)]))\"/>"
            s += text("decision-mark", b.midX, b.midY + 4.5, "?", anchor: "middle")
        case .approval:
            let i = GraphSizing.hexagonInset
            s += "<polygon class=\"box\" points=\"\(points([(b.x, b.midY), (b.x + i, b.y), (b.maxX - i, b.y), (b.maxX, b.midY), (b.maxX - i, b.maxY), (b.x + i, b.maxY)]))\"/>"
        case .fork, .join:
            s += "<rect class=\"box\" \(rect) rx=\"4\"/>"
            s += text("label", b.midX, b.midY + 4.5, node.barLabel, anchor: "middle")
        case .won, .lost, .loseEntry:
            s += "<rect class=\"box\" \(rect) rx=\"\(n(b.height / 2))\"/>"
            s += text("label", b.midX, b.midY + 5, node.label, anchor: "middle")
        case .task:
            s += "<rect class=\"box\" \(rect) rx=\"8\"/>"
        }
        if node.kind == .task || node.kind == .approval {
            s += text("label", b.midX, b.y + 24, node.label, anchor: "middle")
            for (i, d) in node.details.enumerated() {
                let cls = node.tailored && i == node.details.count - 1 ? "detail when" : "detail"
                s += text(cls, b.midX, b.y + 24 + 15 * Double(i + 1), d, anchor: "middle")
            }
            if let mark = node.stateMark { s += text("detail state", b.midX, b.y + 24 + 15 * Double(node.details.count + 1), mark, anchor: "middle") }
        }
        if node.recordCount > 0 {
            s += "<g class=\"badge\"><circle cx=\"\(n(b.maxX - 2))\" cy=\"\(n(b.y + 2))\" r=\"9\"/>"
            s += text("badge-count", b.maxX - 2, b.y + 5.5, node.recordCount > 99 ? "99+" : String(node.recordCount), anchor: "middle") + "</g>"
        }
        return s + "</g>"
    }

    static func points(_ ps: [(Double, Double)]) -> String {
        ps.map { n($0.0) + "," + n($0.1) }.joined(separator: " ")
    }

    static func edgeSVG(_ model: GraphModel, _ edge: GraphEdge, _ route: GraphRoute) -> String {
        var classes = ["edge", edge.kind.rawValue, route.forward ? "forward" : "back"]
        if edge.taken { classes.append("taken") }
        // An earlier pass's arrow into the lose path is pale red, as its boxes (H5).
        let losing = edge.earlier && model.nodes[edge.to].losing
        if edge.earlier { classes.append(losing ? "earlier losing" : "earlier") }
        let marker: String
        switch edge.kind {
        case _ where model.deal != nil && !edge.taken: marker = "arrow-faint"
        case _ where edge.earlier: marker = losing ? "arrow-earlier-losing" : "arrow-earlier"
        case .rework: marker = "arrow-rework"
        case .lose: marker = "arrow-lose"
        default: marker = model.deal != nil ? "arrow-taken" : (route.forward ? "arrow" : "arrow-back")
        }
        let from = model.nodes[edge.from].key, to = model.nodes[edge.to].key
        return "<g class=\"\(classes.joined(separator: " "))\" data-from=\"\(escape(from))\" data-to=\"\(escape(to))\"><title>\(escape(edge.tooltip))</title>"
            + "<path d=\"\(GraphNumber.path(route.path))\" marker-end=\"url(#\(marker))\"/></g>"
    }
}

/// The legend drawn over a deal: the node states and the kinds of arrows.
enum GraphLegend {
    /// - Parameters:
    ///   - earlier: whether a node is drawn as on an earlier pass (its legend item is shown then only).
    ///   - losing: whether a node on the way to `lost` is drawn done, in red (its item: red is
    ///     otherwise the legend's blocked).
    ///   - earlierArrows: whether an arrow is drawn as taken on an earlier pass (its item then).
    ///   - earlierLoss: whether a node of the lose path is drawn as on an earlier pass (a loss the
    ///     deal was claimed back from; QA round 40, K4: pale red without a legend item).
    static func render(words: GraphWords, top: Double, maxWidth: Double, earlier: Bool = false, earlierArrows: Bool = false, earlierLoss: Bool = false,
                       losing: Bool = false, overdue: Bool = false) -> (svg: String, bottom: Double, width: Double) {
        // Each state's legend item: its classes (the boxes' own, so the style sheet draws them
        // alike) and its word.
        var states = ["done", "active", "blocked", "waiting", "skipped", "closed", "pending"].map { (classes: "task " + $0, word: $0) }
        if overdue { states.insert((classes: "task active overdue", word: "overdue"), at: 3) }
        if earlier { states.append((classes: "task pending earlier", word: "earlier")) }
        if earlierLoss { states.append((classes: "task pending earlier lose-path", word: "earlierLoss")) }
        if losing { states.append((classes: "lost done", word: "losing")) }
        var items: [(swatch: String, label: String)] = []
        for state in states {
            items.append(("<rect class=\"box\" x=\"0\" y=\"-11\" width=\"22\" height=\"14\" rx=\"3\"/>", words.status[state.word] ?? state.word))
        }
        let line = { (cls: String) in "<path d=\"M0 -4 L26 -4\" class=\"\(cls)\"/>" }
        items.append((line("legend-taken"), words.takenPath))
        // Said apart from the boxes' item (QA round 40, K7: the same words twice).
        if earlierArrows { items.append((line("legend-earlier"), words.status["earlierArrows"] ?? "earlier")) }
        items.append((line("legend-rework"), words.rework))
        items.append((line("legend-lose"), words.lose))
        var out = "<g class=\"legend\">"
        var x = 20.0, y = top + 12, widest = 0.0
        for (i, item) in items.enumerated() {
            let w = 34 + Double(GraphText.columns(item.label)) * 6.6 + 18
            if x + w > maxWidth + 20 && x > 20 { x = 20; y += 22 }
            let cls = i < states.count ? "legend-item node " + states[i].classes : "legend-item"
            out += "<g class=\"\(cls)\" transform=\"translate(\(GraphSVG.n(x)) \(GraphSVG.n(y)))\">" + item.swatch
            out += GraphSVG.text("legend-label", 32, 0, item.label) + "</g>"
            x += w
            widest = max(widest, x)
        }
        out += "</g>"
        return (out, y + 8, widest)
    }

    /// The plain picture's legend: what each shape and line means.
    static func shapes(words: GraphWords, top: Double, maxWidth: Double) -> (svg: String, bottom: Double, width: Double) {
        let i = 5.0
        let items: [(cls: String, swatch: String, key: String)] = [
            ("node task", "<rect class=\"box\" x=\"0\" y=\"-11\" width=\"22\" height=\"14\" rx=\"3\"/>", "task"),
            ("node approval", "<polygon class=\"box\" points=\"0,-4 \(GraphSVG.n(i)),-11 \(GraphSVG.n(22 - i)),-11 22,-4 \(GraphSVG.n(22 - i)),3 \(GraphSVG.n(i)),3\"/>", "approval"),
            ("node decision", "<polygon class=\"box\" points=\"11,-12 19,-4 11,4 3,-4\"/>", "decision"),
            ("node fork", "<rect class=\"box\" x=\"0\" y=\"-8\" width=\"22\" height=\"8\" rx=\"2\"/>", "bar"),
            ("node won", "<rect class=\"box\" x=\"0\" y=\"-11\" width=\"22\" height=\"14\" rx=\"7\"/>", "end"),
            ("node task tailored", "<rect class=\"box\" x=\"0\" y=\"-11\" width=\"22\" height=\"14\" rx=\"3\"/>", "tailored"),
            ("edge back", "<path d=\"M0 -4 L26 -4\"/>", "back"),
            ("edge rework", "<path d=\"M0 -4 L26 -4\"/>", "rework"),
            ("edge lose", "<path d=\"M0 -4 L26 -4\"/>", "lose"),
        ]
        var out = "<g class=\"legend shapes\">"
        var x = 20.0, y = top + 12, widest = 0.0
        for item in items {
            let label = words.shapes[item.key] ?? item.key
            let w = 34 + Double(GraphText.columns(label)) * 6.6 + 18
            if x + w > maxWidth + 20 && x > 20 { x = 20; y += 22 }
            out += "<g class=\"legend-item \(item.cls)\" transform=\"translate(\(GraphSVG.n(x)) \(GraphSVG.n(y)))\">" + item.swatch
            out += GraphSVG.text("legend-label", 32, 0, label) + "</g>"
            x += w
            widest = max(widest, x)
        }
        out += "</g>"
        return (out, y + 8, widest)
    }
}
