/// The flow as a Mermaid flowchart (top down), for wikis and Markdown viewers that draw Mermaid.
///
/// Node ids are `n0`, `n1`… (model order), never the template's ids, so an id such as `end` cannot
/// clash with Mermaid's keywords. Every label is a quoted string with `"`, `#`, `<`, `>`, `&`,
/// `|` and backticks written as Mermaid entity codes. Over a deal: `classDef` per state, a `class`
/// line per state, and `linkStyle` for the arrows taken, a rework or lose arrow in its own colour
/// (links are numbered in the order written); the arrows not taken fade, as in DOT and SVG.
public enum GraphMermaid {
    public static func render(_ model: GraphModel) -> String {
        let words = GraphWords.of(model.language)
        var out = "---\ntitle: \(yaml(model.title + " · " + model.templateID + " " + model.version))\n---\n"
        out += "flowchart TD\n"
        out += "  %% flowc graph: \(comment(model.templateID)) \(comment(model.version)) \(comment(model.hash))\n"
        if let deal = model.deal { out += "  %% \(comment(deal.heading))\n" }
        let lane = model.nodes.indices.filter { model.nodes[$0].inLane }
        for k in model.nodes.indices where !lane.contains(k) { out += "  " + node(k, model.nodes[k]) + "\n" }
        if !lane.isEmpty {
            out += "  subgraph lose_path [\(quote(words.losePath))]\n"
            for k in lane { out += "    " + node(k, model.nodes[k]) + "\n" }
            out += "  end\n"
        }
        for edge in model.edges {
            let overlayTaken = model.deal != nil && edge.taken
            let arrow: String = switch edge.kind {
            case .rework, .lose: "-.->"
            default: overlayTaken ? "==>" : "-->"
            }
            let label = edge.label.map { "|" + quote($0) + "|" } ?? ""
            out += "  n\(edge.from) \(arrow)\(label) n\(edge.to)\n"
        }

        // Styles: kinds always, states over a deal.
        out += "  classDef bar fill:#334e68,stroke:#243b53,color:#ffffff\n"
        out += "  classDef approval fill:#fffaeb,stroke:#b7791f\n"
        out += "  classDef won fill:#e3f9e5,stroke:#2f8132,stroke-width:2px\n"
        out += "  classDef lost fill:#ffe3e3,stroke:#a61b1b,stroke-width:2px\n"
        out += "  classDef losePath fill:#fff5f5,stroke:#c53030,stroke-dasharray:5 3\n"
        out += "  classDef tailored stroke:#b7791f,stroke-dasharray:7 3\n"
        var byClass: [(String, [Int])] = []
        func add(_ cls: String, _ k: Int) {
            if let i = byClass.firstIndex(where: { $0.0 == cls }) { byClass[i].1.append(k) } else { byClass.append((cls, [k])) }
        }
        if model.deal != nil {
            for state in NodeStatusName.all {
                let (fill, stroke, width) = NodeStatusName.colours(state)
                out += "  classDef state_\(state) fill:\(fill),stroke:\(stroke),stroke-width:\(width)px\n"
            }
            // A done box on the way to `lost` in red, as in DOT and SVG.
            if model.nodes.contains(where: { $0.state == .done && $0.losing }) {
                let (fill, stroke, width) = GraphDOT.losingDone(.task)
                out += "  classDef state_done_losing fill:\(fill),stroke:\(stroke),stroke-width:\(width)px\n"
            }
            if model.nodes.contains(where: \.passedEarlier) {
                let e = GraphDOT.earlier, l = GraphDOT.earlierLosing
                out += "  classDef state_earlier fill:\(e.fill),stroke:\(e.stroke),stroke-width:\(e.width)px,stroke-dasharray:4 3\n"
                out += "  classDef state_earlier_losing fill:\(l.fill),stroke:\(l.stroke),stroke-width:\(l.width)px,stroke-dasharray:4 3\n"
            }
            if model.nodes.contains(where: \.overdue) {
                let o = GraphDOT.overdueColours
                out += "  classDef state_overdue fill:\(o.fill),stroke:\(o.stroke),stroke-width:\(o.width)px,stroke-dasharray:6 3\n"
            }
            for (k, node) in model.nodes.enumerated() {
                guard let s = node.state else { continue }
                add(node.passedEarlier ? (node.losing ? "state_earlier_losing" : "state_earlier") : node.overdue ? "state_overdue"
                    : s == .done && node.losing ? "state_done_losing" : "state_" + s.rawValue, k)
            }
        } else {
            for (k, node) in model.nodes.enumerated() {
                switch node.kind {
                case .fork, .join, .start: add("bar", k)
                case .approval, .decision: add("approval", k)
                case .won: add("won", k)
                case .lost: add("lost", k)
                case .loseEntry: add("losePath", k)
                case .task: if node.losePath { add("losePath", k) } else if node.tailored { add("tailored", k) }
                }
            }
        }
        for (cls, nodes) in byClass { out += "  class " + nodes.map { "n\($0)" }.joined(separator: ",") + " " + cls + "\n" }
        func links(_ indices: [Int], _ style: String) {
            if !indices.isEmpty { out += "  linkStyle \(indices.map(String.init).joined(separator: ",")) \(style)\n" }
        }
        let rework = model.edges.indices.filter { model.edges[$0].kind == .rework }
        let lose = model.edges.indices.filter { model.edges[$0].kind == .lose }
        if model.deal != nil {
            // As DOT and SVG: the arrows taken bold (rework and lose arrows in their own colour),
            // the others faded.
            let taken = model.edges.indices.filter {
                model.edges[$0].taken && !model.edges[$0].earlier && model.edges[$0].kind != .rework && model.edges[$0].kind != .lose
            }
            if !model.edges.isEmpty { out += "  linkStyle default stroke:#cbd2d9\n" }
            links(taken, "stroke:#1c7ed6,stroke-width:3px")
            links(rework.filter { model.edges[$0].taken }, "stroke:#dd6b20,stroke-width:3px")
            links(lose.filter { model.edges[$0].taken && !model.edges[$0].earlier }, "stroke:#c53030,stroke-width:3px")
            let earlier = model.edges.indices.filter { model.edges[$0].earlier }
            let losing = earlier.filter { model.nodes[model.edges[$0].to].losing }
            links(earlier.filter { !losing.contains($0) }, "stroke:\(GraphDOT.earlier.stroke),stroke-width:2px,stroke-dasharray:4 3")
            links(losing, "stroke:\(GraphDOT.earlierLosing.stroke),stroke-width:2px,stroke-dasharray:4 3")
        } else {
            links(rework, "stroke:#dd6b20")
            // A rejection back to an earlier node, amber as in the SVG (QA round 39, H12).
            let back = GraphLayoutEngine.backArrows(model)
            links(model.edges.indices.filter { back[$0] && model.edges[$0].kind != .rework }, "stroke:#b7791f")
            links(lose, "stroke:#c53030")
        }
        return out
    }

