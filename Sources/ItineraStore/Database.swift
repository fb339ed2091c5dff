import Foundation

/// The process's one PostgreSQL connection: opened on first use, kept across requests,
/// replaced when it breaks. Single-threaded by design: a worker serves one request at a time.
public final class Database {
    public let url: String
    /// The schema version this build needs; requests fail with `schemaOutdated` below it.
    public let requiredSchemaVersion: Int
    private var connection: PostgresConnection?
    private var schemaChecked = false

    public init(url: String, requiredSchemaVersion: Int = Schema.requiredVersion) {
        self.url = url
        self.requiredSchemaVersion = requiredSchemaVersion
    }

    /// Runs `body` on the connection, outside a transaction. If the connection turns out to be
    /// broken (the server restarted since the last request), reconnects and runs `body` once more.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try withRecovery(body)
    }

    /// Runs `body` inside one transaction. Serialization failures and deadlocks run it again (up to
    /// 3 tries); a connection that broke before COMMIT was sent is replaced and `body` runs again.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction(opening: [], body)
    }

    /// `transaction(_:)` whose first statements, `opening` (the tenant settings), follow BEGIN. Both
    /// are queued (`PostgresConnection.begin`), so opening a transaction costs no round trip. `body`
    /// may end it itself with `PostgresConnection.commit(after:)`, to send its last read with COMMIT.
    public func transaction<T>(opening: [SQLStatement], _ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try withRecovery { connection in
                    do {
                        connection.begin(opening: opening)
                        let value = try body(connection)
                        if connection.isInTransaction {
                            try connection.commit(context: "committing")
                        } else {
                            precondition(!connection.hasQueued, "a statement was queued after its transaction's COMMIT")
                        }
                        return value
                    } catch {
                        if connection.isHealthy { connection.rollback(context: "rolling back") }
                        throw error
                    }
                }
            } catch let error as StoreError where error.isRetryable && attempt < 3 {
                attempt += 1
                usleep(UInt32.random(in: 1_000...10_000) * UInt32(attempt))
            }
        }
    }

    /// The highest applied migration, or 0 on an empty database.
    public func schemaVersion(_ connection: PostgresConnection) throws -> Int {
        let result = try connection.query(
            """
            SELECT coalesce(max(version), 0) AS version
            FROM schema_migrations
            """, context: "reading the schema version")
        return Int(result.first("version") ?? "0") ?? 0
    }

    private func withRecovery<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var used: PostgresConnection?
        do {
            let first = try open()
            used = first
            first.commitSent = false
            return try body(first)
        } catch let error as StoreError where error.kind == .unavailable && used?.commitSent != true {
            // A request that found a stale connection gets one fresh try; a down server fails fast again.
            connection = nil
            return try body(try open())
        } catch let error as StoreError where error.kind == .unavailable {
            connection = nil
            throw error
        }
    }

    private func open() throws -> PostgresConnection {
        if let connection, connection.isHealthy, schemaChecked { return connection }
        let fresh = try connection.flatMap { $0.isHealthy ? $0 : nil } ?? PostgresConnection(url: url)
        connection = fresh
        schemaChecked = false
        let current: Int
        do {
            current = try schemaVersion(fresh)
        } catch let error as StoreError where error.sqlState == "42P01" {
            current = 0  // schema_migrations does not exist yet: nothing migrated
        }
        guard current >= requiredSchemaVersion else {
            throw StoreError(
                .schemaOutdated(current: current, required: requiredSchemaVersion),
                message: "schema version \(current) is older than the \(requiredSchemaVersion) this build needs",
                context: "checking the schema")
        }
        schemaChecked = true
        return fresh
    }
}
