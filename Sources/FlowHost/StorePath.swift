import FlowDiagnostics
import Foundation

/// Where a store really is, whatever the path it was named by.
public enum StorePath {
    /// `path` with its symbolic links resolved: the file's own real path when it exists, else its
    /// directory's real path and its name. The writer lock and the machine archive live beside
    /// the store under this path: two commands naming one store by two paths (a symbolic link, a
    /// `..`) must wait for each other and find the same machines, as SQLite writes the same file
    /// for both. A path whose directory does not exist is returned as it is.
    public static func canonical(_ path: String) -> String {
        canonical(path, links: 0)
    }

    /// ``canonical(_:)`` `links` symbolic links deep. A symbolic link to a file not made yet (a
    /// store created through a link made first) resolves to where it points, so that the writer
    /// naming the target directly shares the lock; a loop stops at 40 links, as the system's own
    /// resolution does.
    private static func canonical(_ path: String, links: Int) -> String {
        if let real = realPath(path) { return real }
        if links < 40, let target = linkTarget(path) { return canonical(target, links: links + 1) }
        return byDirectory(path)
    }

    /// The target of the symbolic link at `path`, relative targets taken from the link's
    /// directory; nil when `path` is not a link.
    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        let directory = PathText.directory(of: path)
        return directory.isEmpty ? target : directory + "/" + target
    }

    /// The real path of `path`'s directory and its name.
    private static func byDirectory(_ path: String) -> String {
        let directory = PathText.directory(of: path)
        let name = (path as NSString).lastPathComponent
        guard let realDirectory = realPath(directory.isEmpty ? "." : directory) else { return path }
        return realDirectory == "/" ? "/" + name : realDirectory + "/" + name
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
