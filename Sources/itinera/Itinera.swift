import ArgumentParser
import CSupport
import Foundation
import ItineraAPI

/// The `itinera` command. Without arguments (or with `fcgi`) it is a FastCGI worker on fd 0,
/// or answers one plain CGI request when fd 0 is not a socket: that is how web servers and
/// FastCGI managers start it.
@main
struct Itinera: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Itinera: booking operations backend (FastCGI application, worker and tools).",
        version: ItineraVersion.current,
        subcommands: [
            Serve.self, FastCGIWorker.self, Migrate.self, Seed.self, TeamCommand.self, UserCommand.self,
            TokenCommand.self, PartnerKeyCommand.self, Worker.self, RoutesCommand.self,
        ])

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let runsAsWorker = arguments.isEmpty || arguments.first == "fcgi" || arguments.first == "serve"
        if runsAsWorker {
            // Before any thread exists: threads started later inherit the block, so the stop
            // signals reach the main loop only, where it waits for them.
            itn_signals_block(1)
        }
        if arguments.isEmpty || ProcessInfo.processInfo.environment["GATEWAY_INTERFACE"] != nil {
            Foundation.exit(FastCGIWorker.serve())
        }
        main(arguments)
    }
}
