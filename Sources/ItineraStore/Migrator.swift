/// Applies pending migrations, each in its own transaction together with its `schema_migrations` row,
/// under an advisory lock so that two runs cannot interleave.
public struct Migrator {
    /// The lock key: any constant the application uses for nothing else.
    static let advisoryLockKey = 7_346_211_901
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The plan for `files` against this database.
    public func plan(_ files: [Migration]) throws -> MigrationPlan {
        try createLedger()
        return try MigrationPlan(files: files, applied: appliedRows())
    }

    /// Applies every pending migration and returns those it applied. `report` is told before each one.
    @discardableResult
    public func migrate(_ files: [Migration], report: (Migration) -> Void = { _ in }) throws -> [Migration] {
        try connection.query(
            "SELECT pg_advisory_lock($1)", [Self.advisoryLockKey], context: "taking the migration lock")
        defer {
            _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey], context: "unlocking")
        }
        // Planned under the lock: a run that waited sees what the other one applied.
        let pending = try plan(files).pending
        for migration in pending {
            report(migration)
            try connection.query("BEGIN", context: "starting migration \(migration.version)")
            do {
                try connection.execute(script: migration.sql, context: "applying migration \(migration.version)")
                try connection.query(
                    """
                    INSERT INTO schema_migrations (version, name, sha256)
                    VALUES ($1, $2, $3)
                    """, [migration.version, migration.name, migration.sha256],
                    context: "recording migration \(migration.version)")
                try connection.query("COMMIT", context: "committing migration \(migration.version)")
            } catch {
                connection.rollback(context: "rolling back migration \(migration.version)")
                throw error
            }
        }
        return pending
    }

    private func createLedger() throws {
        try connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                sha256     text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, context: "creating schema_migrations")
    }

    private func appliedRows() throws -> [MigrationPlan.Applied] {
        let result = try connection.query(
            """
            SELECT version, name, sha256, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at
            FROM schema_migrations
            ORDER BY version
            """, context: "reading schema_migrations")
        return result.rows.map { row in
            MigrationPlan.Applied(
                version: Int(row[0] ?? "0") ?? 0, name: row[1] ?? "", sha256: row[2] ?? "", appliedAt: row[3] ?? "")
        }
    }
}
