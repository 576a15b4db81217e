/// The most diagnostics one stage keeps: the YAML reader of a file, the parser of a file, the
/// rules of a template (review of the checker, C15: 5.6 MB of one repeated line gave 1.6 million
/// diagnostics, 31 seconds and 2.8 GB; the size limit allowed 32 MiB). Past it, FC0007 stands at
/// the first one left out and the others are dropped as they come.
public enum DiagnosticCap {
    /// Diagnostics kept per stage.
    public static let perStage = 10_000

    /// Trims `list` after an append: the first diagnostic past the cap becomes FC0007 at its
    /// place, those after it are dropped. Cheap enough to run on every append (`didSet`).
    public static func trim(_ list: inout [Diagnostic], cap: Int = perStage) {
        guard list.count > cap else { return }
        if list[cap].code != DriverMessages.tooManyProblems.code {
            let first = list[cap]
            list.removeSubrange(cap...)
            let marker = first.span.map { DriverMessages.tooManyProblems.at($0, String(cap)) }
                ?? DriverMessages.tooManyProblems.inFile(first.path, String(cap))
            list.append(marker)
        } else if list.count > cap + 1 {
            list.removeSubrange((cap + 1)...)
        }
    }
}
