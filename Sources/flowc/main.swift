import FlowCLI
import Foundation

// The executable only hands the arguments to the command library.
// A stream that cannot be written (a full disk, a closed pipe) is said in the exit status.
let context = CLIContext.process()
exit(context.finish(Flowc.run(Array(CommandLine.arguments.dropFirst()), context: context)))
