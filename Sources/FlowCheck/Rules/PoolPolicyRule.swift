import FlowDiagnostics
import FlowSyntax

/// The pool policy is usable.
///
/// Rejects a claim quota below 1 and an `assign_by` role that is not a manager; warns when an
/// idle warning notifies no one, when idle recipients are named but no warning is sent (no
/// `warn`), when the idle warning goes to `contacts` but no role is external, and when the
/// template has no global `lose` (open deals could then never be lost, nor reach the public pool
/// that way). Language reference: "pool", "lose".
enum PoolPolicyRule: TemplateRule {
    static let name = "PoolPolicyRule"
    static let summary = "claim quota, assigner role, idle warning recipients and the global lose are configured sensibly"
    static let codes = [CheckMessages.badQuota, CheckMessages.assignerNotManager, CheckMessages.idleWithoutPool,
                        CheckMessages.idleNotifyWithoutWarn, CheckMessages.contactsWithoutExternal, CheckMessages.noLose]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        guard !t.main.isFragment else { return }
        if let p = t.pool {
            if let q = p.claim?.quota, q.value < 1 { ctx.report(CheckMessages.badQuota.at(q.span, String(q.value))) }
            if let a = p.assignBy, let i = ctx.roleIndex[a.value], !t.roles[i].manager {
                ctx.report(CheckMessages.assignerNotManager.at(a.span, a.value).label(t.roles[i].id.span, CheckMessages.Formats.roleDefinedHere))
            }
            // `notify: owner` is FC0203 already, with the list to write (QA round 36, C7).
            if let idle = p.idle, idle.warn != nil, idle.notify.isEmpty, !idle.notifyNotAList {
                ctx.report(CheckMessages.idleWithoutPool.at(idle.warn?.span ?? idle.span))
            }
            // A `warn` that could not be read is reported already.
            if let idle = p.idle, !idle.warnIsWritten, !idle.notify.isEmpty, let at = idle.notifySpan {
                let after = idle.after?.value.seconds ?? 30 * 86400
                let warn = Duration(seconds: max(3600, after - after / 6))
                ctx.report(CheckMessages.idleNotifyWithoutWarn.at(at).help(CheckMessages.Formats.addWarn, warn.description))
            }
            if let c = p.idle?.notify.first(where: { $0.value == "contacts" }), !t.roles.contains(where: \.external) {
                ctx.report(CheckMessages.contactsWithoutExternal.at(c.span).help(CheckMessages.Formats.markExternal))
            }
        }
        if t.lose == nil, !t.nodes.isEmpty {
            ctx.report(CheckMessages.noLose.at(t.main.header?.id?.span ?? t.main.span))
        }
    }
}
