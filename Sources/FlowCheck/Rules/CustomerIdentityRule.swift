import FlowDiagnostics
import FlowSyntax

/// The customer section names real text fields and known normalisations.
///
/// Rejects identity or profile entries naming undeclared fields, identity fields that are not
/// text, and unknown normalisations. Language reference: "customer".
enum CustomerIdentityRule: TemplateRule {
    static let name = "CustomerIdentityRule"
    static let summary = "customer identity fields are declared text fields; normalisations are known"
    static let codes = [CheckMessages.unknownField, CheckMessages.identityField, CheckMessages.unknownNormalizer]
    static let normalizers = CustomerKeyNormalizers.all

    static func check(_ ctx: inout RuleContext) {
        guard let c = ctx.template.customer else { return }
        let names = ctx.template.fields.map(\.id.value)
        for ref in c.identity + c.profile {
            guard let i = ctx.fieldIndex[ref.value] else {
                if !ctx.mayBeUnnamed(ref.value, ctx.template.unnamedFields, known: names) {
                    ctx.reportUnknown(CheckMessages.unknownField, ref, known: names)
                }
                continue
            }
            let f = ctx.template.fields[i]
            if c.identity.contains(where: { $0.span == ref.span }), let type = f.type?.value, type != .text {
                ctx.report(CheckMessages.identityField.at(ref.span, ref.value, type.rawValue))
            }
        }
        for n in c.normalize where !normalizers.contains(n.value) {
            ctx.reportUnknown(CheckMessages.unknownNormalizer, n, known: normalizers)
        }
    }
}

/// The normalisations a customer key knows (`customer.normalize`); the IR loader holds a machine
/// to them too.
public enum CustomerKeyNormalizers {
    public static let all = ["trim", "lowercase", "collapse_spaces", "fullwidth_to_halfwidth", "strip_legal_suffix"]
}
