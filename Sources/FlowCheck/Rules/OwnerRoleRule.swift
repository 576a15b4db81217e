import FlowDiagnostics
import FlowSyntax

/// Exactly one role is the deal owner.
///
/// Rejects templates where no role, or more than one role, says `owner: true`; warns when the
/// owner role is also `external` (the customer's own people). A role defined
/// twice counts once (the duplicate is reported by `UniqueIDsRule`). Language reference: "roles".
enum OwnerRoleRule: TemplateRule {
    static let name = "OwnerRoleRule"
    static let summary = "exactly one role is marked `owner: true`"
    static let codes = [CheckMessages.ownerRole, CheckMessages.ownerExternal]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        guard !t.main.isFragment else { return }
        let owners = t.roles.enumerated().filter { i, r in r.owner && ctx.roleIndex[r.id.value] == i }.map(\.element)
        // A role without a usable id, or whose `owner:` could not be read (`owner: ture`; both
        // reported already), may be the owner role.
        if owners.isEmpty, t.unnamedRoles.isEmpty, !t.roles.contains(where: \.ownerUnread) {
            let at = t.roles.first?.id.span ?? t.main.header?.id?.span ?? t.main.header?.span ?? t.main.span
            ctx.report(CheckMessages.ownerRole.at(at).help(CheckMessages.Formats.addOwner))
        }
        for owner in owners where owner.external {
            ctx.report(CheckMessages.ownerExternal.at(owner.ownerSpan ?? owner.id.span, owner.id.value).help(CheckMessages.Formats.contactsOwnRole))
        }
        for extra in owners.dropFirst() {
            var d = CheckMessages.ownerRole.at(extra.ownerSpan ?? extra.id.span, format: CheckMessages.Formats.severalOwners)
            if let first = owners.first { d = d.label(first.ownerSpan ?? first.id.span, CheckMessages.Formats.ownerRoleIs, first.id.value) }
            ctx.report(d)
        }
    }
}
