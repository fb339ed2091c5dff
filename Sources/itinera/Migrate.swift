import ArgumentParser
import Foundation
import ItineraAPI
import ItineraStore

/// `itinera migrate`: applies pending migrations, or lists them with `--status`.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations from migrations/.")

    @Flag(help: "List applied and pending migrations without applying any.")
    var status = false

    @Option(help: "Folder of NNNN_name.sql files (default: ITINERA_MIGRATIONS_DIR, else ./migrations).")
    var dir: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let folder = dir ?? environment["ITINERA_MIGRATIONS_DIR"] ?? "migrations"
        let config = AppConfig.fromEnvironment()
        do {
            let files = try Migration.load(from: folder)
            let connection = try PostgresConnection(url: config.ownerDatabaseURL, applicationName: "itinera-migrate")
            let migrator = Migrator(connection: connection)
            if status {
                let plan = try migrator.plan(files)
                for row in plan.applied {
                    print("applied  \(String(format: "%04d", row.version))  \(row.name)  \(row.appliedAt)")
                }
                for file in plan.pending { print("pending  \(String(format: "%04d", file.version))  \(file.name)") }
                if plan.pending.isEmpty { print("schema is up to date (version \(plan.applied.last?.version ?? 0))") }
                return
            }
            let applied = try migrator.migrate(files) { migration in
                print("applying \(String(format: "%04d", migration.version))  \(migration.name)")
            }
            print(applied.isEmpty ? "schema is up to date" : "applied \(applied.count) migration(s)")
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("itinera migrate: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
