import ArgumentParser
import Foundation
import ItineraAPI
import ItineraHTTP

/// `itinera fcgi`: one worker process answering requests on fd 0 (FastCGI) or one CGI request.
struct FastCGIWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fcgi",
        abstract: "Answer FastCGI requests on fd 0 (as spawn-fcgi and `itinera serve` start it), or one CGI request.")

    func run() throws {
        throw ExitCode(Self.serve())
    }

    /// Serves until stopped; returns the exit status.
    static func serve() -> Int32 {
        let config = AppConfig.fromEnvironment()
        let application = Application(config: config)
        let limit = BodyLimit(
            standard: config.maxBodyBytes, upload: config.maxUploadBytes, isUpload: Routes.isUploadPath)
        return FastCGIServer(bodyLimit: limit).run { request, rejection in
            application.respond(to: request, rejection: rejection)
        }
    }
}
