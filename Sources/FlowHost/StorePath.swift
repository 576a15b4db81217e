import Foundation

/// Where a store really is, whatever the path it was named by.
public enum StorePath {
    /// `path` with its symbolic links resolved: the file's own real path when it exists, else its
    /// directory's real path and its name. The writer lock and the machine archive live beside
    /// the store under this path: two commands naming one store by two paths (a symbolic link, a
    /// `..`) must wait for each other and find the same machines, as SQLite writes the same file
    /// for both. A path whose directory does not exist is returned as it is.
    public static func canonical(_ path: String) -> String {
        if let real = realPath(path) { return real }
        let directory = (path as NSString).deletingLastPathComponent
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
