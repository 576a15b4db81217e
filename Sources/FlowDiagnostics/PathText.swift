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

    /// Why `path` was not found: `base` ("no such file or directory"), or, when the path holds U+FFFD, that
    /// its name was not UTF-8 (a GBK name from a zip or a share made on Chinese Windows): flowc
    /// takes file names as UTF-8 text, so the name it was given is not the file's, even when a
    /// listing of the directory shows it (CLI review, C8: "no such file" for a file `check DIR`
    /// had just found).
    public static func notFound(_ base: String, path: String) -> String {
        guard path.unicodeScalars.contains("\u{FFFD}") else { return base }
        return "its name is not UTF-8 (`\u{FFFD}` stands for the bytes that are not), as a GBK name from a zip or a Windows share is, "
            + "and flowc cannot open such a file: give it a UTF-8 name, e.g. `convmv -f gbk -t utf-8 --notest FILE`"
    }
}
