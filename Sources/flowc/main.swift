import FlowCLI
import Foundation

// The executable only hands the arguments to the command library.
exit(Flowc.run(Array(CommandLine.arguments.dropFirst()), context: .process()))
