/// The language of the report's words: both, Chinese then English (the default, as the report
/// always was), or one of them (`flowc report --lang`; QA round 18: an English-only team had
/// every label Chinese first). Names from the template follow: a name in the language, else in
/// the other, else the id.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case both, zh, en

    /// `zh en`, or the one of this language (the other when it is empty).
    func pick(_ zh: String, _ en: String) -> String {
        switch self {
        case .both: zh.isEmpty ? en : en.isEmpty ? zh : "\(zh) \(en)"
        case .zh: zh.isEmpty ? en : zh
        case .en: en.isEmpty ? zh : en
        }
    }

    /// A label written `中文 English`: the part of this language. A label without Chinese before
    /// its first space (`ID`) is the same in both.
    func label(_ text: String) -> String {
        guard self != .both, let space = text.firstIndex(of: " "),
              text[..<space].unicodeScalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) else { return text }
        return pick(String(text[..<space]), String(text[text.index(after: space)...]))
    }

    /// A template's, node's or role's display name: in this language, else in the other, else the id.
    func name(zh: String?, en: String?, id: String) -> String {
        let z = zh.flatMap { $0.isEmpty ? nil : $0 }, e = en.flatMap { $0.isEmpty ? nil : $0 }
        return (self == .en ? e ?? z : z ?? e) ?? id
    }

    /// The `lang` of a page in this language.
    var htmlLang: String { self == .en ? "en" : "zh-CN" }
}
