import ArgumentParser
import Foundation
import ItineraAPI
import ItineraStore

/// `itinera seed`: demo data for `make run`, safe to run again.
struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo data (idempotent).")

    func run() throws {
        let config = AppConfig.fromEnvironment()
        do {
            let database = Database(url: config.databaseURL)
            let version = try database.withConnection { try database.schemaVersion($0) }
            print("seed: schema version \(version); no demo records are defined at this version")
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("itinera seed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
