public import FlowDiagnostics

/// Every message of `flowc graph` (FC1401–FC1409) and the words its pictures carry, in Chinese
/// and English. Code outside this file never builds the text of a diagnostic or a picture label.
///
/// Numbering: FC1401 the layout's limit (FC1402, a file that cannot be written, is FC0008 now; FC1403,
/// a missing store, FC1215).
public enum GraphMessages {
    public static let tooLarge = MessageSpec(1401, .error, "graph-too-large", "the flow has {0} boxes and arrows to draw; the SVG layout draws at most {1}: use `--format dot` or `--format mermaid`", explanation: """
        `flowc graph` lays the SVG out itself, and the layout's cost grows faster than the number \
        of nodes. A flow with more nodes and edges (counted with the decision points, the start \
        and the lose entry flowc adds) than the limit is refused rather than drawn slowly and \
        illegibly. The DOT and Mermaid forms have no such limit: render them with Graphviz or a \
        Mermaid viewer, or split the template with `extends`/`include`.
        """)

    /// The table `flowc explain` lists.
    public static let all: [MessageSpec] = [tooLarge]

    /// Not diagnostics: notes printed on standard error.
    public enum Note {
        public static let otherMachine = "note: deal `{0}` runs on {1} {2} ({3}), not on this template ({4}): drawing the deal's own machine"
        public static let written = "wrote the {0} of `{1}` {2} ({3} nodes) to {4}"
    }
}

/// The language of the words in a picture: node names, legend, edge labels.
public enum GraphLanguage: String, Sendable, Hashable, CaseIterable {
    case zh, en

    /// A display name from a `name` map: this language, then the plain name, then the other
    /// language, then `fallback` (the id).
    public func pick(_ names: [String: String], fallback: String) -> String {
        let other: GraphLanguage = self == .zh ? .en : .zh
        for key in [rawValue, "", other.rawValue] {
            if let n = names[key], !n.isEmpty { return n }
        }
        return fallback
    }
}

/// The words of the pictures, by language.
struct GraphWords: Sendable {
    let start, loseAnyNode, loseSomeNodes, losePath, otherwise, rework, lose, decision, probability, owner, when: String
    let status: [String: String]
    let dealStatus: [String: String]
    let pool: [String: String]
    let dealHeading, takenPath, noOwner, records, reworkReason: String
    let kindNames: [String: String]
    /// The plain picture's legend: shape → words.
    let shapes: [String: String]
    /// The line a blocked or overdue box carries over a deal, so that its state does not rest on
    /// colour alone (QA round 39, H7): by key, `blocked` / `overdue` with the days past the due
    /// date, `blockedNow` without them.
    let stateMarks: [String: String]

    static func of(_ language: GraphLanguage) -> GraphWords {
        switch language {
        case .zh:
            GraphWords(
                start: "开始", loseAnyNode: "输单（任意进行中的节点）", loseSomeNodes: "输单（自 {0}）", losePath: "输单路径",
                otherwise: "否则", rework: "返工", lose: "输单", decision: "条件分支", probability: "赢率 {0}%", owner: "负责：{0}",
                when: "仅当 {0}",
                status: ["pending": "未到达", "active": "进行中", "blocked": "阻塞", "waiting": "等待汇合", "done": "已完成",
                         "skipped": "已跳过", "passedOver": "已越过（迁移时新增在商机所到之处之前）", "closed": "已关闭", "earlier": "上一轮路径（已退回）", "losing": "输单路径（已走过）", "overdue": "逾期（待标记阻塞）",
                         "earlierLoss": "上一轮的输单（已认领回）", "earlierArrows": "上一轮的走向"],
                dealStatus: ["open": "进行中", "won": "赢单", "lost": "输单", "losing": "输单复盘中"],
                pool: ["private": "私海", "public": "公海"],
                dealHeading: "商机 {0} · {1} · {2} · 负责人 {3} · 第 {4} 个事件", takenPath: "已走路径", noOwner: "无",
                records: "记录 {0} 条", reworkReason: "返工原因：{0}",
                kindNames: ["task": "任务", "approval": "审批", "fork": "并行开始", "join": "并行汇合", "won": "赢单", "lost": "输单"],
                shapes: ["task": "任务", "approval": "审批", "decision": "条件分支", "bar": "并行开始 / 汇合", "end": "结束（赢单 / 输单）",
                         "tailored": "条件节点（仅当…）", "back": "退回", "rework": "返工", "lose": "输单路径"],
                stateMarks: ["blocked": "■ 阻塞 · 逾期 {0} 天", "blockedNow": "■ 阻塞", "overdue": "■ 逾期 {0} 天"])
        case .en:
            GraphWords(
                start: "Start", loseAnyNode: "Lose (from any open node)", loseSomeNodes: "Lose (from {0})", losePath: "Lose path",
                otherwise: "otherwise", rework: "rework", lose: "lose", decision: "branch", probability: "{0}% win", owner: "owner: {0}",
                when: "only if {0}",
                status: ["pending": "not reached", "active": "active", "blocked": "blocked (overdue)", "waiting": "waiting at join",
                         "done": "done", "skipped": "skipped", "passedOver": "passed over (added behind the deal by a migration)", "closed": "closed", "earlier": "earlier pass (sent back)", "losing": "on the way to lost", "overdue": "overdue (not yet blocked)",
                         "earlierLoss": "earlier loss (claimed back)", "earlierArrows": "arrows of the earlier pass"],
                dealStatus: ["open": "open", "won": "won", "lost": "lost", "losing": "in loss review"],
                pool: ["private": "private pool", "public": "public pool"],
                dealHeading: "Deal {0} · {1} · {2} · owner {3} · event {4}", takenPath: "path taken", noOwner: "nobody",
                records: "{0} records", reworkReason: "rework reason: {0}",
                kindNames: ["task": "task", "approval": "approval", "fork": "fork", "join": "join", "won": "won", "lost": "lost"],
                shapes: ["task": "task", "approval": "approval", "decision": "branch", "bar": "fork / join", "end": "end (won / lost)",
                         "tailored": "tailored (only if…)", "back": "sent back", "rework": "rework", "lose": "lose path"],
                stateMarks: ["blocked": "■ blocked · {0} d overdue", "blockedNow": "■ blocked", "overdue": "■ {0} d overdue"])
        }
    }

    func fill(_ format: String, _ arguments: String...) -> String { Message(format, arguments).text }
}
