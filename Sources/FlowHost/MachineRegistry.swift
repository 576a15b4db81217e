import FlowDiagnostics
import Foundation
public import FlowIR
public import FlowRuntime

/// Where compiled machines (IR) are kept, by content hash, so that a deal keeps running on the
/// machine it was created with after its template changes ("a deal stays pinned to the IR hash
/// it started on").
///
/// The store holds deals only; machines live beside it. ``DirectoryMachineArchive`` is the
/// on-disk form (`DB.machines/<hex>.ir.json` next to an SQLite store); ``InMemoryMachineArchive``
/// goes with the in-memory store.
public protocol MachineArchive: Sendable {
    /// The IR bytes stored under `hash` (`sha256:…`), or nil when none are.
    func load(hash: String) throws -> [UInt8]?
    /// Stores the IR bytes of a machine under its hash (a no-op when they are there already).
    func save(hash: String, bytes: [UInt8]) throws
    /// Where the machine of `hash` is kept, for messages (a file's path); nil when there is
    /// nothing to name.
    func location(of hash: String) -> String?
}

extension MachineArchive {
    public func location(of hash: String) -> String? { nil }
}

/// Machines as files `<directory>/<hex digest>.ir.json`, each the machine's canonical JSON.
///
/// Files are written atomically (a temporary file renamed into place) and never changed: the
/// name is the content's hash, and the loader verifies it.
public struct DirectoryMachineArchive: MachineArchive {
    public let directory: String
    /// Another directory machines are read from when ``directory`` lacks them (never written).
    let readAlso: String?

    public init(directory: String) {
        self.directory = directory
        readAlso = nil
    }

    /// The archive that goes with an SQLite store at `databasePath`: `<databasePath>.machines`,
    /// beside the store's real path (``StorePath/canonical(_:)``), so that a store named through
    /// a symbolic link has the same machines. Machines an older flowc archived beside the link
    /// are still read from there.
    public init(besideDatabase databasePath: String) {
        let real = StorePath.canonical(databasePath)
        directory = real + ".machines"
        readAlso = real == databasePath ? nil : databasePath + ".machines"
    }

    /// The file of a hash, or nil for a hash that is not `sha256:` and 64 hex digits (a hash read
    /// from a snapshot never names a path outside the directory).
    public func path(for hash: String) -> String? {
        path(for: hash, in: directory)
    }

    private func path(for hash: String, in directory: String) -> String? {
        guard MachineRegistry.isHash(hash) else { return nil }
        return directory + "/" + hash.dropFirst("sha256:".count) + ".ir.json"
    }

    /// The file the machine is read from: the first that exists, else the one it would be saved to.
    public func location(of hash: String) -> String? {
        let candidates = [directory, readAlso].compactMap { $0.flatMap { path(for: hash, in: $0) } }
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates.first
    }

    public func load(hash: String) throws -> [UInt8]? {
        for directory in [directory, readAlso].compactMap(\.self) {
            guard let path = path(for: hash, in: directory), FileManager.default.fileExists(atPath: path) else { continue }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            // Found beside a link only: kept beside the real file too (best effort), so that a
            // command naming the store by its real path finds it from now on.
            if directory != self.directory { try? save(hash: hash, bytes: bytes) }
            return bytes
        }
        return nil
    }

    /// Writes the file unless it holds these bytes already: a file that was damaged (edited,
    /// truncated) is written again, since every deal on the machine needs it.
    public func save(hash: String, bytes: [UInt8]) throws {
        guard let path = path(for: hash) else {
            throw HostError(HostMessages.machineUnavailable, HostMessages.fill(HostMessages.Phrase.machineUser, ["-"]), hash, HostMessages.Phrase.notAHash)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw HostError(HostMessages.storeFailed, HostMessages.fill(HostMessages.Phrase.archiveNotADirectory, [directory]))
        }
        if let stored = FileManager.default.contents(atPath: path), stored.elementsEqual(bytes) { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw HostError(HostMessages.storeFailed, HostMessages.fill(HostMessages.Phrase.archiveUnwritable, [path, SystemError.reason(error)]))
        }
    }
}