    static func node(_ k: Int, _ node: GraphNode) -> String {
        let text = ([label(node.label)] + node.details.map(label) + (node.stateMark.map { [label($0)] } ?? [])).joined(separator: "<br/>")
        var full = text
        if node.recordCount > 0 { full += " #91;" + String(node.recordCount) + "#93;" }
        let q = "\"" + full + "\""
        return switch node.kind {
        case .start: "n\(k)((\(q)))"
        case .task: "n\(k)[\(q)]"
        case .approval: "n\(k){{\(q)}}"
        case .decision: "n\(k){\"?\"}"
        case .fork, .join: "n\(k)[[\(q)]]"
        case .won, .lost, .loseEntry: "n\(k)([\(q)])"
        }
    }

    /// A quoted Mermaid label.
    static func quote(_ s: String) -> String { "\"" + label(s) + "\"" }

    /// Label text with Mermaid's entity codes for the characters its parser would read.
    static func label(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "#": out += "#35;"
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "|": out += "#124;"
            case "`": out += "#96;"
            case "\n", "\r", "\t": out += " "
            default: if u.value >= 0x20 { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// A YAML double-quoted scalar.
    static func yaml(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: if u.value >= 0x20 { out.unicodeScalars.append(u) } else { out += " " }
            }
        }
        return out + "\""
    }

    /// Text for a `%%` comment: one line.
    static func comment(_ s: String) -> String { GraphText.cut(s, 200) }
}

/// State names and colours shared by the DOT and Mermaid styles.
enum NodeStatusName {
    static let all = ["pending", "active", "blocked", "waiting", "done", "skipped", "closed"]

    static func colours(_ state: String) -> (fill: String, stroke: String, width: String) {
        switch state {
        case "done": ("#e3f9e5", "#2f8132", "2")
        case "active": ("#dbeefe", "#1c7ed6", "3")
        case "blocked": ("#ffe3e3", "#d64545", "3")
        case "waiting": ("#fff3c4", "#cb6e17", "2")
        case "skipped": ("#f5f7fa", "#9aa5b1", "1")
        case "closed": ("#e4e7eb", "#7b8794", "1")
        default: ("#ffffff", "#cbd2d9", "1")
        }
    }
}
