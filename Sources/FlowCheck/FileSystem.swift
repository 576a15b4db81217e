import Foundation
import FlowDiagnostics
public import FlowYAML

/// Where templates come from. The checker reads files only through this, so tests can use an
/// in-memory tree and the CLI the disk.
public protocol TemplateFileSystem: Sendable {
    /// The file's bytes, or a reason it cannot be read.
    func read(_ path: String, limits: YAMLLimits) -> Result<[UInt8], FileProblem>
    /// A canonical form of `path`, used to detect cycles and load each file once.
    func canonical(_ path: String) -> String
    /// The names of the files in the directory of `path` (for a did-you-mean when it is not
    /// found); none when the directory cannot be listed.
    func neighbours(of path: String) -> [String]
}

/// Why a file could not be read.
public struct FileProblem: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case notFound, unreadable, isDirectory, tooLarge(Int) }
    public var kind: Kind
    public var detail: String
    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

extension TemplateFileSystem {
    public func neighbours(of path: String) -> [String] { [] }

    /// `relative` resolved against the directory of `base`.
    public func resolve(_ relative: String, from base: String) -> String {
        if relative.hasPrefix("/") { return relative }
        let dir = PathText.directory(of: base)
        return dir.isEmpty ? relative : (dir as NSString).appendingPathComponent(relative)
    }
}

/// Reads templates from disk, refusing files over the size limit before reading them.
public struct DiskFileSystem: TemplateFileSystem {
    /// Relative paths are taken relative to this directory (the process's current directory when nil).
    public var base: String?

    public init(base: String? = nil) { self.base = base }

    func onDisk(_ path: String) -> String {
        guard let base, !path.hasPrefix("/") else { return path }
        return (base as NSString).appendingPathComponent(path)
    }

    public func neighbours(of path: String) -> [String] {
        let dir = PathText.directory(of: onDisk(path))
        return (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
    }

    public func read(_ displayPath: String, limits: YAMLLimits) -> Result<[UInt8], FileProblem> {
        let path = onDisk(displayPath)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return .failure(FileProblem(kind: .notFound, detail: "no such file or directory"))
        }
        if isDir.boolValue { return .failure(FileProblem(kind: .isDirectory, detail: "is a directory")) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > limits.maxFileBytes { return .failure(FileProblem(kind: .tooLarge(size), detail: "too large")) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(FileProblem(kind: .unreadable, detail: "permission denied"))
        }
        defer { try? handle.close() }
        // Read at most one byte past the limit: a file that grew since stat is still refused.
        let limit = limits.maxFileBytes + 1
        if let bytes = readDirectly(handle.fileDescriptor, expected: size, limit: limit) {
            if bytes.count > limits.maxFileBytes { return .failure(FileProblem(kind: .tooLarge(bytes.count), detail: "too large")) }
            return .success(bytes)
        }
        do {
            // A read failed: read again through Foundation, which describes the error.
            try handle.seek(toOffset: 0)
            let data = try handle.read(upToCount: limit) ?? Data()
            if data.count > limits.maxFileBytes { return .failure(FileProblem(kind: .tooLarge(data.count), detail: "too large")) }
            return .success([UInt8](data))
        } catch {
            // In the system's words (CLI review, C13: Foundation's NSCocoaErrorDomain dump).
            return .failure(FileProblem(kind: .unreadable, detail: SystemError.reason(error).lowercased()))
        }
    }

    public func canonical(_ path: String) -> String {
        URL(fileURLWithPath: onDisk(path)).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The whole file, up to `limit` bytes, read straight into an array: Foundation's `Data` and
    /// the copy out of it cost as much as the read itself. The array is first sized for the
    /// `expected` size plus one byte (to see the end); a file that turns out longer (it grew, or
    /// it is a pipe) is read on in chunks. Nil when a read fails.
    private func readDirectly(_ fd: Int32, expected: Int, limit: Int) -> [UInt8]? {
        let capacity = min(limit, max(0, expected) + 1)
        var failed = false
        var atEnd = false
        var bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            while count < capacity {
                let n = systemRead(fd, base + count, capacity - count)
                if n > 0 {
                    count += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    (failed, atEnd) = (n < 0, n == 0)
                    return
                }
            }
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !failed, !atEnd, bytes.count < limit {
            let want = min(chunk.count, limit - bytes.count)
            let n = chunk.withUnsafeMutableBufferPointer { b in b.baseAddress.map { systemRead(fd, $0, want) } ?? -1 }
            if n > 0 {
                bytes += chunk[0..<n]
            } else if n < 0, errno == EINTR {
                continue
            } else {
                (failed, atEnd) = (n < 0, n == 0)
            }
        }
        return failed ? nil : bytes
    }
}

/// `read(2)`, named apart from `TemplateFileSystem.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// An in-memory file tree, for tests and for checking text that is not on disk.
public struct MemoryFileSystem: TemplateFileSystem {
    public var files: [String: [UInt8]]

    public init(_ files: [String: String]) {
        self.files = files.mapValues { Array($0.utf8) }
    }

    public func read(_ path: String, limits: YAMLLimits) -> Result<[UInt8], FileProblem> {
        guard let b = files[canonical(path)] else { return .failure(FileProblem(kind: .notFound, detail: "no such file or directory")) }
        if b.count > limits.maxFileBytes { return .failure(FileProblem(kind: .tooLarge(b.count), detail: "too large")) }
        return .success(b)
    }

    public func canonical(_ path: String) -> String { (path as NSString).standardizingPath }

    /// The files and the directories (those holding a file) in the directory of `path`.
    public func neighbours(of path: String) -> [String] {
        let dir = PathText.directory(of: canonical(path))
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        var names = Set<String>()
        for key in files.keys where key.hasPrefix(prefix) {
            names.insert(String(key.dropFirst(prefix.count).prefix { $0 != "/" }))
        }
        return names.sorted()
    }
}
