/// What went wrong talking to PostgreSQL, with what the store was doing at the time.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// No connection could be made, or it broke: the database is down or unreachable.
        case unavailable
        /// The database schema is older than this build needs.
        case schemaOutdated(current: Int, required: Int)
        /// PostgreSQL rejected a statement.
        case query
        /// A migration file problem (checksum changed, missing, badly named).
        case migration
    }

    public let kind: Kind
    /// The five-character SQLSTATE, when PostgreSQL gave one.
    public let sqlState: String?
    /// The constraint a violation names (unique, foreign key, check), when PostgreSQL gave one.
    public let constraint: String?
    /// PostgreSQL's or libpq's message, for logs only (never shown to API clients).
    public let message: String
    /// What the store was doing, e.g. "loading booking".
    public let context: String

    public init(_ kind: Kind, sqlState: String? = nil, constraint: String? = nil, message: String, context: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.constraint = constraint
        self.message = message
        self.context = context
    }

    public var description: String {
        "store: \(context): \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
    }

    /// Serialization failure or deadlock: the transaction may simply be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// A unique-constraint violation.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// A row refers to one that does not exist, or (the `…_team_fkey` constraints) belongs to
    /// another team.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
}
