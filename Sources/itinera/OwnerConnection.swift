import ArgumentParser
import Foundation
import ItineraAPI
import ItineraStore

/// The table owner's connection (`DATABASE_OWNER_URL`, else `DATABASE_URL`) that administrative
/// commands use; exits with the store's message when it cannot be opened.
func ownerConnection(_ name: String) throws -> PostgresConnection {
    try PostgresConnection(url: AppConfig.fromEnvironment().ownerDatabaseURL, applicationName: "itinera-\(name)")
}

/// Runs an administrative command body and turns store and administration errors into one line on
/// stderr and exit status 1.
func runAdministration(_ command: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as StoreError {
        FileHandle.standardError.write(Data("itinera \(command): \(error)\n".utf8))
        throw ExitCode.failure
    } catch let error as Administration.Failure {
        FileHandle.standardError.write(Data("itinera \(command): \(error)\n".utf8))
        throw ExitCode.failure
    }
}
