import ArgumentParser
import ItineraWorker

/// `itinera worker`: the outbox dispatcher.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drain the outbox: run the follow-up work of every change (SIGTERM: finish the current event, exit).")

    func run() throws {
        throw ExitCode(OutboxWorker(config: WorkerConfig.fromEnvironment()).run())
    }
}
