import FlowCheck
import FlowIR
import Foundation

/// The bundled template a runner bench runs on: checked, compiled and verified as `flowc run`
/// does; the bench stops with a message (exit 1) when the template does not compile.
func compiledTemplate(_ path: String, bench: String) -> VerifiedMachine {
    do {
        return try IRLoader.verify(try IRCompiler.compile(TemplateChecker.check(path: path)))
    } catch {
        FileHandle.standardError.write(Data("flowc-bench \(bench): cannot compile \(path): \(error)\n".utf8))
        exit(1)
    }
}
