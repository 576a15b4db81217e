/// The SVG's style sheet and arrowheads. Colours: kinds of boxes in the plain picture; over a
/// deal, the state colours win and arrows not taken fade, so the path taken stands out.
enum GraphStyle {
    /// Font stack with Chinese glyphs on Linux (Noto), Windows (YaHei) and macOS (PingFang).
    static let fonts = "\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"PingFang SC\",\"Hiragino Sans GB\",\"WenQuanYi Micro Hei\",sans-serif"

    // Text on the faded parts of a deal's picture (nodes not reached, arrows not taken) is
    // #616e7c, about 5:1 on white: the rest of the flow is what a manager reads it for (QA round
    // 39, H8: #9aa5b1, 2.5:1); the boxes and arrows stay light.
    static let css = """
        svg.flowc-graph{font-family:\(fonts);}
        .background{fill:#ffffff}
        .heading{font-size:20px;font-weight:700;fill:#1f2933}
        .subheading{font-size:12px;fill:#7b8794}
        .deal{font-size:14px;font-weight:600;fill:#1f2933}
        .box{fill:#ffffff;stroke:#52606d;stroke-width:1.4}
        .label{font-size:14px;font-weight:600;fill:#1f2933}
        .detail{font-size:11px;fill:#616e7c}
        .detail.when{fill:#b44d12}
        .detail.state{fill:#a61b1b;font-weight:700}
        .decision-mark{font-size:14px;font-weight:700;fill:#b7791f}
        .node.task .box{fill:#f8fafc}
        .node.approval .box{fill:#fffaeb;stroke:#b7791f;stroke-width:1.6}
        .node.decision .box{fill:#fffaeb;stroke:#b7791f;stroke-width:1.6}
        .node.fork .box,.node.join .box{fill:#334e68;stroke:#243b53}
        .node.fork .label,.node.join .label{fill:#ffffff;font-size:12px}
        .node.start .box{fill:#334e68;stroke:#243b53}
        .node.won .box{fill:#e3f9e5;stroke:#2f8132;stroke-width:2.4}
        .node.lost .box{fill:#ffe3e3;stroke:#a61b1b;stroke-width:2.4}
        .node.lose-entry .box{fill:#fff5f5;stroke:#c53030;stroke-dasharray:5 3}
        .node.lose-entry .label{fill:#a61b1b;font-size:13px}
        .node.task.lose-path .box{fill:#fff5f5;stroke:#c53030;stroke-dasharray:5 3}
        .node.task.tailored .box{stroke:#b7791f;stroke-dasharray:7 3}
        .node.fork.tailored .box{stroke:#b7791f;stroke-width:2;stroke-dasharray:7 3}
        .lane rect{fill:#fffafa;stroke:#f4b4b4;stroke-width:1.2;stroke-dasharray:6 4}
        .lane-title{font-size:12px;font-weight:600;fill:#c53030}
        .edge path{fill:none;stroke:#7b8794;stroke-width:1.5}
        .edge.back path{stroke:#b7791f}
        .edge.rework path{stroke:#dd6b20;stroke-dasharray:6 4}
        .edge.lose path{stroke:#c53030;stroke-dasharray:6 4}
        .edge-label{font-size:11px;fill:#3e4c59;paint-order:stroke;stroke:#ffffff;stroke-width:4px;stroke-linejoin:round}
        .edge-label.rework{fill:#c05621}
        .edge-label.lose{fill:#c53030}
        .badge circle{fill:#6741d9;stroke:#ffffff;stroke-width:1.5}
        .badge-count{font-size:10px;font-weight:700;fill:#ffffff}
        .overlay .edge path{stroke:#cbd2d9}
        .overlay .edge.taken path{stroke:#1c7ed6;stroke-width:3;stroke-dasharray:none}
        .overlay .edge.rework.taken path{stroke:#dd6b20;stroke-width:2.6;stroke-dasharray:6 4}
        .overlay .edge.lose.taken path{stroke:#c53030;stroke-width:2.6;stroke-dasharray:6 4}
        .overlay .edge-label{fill:#616e7c}
        .overlay .edge-label.taken{fill:#1864ab;font-weight:700}
        .overlay .edge-label.rework.taken{fill:#c05621}
        .overlay .edge-label.lose.taken{fill:#c53030}
        .overlay .edge.taken.earlier path{stroke:#8fbf94;stroke-width:2;stroke-dasharray:4 3}
        .overlay .edge.taken.earlier.losing path{stroke:#e8a0a0}
        .overlay .edge-label.taken.earlier{fill:#52606d;font-weight:400}
        .overlay .node.done .box{fill:#e3f9e5;stroke:#2f8132;stroke-width:1.8;stroke-dasharray:none}
        .overlay .node.active .box{fill:#dbeefe;stroke:#1c7ed6;stroke-width:3;stroke-dasharray:none}
        .overlay .node.blocked .box{fill:#ffe3e3;stroke:#d64545;stroke-width:3;stroke-dasharray:none}
        .overlay .node.active.overdue .box{fill:#fff4e6;stroke:#d64545;stroke-width:3;stroke-dasharray:6 3}
        .overlay .node.waiting .box{fill:#fff3c4;stroke:#cb6e17;stroke-width:2;stroke-dasharray:none}
        .overlay .node.skipped .box{fill:#f5f7fa;stroke:#9aa5b1;stroke-dasharray:3 3}
        .overlay .node.skipped .label{fill:#616e7c;text-decoration:line-through}
        .overlay .node.closed .box{fill:#e4e7eb;stroke:#7b8794;stroke-dasharray:none}
        .overlay .node.lose-entry.done .box,.overlay .node.lose-path.done .box{fill:#fff0f0;stroke:#a61b1b;stroke-width:1.8;stroke-dasharray:none}
        .overlay .node.lost.done .box{fill:#ffc9c9;stroke:#a61b1b;stroke-width:3;stroke-dasharray:none}
        .overlay .node.pending .box{fill:#ffffff;stroke:#cbd2d9}
        .overlay .node.pending .label,.overlay .node.pending .detail,.overlay .node.skipped .detail{fill:#616e7c}
        .overlay .node.pending.earlier .box{fill:#f1f8f2;stroke:#8fbf94;stroke-width:1.4;stroke-dasharray:4 3}
        .overlay .node.pending.earlier .label{fill:#52606d}
        .overlay .node.pending.earlier.lose-path .box{fill:#fff5f5;stroke:#e8a0a0;stroke-width:1.4;stroke-dasharray:4 3}
        .overlay .node.fork.done .box,.overlay .node.join.done .box,.overlay .node.start.done .box{fill:#2f8132;stroke:#2f8132}
        .overlay .node.join.waiting .box{fill:#cb6e17;stroke:#cb6e17}
        .overlay .node.fork.pending .box,.overlay .node.join.pending .box,.overlay .node.fork.skipped .box,.overlay .node.join.skipped .box{fill:#bcccdc;stroke:#bcccdc}
        .overlay .node.fork.pending.earlier .box,.overlay .node.join.pending.earlier .box{fill:#8fbf94;stroke:#8fbf94}
        .node.fork .label,.node.join .label{fill:#ffffff}
        .legend-label{font-size:12px;fill:#3e4c59}
        .legend-taken{stroke:#1c7ed6;stroke-width:3;fill:none}
        .legend-rework{stroke:#dd6b20;stroke-width:2.6;stroke-dasharray:6 4;fill:none}
        .legend-lose{stroke:#c53030;stroke-width:2.6;stroke-dasharray:6 4;fill:none}
        .legend-earlier{stroke:#8fbf94;stroke-width:2;stroke-dasharray:4 3;fill:none}

        """

    static let markers: String = {
        let colours = [("arrow", "#7b8794"), ("arrow-back", "#b7791f"), ("arrow-faint", "#cbd2d9"), ("arrow-taken", "#1c7ed6"),
                       ("arrow-rework", "#dd6b20"), ("arrow-lose", "#c53030"), ("arrow-earlier", "#8fbf94"), ("arrow-earlier-losing", "#e8a0a0")]
        var s = "<defs>\n"
        for (id, colour) in colours {
            s += "<marker id=\"\(id)\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
            s += "<path d=\"M0 0 L10 5 L0 10 z\" fill=\"\(colour)\"/></marker>\n"
        }
        return s + "</defs>\n"
    }()
}
