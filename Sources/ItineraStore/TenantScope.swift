import Foundation

/// Who a transaction runs for: the values row-level-security policies read through
/// `itinera_current_team()`, `itinera_current_user()` and `itinera_current_role()`.
public struct TenantScope: Sendable, Equatable {
    public var teamId: UUID?
    public var userId: UUID?
    public var role: String?

    public init(teamId: UUID?, userId: UUID?, role: String?) {
        self.teamId = teamId
        self.userId = userId
        self.role = role
    }

    /// Sets (or changes) the scope for the rest of the current transaction only (`set_config(…, true)` is
    /// `SET LOCAL`), so a pooled connection never carries one request's tenant into the next.
    public func apply(on connection: PostgresConnection) throws {
        try connection.query(statement.sql, statement.parameters, context: "setting the tenant scope")
    }

    /// The statement `apply` runs.
    var statement: SQLStatement {
        (
            """
            SELECT set_config('itinera.team_id', $1, true),
                   set_config('itinera.user_id', $2, true),
                   set_config('itinera.role', $3, true)
            """, [teamId?.uuidString.lowercased() ?? "", userId?.uuidString.lowercased() ?? "", role ?? ""]
        )
    }
}

extension Database {
    /// Runs `body` in one transaction scoped to `scope` (see `transaction(_:)` for retries); the
    /// scope is set in the same round trip as BEGIN.
    public func transaction<T>(as scope: TenantScope, _ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction(opening: [scope.statement], body)
    }
}
