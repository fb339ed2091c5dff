import ArgumentParser
import Foundation
import ItineraHTTP

/// `itinera serve`: the FastCGI pool supervisor.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pool of FastCGI workers on a socket (SIGTERM: graceful stop, SIGHUP: replace workers).")

    @Option(help: "unix:/path/to/socket or 127.0.0.1:9000")
    var listen: String = "unix:\(FileManager.default.currentDirectoryPath)/var/run/itinera.sock"

    @Option(help: "Number of worker processes (default: ITINERA_WORKERS, else 2 × cores).")
    var workers: Int?

    @Option(help: "Permissions of a unix socket, in octal.")
    var socketMode: String = "660"

    @Option(help: "Seconds in-flight requests get to finish on SIGTERM.")
    var gracePeriod: Double = 10

    func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen must be unix:/absolute/path or IPv4:port, not \(listen)")
        }
        guard let mode = mode_t(socketMode, radix: 8), mode <= 0o777 else {
            throw ValidationError("--socket-mode must be octal, e.g. 660")
        }
        _ = mode
        if let workers, !(1...PoolMetrics.maxSlots).contains(workers) {
            throw ValidationError("--workers must be from 1 to \(PoolMetrics.maxSlots)")
        }
    }

    func run() throws {
        let environmentWorkers = ProcessInfo.processInfo.environment["ITINERA_WORKERS"].flatMap(Int.init)
        let count = workers ?? environmentWorkers ?? 2 * ProcessInfo.processInfo.activeProcessorCount
        let supervisor = Supervisor(
            address: ListenAddress(listen)!, workers: min(max(1, count), PoolMetrics.maxSlots),
            socketMode: mode_t(socketMode, radix: 8)!, gracePeriod: gracePeriod)
        throw ExitCode(supervisor.run())
    }
}
