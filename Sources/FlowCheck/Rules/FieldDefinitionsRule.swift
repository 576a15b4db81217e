import FlowDiagnostics
import FlowSyntax
import FlowYAML
import Foundation

/// Field definitions are consistent with their type.
///
/// Rejects keys that do not apply to the type (`currency` on text), missing keys the type needs
/// (money without `currency`, enum without `values`, list without `of`), defaults that are not
/// values of the type, computed fields that are required or have a default, and `min` > `max`.
/// Language reference: "fields".
enum FieldDefinitionsRule: TemplateRule {
    static let name = "FieldDefinitionsRule"
    static let summary = "each field's keys, default and range fit its type"
    static let codes = [CheckMessages.fieldKeyNotAllowed, CheckMessages.fieldKeyMissing, CheckMessages.badDefault,
                        CheckMessages.computedConflict, CheckMessages.badRange]

    static let numeric: Set<FieldTypeName> = [.integer, .decimal, .money]

    static func check(_ ctx: inout RuleContext) {
        for f in ctx.template.fields {
            guard let type = f.type?.value else { continue }
            let typeName = type.rawValue
            let element = type == .list ? f.of?.value : nil
            let isEnumish = type == .enum || element == .enum
            let isMoney = type == .money || element == .money
            if let c = f.currency, !isMoney { ctx.report(CheckMessages.fieldKeyNotAllowed.at(c.span, "currency", typeName)) }
            // A key that is written but not valid (`currency: cny`, `of: txt`) is reported already.
            if isMoney, f.currency == nil, !f.unreadKeys.contains("currency") { ctx.report(CheckMessages.fieldKeyMissing.at(f.id.span, typeName, "currency")) }
            if let vs = f.valuesSpan, !isEnumish, !f.unreadKeys.contains("of") { ctx.report(CheckMessages.fieldKeyNotAllowed.at(vs, "values", typeName)) }
            if isEnumish, f.valuesSpan == nil { ctx.report(CheckMessages.fieldKeyMissing.at(f.id.span, type == .list ? "list of enum" : typeName, "values")) }
            if let o = f.of, type != .list { ctx.report(CheckMessages.fieldKeyNotAllowed.at(o.span, "of", typeName)) }
            if type == .list, f.of == nil, !f.unreadKeys.contains("of") { ctx.report(CheckMessages.fieldKeyMissing.at(f.id.span, typeName, "of")) }
            if let o = f.of, o.value == .list { ctx.report(CheckMessages.fieldKeyNotAllowed.at(o.span, "of: list", typeName)) }
            if !numeric.contains(type) {
                for bound in [f.min, f.max].compactMap({ $0 }) {
                    ctx.report(CheckMessages.fieldKeyNotAllowed.at(bound.span, bound.span.start == f.min?.span.start ? "min" : "max", typeName))
                }
            }
            if let m = f.multiline, type != .text { ctx.report(CheckMessages.fieldKeyNotAllowed.at(m.span, "multiline", typeName)) }
            if let lo = f.min, let hi = f.max, lo.value > hi.value {
                ctx.report(CheckMessages.badRange.at(lo.span, format(lo.value), format(hi.value)).label(hi.span, CheckMessages.Formats.maxIsHere))
            }
            if f.compute != nil {
                if let r = f.required, r.value { ctx.report(CheckMessages.computedConflict.at(r.span, "required: true")) }
                if let d = f.defaultValue { ctx.report(CheckMessages.computedConflict.at(d.span, "default")) }
            }
            if let d = f.defaultValue, !fits(d.value, type, f) {
                var diag = CheckMessages.badDefault.at(d.span, text(d.value), typeName)
                if type == .enum, case .string(let s) = d.value, !f.values.isEmpty {
                    diag = CheckMessages.badDefault.at(d.span, format: CheckMessages.Formats.notAValue, s, f.id.value)
                    if let guess = Suggestions.closest(to: s, in: f.values.map(\.value)) {
                        diag = diag.help(CheckMessages.Formats.didYouMean, guess).fix(d.span, guess)
                    } else {
                        diag = diag.note(CheckMessages.Formats.declaredValues, f.values.map { "`\($0.value)`" }.joined(separator: ", "))
                    }
                }
                ctx.report(diag)
            }
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    static func text(_ v: ScalarValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .float(let f): String(f)
        case .string(let s): s
        }
    }

    static func fits(_ v: ScalarValue, _ type: FieldTypeName, _ f: FieldSyntax) -> Bool {
        switch (type, v) {
        case (_, .null): return true
        case (.text, .string): return true
        case (.integer, .int): return inRange(Double(intValue(v)), f)
        case (.decimal, .int), (.money, .int): return inRange(Double(intValue(v)), f)
        case (.decimal, .float(let d)), (.money, .float(let d)): return d.isFinite && inRange(d, f)
        case (.boolean, .bool): return true
        case (.enum, .string(let s)): return f.values.isEmpty || f.values.contains { $0.value == s }
        case (.date, .string(let s)): return isDate(s)
        case (.datetime, .string(let s)): return s.count >= 19 && isDate(String(s.prefix(10))) && s.dropFirst(10).first == "T"
        default: return false
        }
    }

    static func intValue(_ v: ScalarValue) -> Int64 {
        if case .int(let i) = v { return i }
        return 0
    }

    static func inRange(_ d: Double, _ f: FieldSyntax) -> Bool {
        if let lo = f.min?.value, d < lo { return false }
        if let hi = f.max?.value, d > hi { return false }
        return true
    }

    static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }
}
