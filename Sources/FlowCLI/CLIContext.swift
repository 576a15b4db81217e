import FlowDiagnostics
import Foundation

/// Where a command writes, and what it knows about the terminal and environment. Tests pass a
/// capturing context; `flowc` passes the real streams.
public final class CLIContext: @unchecked Sendable {
    public private(set) var out = ""
    public private(set) var err = ""
    let capture: Bool
    /// Whether standard output is a terminal: what is written there (check, test and report
    /// output) is coloured by it.
    public let outputIsTerminal: Bool
    /// Whether standard error is a terminal: diagnostics written there are coloured, and a run's
    /// progress line shown, by it, whatever standard output is (review of the CLI, C5: `2> log`
    /// filled the log with escapes while standard output was the terminal).
    public let errorIsTerminal: Bool
    public let environment: [String: String]
    public let currentDirectory: String

    /// The descriptors written when not capturing: the process's standard output and error.
    let outputDescriptor: Int32
    let errorDescriptor: Int32

    /// - Parameters:
    ///   - capture: keep output in `out`/`err` instead of writing to the process's streams.
    ///   - terminals: whether standard output and standard error are terminals.
    ///   - descriptors: what to write instead of the process's standard output and error (tests).
    public init(capture: Bool, terminals: (output: Bool, error: Bool) = (false, false), environment: [String: String] = [:],
                currentDirectory: String? = nil, descriptors: (output: Int32, error: Int32) = (1, 2)) {
        self.capture = capture
        self.outputDescriptor = descriptors.output
        self.errorDescriptor = descriptors.error
        self.outputIsTerminal = terminals.output
        self.errorIsTerminal = terminals.error
        self.environment = environment
        self.currentDirectory = currentDirectory ?? FileManager.default.currentDirectoryPath
    }

    /// The real process streams.
    /// The context of the process itself. A file size limit (`ulimit -f`) makes a write past it
    /// fail (EFBIG, said like a full disk) instead of killing the process with SIGXFSZ, exit 153
    /// and no word (QA round 43, F11).
    public static func process() -> CLIContext {
        signal(SIGXFSZ, SIG_IGN)
        return CLIContext(capture: false, terminals: (isatty(1) == 1, isatty(2) == 1), environment: ProcessInfo.processInfo.environment)
    }

    /// Whether what is written to standard output is coloured when `--color` is `auto` (or not
    /// given): `NO_COLOR`, `FORCE_COLOR` and `TERM=dumb` as ``HumanRenderer/shouldUseColor(isTerminal:environment:)``
    /// says, then whether standard output is a terminal.
    public var colorsOutput: Bool { colorOverride ?? HumanRenderer.shouldUseColor(isTerminal: outputIsTerminal, environment: environment) }

    /// `--color always` (true) or `never` (false) of a command that takes ``ColorOptions``; nil
    /// for `auto`.
    public var colorOverride: Bool?

    /// Whether what is written to standard error (diagnostics) is coloured, decided as
    /// ``colorsOutput`` but by standard error.
    public var colorsErrors: Bool { colorOverride ?? HumanRenderer.shouldUseColor(isTerminal: errorIsTerminal, environment: environment) }

    /// Whether a progress line, rewritten in place (`\r`, `ESC[2K`), can be shown on standard
    /// error: it is a terminal, and not one that `TERM=dumb` says cannot take those sequences.
    public var showsProgress: Bool { errorIsTerminal && environment["TERM"] != "dumb" }

    /// What standard input holds, for a test (nil: the process's standard input is read).
    public var standardInput: [UInt8]?

