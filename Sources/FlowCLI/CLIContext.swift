import Foundation

/// Where a command writes, and what it knows about the terminal and environment. Tests pass a
/// capturing context; `flowc` passes the real streams.
public final class CLIContext: @unchecked Sendable {
    public private(set) var out = ""
    public private(set) var err = ""
    let capture: Bool
    public let isTerminal: Bool
    public let environment: [String: String]
    public let currentDirectory: String

    /// - Parameters:
    ///   - capture: keep output in `out`/`err` instead of writing to the process's streams.
    public init(capture: Bool, isTerminal: Bool = false, environment: [String: String] = [:], currentDirectory: String? = nil) {
        self.capture = capture
        self.isTerminal = isTerminal
        self.environment = environment
        self.currentDirectory = currentDirectory ?? FileManager.default.currentDirectoryPath
    }

    /// The real process streams.
    public static func process() -> CLIContext {
        CLIContext(capture: false, isTerminal: isatty(1) == 1, environment: ProcessInfo.processInfo.environment)
    }

    public func write(_ s: String) {
        if capture { out += s } else { FileHandle.standardOutput.write(Data(s.utf8)) }
    }

    public func writeError(_ s: String) {
        if capture { err += s } else { FileHandle.standardError.write(Data(s.utf8)) }
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
}
