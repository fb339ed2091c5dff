import ArgumentParser
import Foundation
import ItineraAPI
import ItineraStore

/// `itinera seed`: demo teams and logins for `make run`, safe to run again. It refuses a database
/// that `make run` did not create, unless `--force` says otherwise.
struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo data (idempotent).")

    /// The comment the run scripts put on the database they create.
    static let localClusterMarker = "itinera-local-cluster"

    @Flag(help: "Seed even a database that was not created by `make run`.")
    var force = false

    func run() throws {
        try runAdministration("seed") {
            let connection = try ownerConnection("seed")
            let marker = try connection.query(
                "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()",
                context: "checking where the seed goes")
            guard force || marker.first("comment") == Self.localClusterMarker else {
                print("seed: skipped — this database was not created by `make run` (use `itinera seed --force`)")
                return
            }
            try DemoData.seed(connection)
            print("seed: demo teams and logins are in place (password \(DemoData.password))")
        }
    }
}