/// Machines held in memory (tests, and hosts whose store is in memory).
public final class InMemoryMachineArchive: MachineArchive, @unchecked Sendable {
    // Guarded by `lock`.
    private var files: [String: [UInt8]] = [:]
    private let lock = NSLock()

    public init() {}

    public func load(hash: String) throws -> [UInt8]? {
        lock.withLock { files[hash] }
    }

    public func save(hash: String, bytes: [UInt8]) throws {
        lock.withLock { if files[hash] == nil { files[hash] = bytes } }
    }

    /// Forgets a machine (tests: what a deal does when its machine is gone).
    public func remove(hash: String) {
        lock.withLock { _ = files.removeValue(forKey: hash) }
    }
}

/// The machines a host runs deals on, by hash: loaded from a ``MachineArchive`` once, verified,
/// prepared and kept.
public final class MachineRegistry {
    public let archive: any MachineArchive
    private var prepared: [String: PreparedMachine] = [:]

    public init(archive: any MachineArchive) {
        self.archive = archive
    }

    /// Whether `text` is a machine hash as the compiler writes it: `sha256:` and 64 lowercase
    /// hex digits.
    public static func isHash(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.dropFirst("sha256:".count)
        return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) }
    }

    /// Registers a machine: stores its IR in the archive (once) and keeps it prepared.
    /// - Throws: ``HostError`` FC1212 when the archive cannot be written.
    @discardableResult
    public func register(_ machine: VerifiedMachine) throws(HostError) -> PreparedMachine {
        let hash = machine.machine.template.hash
        if let known = prepared[hash] { return known }
        do {
            try archive.save(hash: hash, bytes: IRCompiler.canonicalJSON(machine.machine))
        } catch {
            throw HostError(error)
        }
        let p = PreparedMachine(machine)
        prepared[hash] = p
        return p
    }

    /// The machine prepared to step deals, without writing it to the archive (a preview: a dry
    /// run that writes nothing); the registered one when it is.
    public func preview(_ machine: VerifiedMachine) -> PreparedMachine {
        prepared[machine.machine.template.hash] ?? PreparedMachine(machine)
    }

    /// The machine with this hash, for deal `dealID` (named in the error).
    /// - Throws: ``HostError`` FC1210 when the archive has no such machine or it does not verify.
    public func machine(hash: String, for dealID: String) throws(HostError) -> PreparedMachine {
        try machine(hash: hash, user: HostMessages.fill(HostMessages.Phrase.machineUser, [dealID]))
    }

    /// The machine with this hash, for the `deals` deals of template `templateID` (a view or a
    /// report, which reads no one deal).
    public func machine(hash: String, forTemplate templateID: String, deals: Int) throws(HostError) -> PreparedMachine {
        try machine(hash: hash, user: HostMessages.fill(HostMessages.Phrase.machineUsers, [templateID, String(deals), deals == 1 ? "" : "s"]))
    }

    private func machine(hash: String, user: String) throws(HostError) -> PreparedMachine {
        if let known = prepared[hash] { return known }
        // The reason, with the file it concerns (a damaged file must be found to be restored).
        func unavailable(_ reason: String) -> HostError {
            let place = archive.location(of: hash).map { HostMessages.fill(HostMessages.Phrase.archiveFile, [$0]) } ?? ""
            return HostError(HostMessages.machineUnavailable, user, hash, reason + place + HostMessages.Phrase.machineRemedy)
        }
        let bytes: [UInt8]?
        do { bytes = try archive.load(hash: hash) } catch {
            throw unavailable(SystemError.reason(error))
        }
        guard let bytes else { throw unavailable(HostMessages.Phrase.notArchived) }
        let verified: VerifiedMachine
        do { verified = try IRLoader.load(bytes) } catch {
            throw unavailable(error.description)
        }
        guard verified.machine.template.hash == hash else {
            throw unavailable(HostMessages.fill(HostMessages.Phrase.otherHash, [verified.machine.template.hash]))
        }
        let p = PreparedMachine(verified)
        prepared[hash] = p
        return p
    }
}
