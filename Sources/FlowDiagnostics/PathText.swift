/// Paths as text, without Foundation's `NSString` path methods: on Linux (Swift 6.3.1)
/// `deletingLastPathComponent` stops the process with an illegal instruction for a name of one
/// character (`x`, `a/`), so `flowc check x` or `--db d` crashed (QA round 20).
public enum PathText {
    /// The directory part of `path`, as `NSString.deletingLastPathComponent` gives it: `a/b` →
    /// `a`, `/a` → `/`, `a` → `` (the current directory), `a/b/` → `a`, `/` → `/`.
    public static func directory(of path: String) -> String {
        var rest = Substring(path)
        while rest.count > 1, rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let slash = rest.lastIndex(of: "/") else { return "" }
        var directory = rest[..<slash]
        while directory.count > 1, directory.hasSuffix("/") { directory = directory.dropLast() }
        return directory.isEmpty ? "/" : String(directory)
    }
}
