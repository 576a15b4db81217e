import FlowCheck
import FlowIR
import Foundation

/// The bundled template a runner bench runs on: checked, compiled and verified as `flowc run`
/// does; the bench stops with a message (exit 1) when the template does not compile.
func compiledTemplate(_ path: String, bench: String) -> VerifiedMachine {
    do {
        return try IRLoader.verify(try IRCompiler.compile(TemplateChecker.check(path: path)))
    } catch {
        benchFailure(bench, "cannot compile \(path): \(error)")
    }
}

/// Stops a bench with its message on standard error (`flowc-bench NAME: message`) and status 1.
func benchFailure(_ bench: String, _ message: String) -> Never {
    FileHandle.standardError.write(Data("flowc-bench \(bench): \(message)\n".utf8))
    exit(1)
}