    /// All of standard input.
    /// Standard input to its end, or nil as soon as `stopped` says so: the wait for more is
    /// looked at every tenth of a second, so that Ctrl-C at a terminal (or TERM) that nothing
    /// more will be typed on stops it (QA round 43, F1: the read went on until end of input,
    /// and a command stopped while waiting acknowledged what came after all).
    func readStandardInput(stoppedBy stopped: () -> Bool) -> [UInt8]? {
        if let standardInput { return stopped() ? nil : standardInput }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !stopped() {
            var ready = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 100)
            if polled == 0 || (polled < 0 && errno == EINTR) { continue }
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes += chunk[..<n]
            } else if n == 0 || errno != EINTR {
                // The end of the input, or an input that cannot be read: what came is what there is.
                return bytes
            }
        }
        return nil
    }

    /// Standard input up to `limit` bytes, and whether more follow: the rest is not read, so
    /// that an endless stream (`yes |`, `< /dev/zero`) is refused for its size at once (QA
    /// round 30, N1: it was read to its end to count it); or why it cannot be read (closed, a
    /// directory).
    func readStandardInput(limit: Int) -> Result<(bytes: [UInt8], more: Bool), any Error> {
        if let standardInput { return .success((Array(standardInput.prefix(limit)), standardInput.count > limit)) }
        var bytes: [UInt8] = []
        do {
            while bytes.count <= limit {
                guard let chunk = try FileHandle.standardInput.read(upToCount: min(1 << 20, limit + 1 - bytes.count)), !chunk.isEmpty else { break }
                bytes += chunk
            }
        } catch {
            return .failure(error)
        }
        return .success((Array(bytes.prefix(limit)), bytes.count > limit))
    }

    /// The first stream that could not be written and why (`standard output: No space left on
    /// device`): a full disk, a pipe closed while SIGPIPE is ignored, a closed descriptor. The
    /// command goes on (a run's records are still applied, its rejects still written) and
    /// nothing more is written to that stream; ``finish(_:)`` turns it into the exit status.
    public private(set) var outputFailure: String?
    private var failed: Set<Int32> = []

    public func write(_ s: String) {
        if !s.isEmpty { wroteOutput = true }
        if capture { out += s } else { put(s, to: outputDescriptor) }
    }

    public func writeError(_ s: String) {
        if firstError == nil, let line = FailureJSON.errorLine(in: s) { firstError = line }
        if capture { err += s } else { put(s, to: errorDescriptor) }
    }

    /// Makes a closed pipe fail the writes to it (said by ``finish(_:)``, exit 74) instead of
    /// killing the process, for a command that changes deals: killed between two records, `flowc
    /// run … 2>&1 | head -1` had left a half-done import, without its summary or rejects file
    /// (CLI review, C3). A command that only reads may die of SIGPIPE, as `head` expects. Nothing
    /// changes for a captured context (a test's).
    func keepGoingOnClosedPipes() {
        if !capture { signal(SIGPIPE, SIG_IGN) }
    }

    /// Whether a store failure said on standard error was a busy store (``ExitCode/busy``): the
    /// command's usage status (2) becomes 75.
    var storeWasBusy = false
    /// Ctrl-C or TERM stopped a wait for the store's writer lock (FC1242): exit 130.
    var storeWaitInterrupted = false
    /// The store the command opened: a store failure said without a place is said at it (QA
    /// round 41, A8: a failure partway through a command named no store, and its JSON had no
    /// `location`).
    var openedStore: String?

    /// Whether anything was written to standard output (or tried: a lost stream counts).
    private(set) var wroteOutput = false
    /// The first error line written to standard error (`error[FC1204]: …`, `PATH: error[…]: …`,
    /// `Error: …`), for the JSON form of a failure (``FailureJSON``).
    private(set) var firstError: String?

    /// Writes all of `s` to the descriptor, or records why it could not.
    private func put(_ s: String, to fd: Int32) {
        guard !failed.contains(fd) else { return }
        var text = s
        let problem: Int32? = text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        guard let problem else { return }
        failed.insert(fd)
        if outputFailure == nil {
            outputFailure = "\(fd == outputDescriptor ? "standard output" : "standard error"): \(String(cString: strerror(problem)))"
        }
    }

    /// The exit status of a command that returned `code`: ``ExitCode/outputFailed`` when its
    /// output could not all be written and it had otherwise succeeded (0); any other status as it
    /// is (a refused event, a template with errors: the failure is what a caller must see). Lost
    /// standard output is said on standard error when that works; lost standard error is said by
    /// the status alone, since standard output may be data (JSON) that a line would break.
    public func finish(_ code: Int32) -> Int32 {
        guard let outputFailure else { return code }
        let done = code == ExitCode.clean ? "the command's work is done, but " : ""
        if !failed.contains(errorDescriptor) {
            writeError("flowc: cannot write to \(outputFailure); \(done)what it printed is incomplete\n")
        }
        return code == ExitCode.clean ? ExitCode.outputFailed : code
    }
}

/// The exit codes of every command, documented in the README and `flowc --help`.
public enum ExitCode {
    /// No problems (warnings allowed unless `--warnings-as-errors`).
    public static let clean: Int32 = 0
    /// Problems found: errors, or warnings with `--warnings-as-errors`.
    public static let problems: Int32 = 1
    /// Usage error, or a file that cannot be read.
    public static let usage: Int32 = 2
    /// Stopped by an interrupt (Ctrl-C or TERM) after writing what it had: 128 + SIGINT, as a
    /// shell reports a command ended by Ctrl-C.
    public static let interrupted: Int32 = 130
    /// The command succeeded, but what it printed could not all be written (a full disk, a
    /// closed pipe): 74, `EX_IOERR` of sysexits(3). A command that failed keeps its own status.
    public static let outputFailed: Int32 = 74
    /// The store was busy: another writer (a flowc command, or another program holding the
    /// database) kept it past the lock timeout, and the command changed nothing it has not said
    /// it kept: 75, `EX_TEMPFAIL` of sysexits(3), so that a scheduler can tell "try again" from
    /// "fix the command" (2) without reading standard error (review of the CLI, C10).
    public static let busy: Int32 = 75
}
