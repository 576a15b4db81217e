import FlowDiagnostics
import FlowSyntax

/// Timers make sense.
///
/// Rejects negative and zero durations, an idle warning at or after the idle deadline, an
/// escalation on a node without a due time; warns when a node's estimate exceeds its due time,
/// and when a node (off the lose path) is due after the pool's idle time.
/// Language reference: "timers".
enum TimerDurationsRule: TemplateRule {
    static let name = "TimerDurationsRule"
    static let summary = "durations are positive, warnings come before deadlines, escalations have a due time"
    static let codes = [CheckMessages.negativeDuration, CheckMessages.zeroDuration, CheckMessages.warnAfterDeadline,
                        CheckMessages.estimateOverDue, CheckMessages.escalateWithoutDue, CheckMessages.dueAfterIdle]

    /// A warning some time before `after`, in the units an author writes: whole days (a sixth
    /// of the time before, at least a day: 30d → 25d, 14d → 12d) when `after` is two days or
    /// more, else whole hours (whole minutes under two hours).
    static func warning(before after: Duration) -> Duration {
        let day: Int64 = 86_400, hour: Int64 = 3_600
        let t = after.seconds
        if t >= 2 * day {
            let days = t / day
            let early = max(1, (days + 3) / 6)
            return Duration(seconds: (days - early) * day)
        }
        let unit = t >= 2 * hour ? hour : 60
        let n = t / unit
        return Duration(seconds: max(1, n - max(1, (n + 3) / 6)) * unit)
    }

    static func check(_ ctx: inout RuleContext) {
        func positive(_ d: Located<Duration>?, _ key: String) -> Bool {
            guard let d else { return false }
            if d.value.seconds < 0 {
                ctx.report(CheckMessages.negativeDuration.at(d.span, d.value.description, key)); return false
            }
            if d.value.seconds == 0 {
                ctx.report(CheckMessages.zeroDuration.at(d.span, key)); return false
            }
            return true
        }
        for n in ctx.template.nodes {
            let e = positive(n.estimate, "estimate")
            let d = positive(n.due, "due")
            if let esc = n.escalate {
                _ = positive(esc.after, "escalate.after")
                // A `due` that could not be read is reported as such (QA round 17: `7days` also
                // said that `escalate` needs a `due`).
                if n.due == nil, !n.unreadKeys.contains("due") { ctx.report(CheckMessages.escalateWithoutDue.at(esc.span)) }
            }
            if e, d, let est = n.estimate, let due = n.due, est.value > due.value {
                ctx.report(CheckMessages.estimateOverDue.at(est.span, est.value.description, due.value.description).label(due.span, CheckMessages.Formats.dueHere))
            }
        }
        if let p = ctx.template.pool {
            if let idle = p.idle {
                let a = positive(idle.after, "pool.idle.after")
                let w = positive(idle.warn, "pool.idle.warn")
                if a, w, let after = idle.after, let warn = idle.warn, warn.value >= after.value {
                    ctx.report(CheckMessages.warnAfterDeadline.at(warn.span, warn.value.description, after.value.description)
                        .label(after.span, CheckMessages.Formats.returnsToPoolHere)
                        .help(CheckMessages.Formats.warnEarlier, Self.warning(before: after.value).description))
                }
            }
            // A node allowed longer than the idle time loses its owner before it is overdue.
            if let after = p.idle?.after, after.value.seconds > 0 {
                let graph = ctx.graph
                let via = ctx.template.lose?.via.flatMap { ctx.nodeIndex[$0.value] }
                let losePath = graph.reachable(from: via.map { [$0] } ?? [], follow: \.isForward)
                // After `until` is done the idle clock stops: the nodes that follow it may take longer.
                let until = p.idle?.until.flatMap { ctx.nodeIndex[$0.value] }
                let afterUntil = graph.reachable(from: until.map { graph.edges[$0].filter(\.isForward).map(\.to) } ?? [], follow: \.isForward)
                // A node the flow never reaches is reported as such (FC0501); its due date is no
                // second problem (QA round 22).
                let reached = ctx.startIndex.map { s in graph.reachable(from: [s]) { $0.kind != .rework } }
                for (i, n) in ctx.template.nodes.enumerated() where !losePath[i] && !afterUntil[i] && ctx.isFirstDefinition[i] && reached?[i] != false {
                    guard let due = n.due, due.value.seconds > after.value.seconds else { continue }
                    ctx.report(CheckMessages.dueAfterIdle.at(due.span, n.id.value, due.value.description, after.value.description)
                        .label(after.span, CheckMessages.Formats.idleReturnsFirst, after.value.description)
                        .help(CheckMessages.Formats.dueWithinIdle, after.value.description))
                }
            }
            // A zero cooldown is allowed: it means "no cooldown".
            if let c = p.claim?.cooldown, c.value.seconds < 0 {
                ctx.report(CheckMessages.negativeDuration.at(c.span, c.value.description, "pool.claim.cooldown"))
            }
        }
    }
}
