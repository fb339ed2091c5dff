import Foundation
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// A read that costs one round trip to PostgreSQL: BEGIN, the credential lookup (which sets the
/// tenant scope with `set_config(…, true)` from the row it finds), the query, COMMIT, sent together
/// in libpq pipeline mode. Without a valid credential the scope stays empty, row-level security
/// shows the query nothing, and the answer is 401; a role the route does not admit gets 403.
public struct PipelinedRead: Sendable {
    public let sql: String
    public let parameters: [(any SQLParameter)?]
    /// Turns the query's result into the answer, knowing who asked.
    public let render: @Sendable (QueryResult, RequestScope) throws -> Response

    public init(
        sql: String, parameters: [(any SQLParameter)?],
        render: @escaping @Sendable (QueryResult, RequestScope) throws -> Response
    ) {
        self.sql = sql
        self.parameters = parameters
        self.render = render
    }
}

extension Authenticator {
    /// Runs `read` for a signed-in member with one of `roles`.
    static func run(_ read: PipelinedRead, _ request: Request, roles: Set<Role>, _ context: AppContext) throws
        -> Response
    {
        let credential = try credentialStatement(request, context)
        let (auth, query) = try context.database.withConnection { connection in
            let results = try connection.pipeline(
                [("BEGIN", []), credential, (read.sql, read.parameters), ("COMMIT", [])], context: "a pipelined read")
            if results.contains(where: { if case .failure = $0 { return true } else { return false } }) {
                _ = try? connection.query("ROLLBACK", context: "ending a failed read")
            }
            return (try results[1].get(), try results[2].get())
        }
        guard let row = auth.rows.first, let credentialId = row[0].flatMap(UUID.init(uuidString:)),
            let userId = row[1].flatMap(UUID.init(uuidString:)), let teamId = row[2].flatMap(UUID.init(uuidString:)),
            let role = row[3].flatMap(Role.init)
        else { throw APIError.unauthenticated }
        guard roles.contains(role) else { throw APIError.forbidden }
        let principal = Principal(
            teamId: teamId, userId: userId, role: role,
            credential: row[4].map { .session(id: credentialId, csrfToken: $0) } ?? .token(id: credentialId))
        return try read.render(query, RequestScope(request: request, context: context, principal: principal))
    }

    /// The credential lookup of `request` (bearer token first, then the session cookie) as one
    /// statement that also sets the tenant scope.
    static func credentialStatement(_ request: Request, _ context: AppContext) throws -> (
        sql: String, parameters: [(any SQLParameter)?]
    ) {
        let scope = """
            set_config('itinera.team_id', team_id::text, true) AS t, set_config('itinera.user_id', user_id::text, true) AS u,
            set_config('itinera.role', role, true) AS r
            """
        if let authorization = request.headers["authorization"] {
            guard authorization.hasPrefix("Bearer "), case let token = String(authorization.dropFirst(7)),
                token.hasPrefix("itn_")
            else { throw APIError.unauthenticated }
            return (
                "SELECT token_id, user_id, team_id, role, NULL::text AS csrf_token, \(scope) FROM itinera_auth_token($1)",
                [Hex.bytea(SHA256.digest(Array(token.utf8)))]
            )
        }
        guard let cookie = request.cookies[SessionCookie.name], !cookie.isEmpty else { throw APIError.unauthenticated }
        return (
            "SELECT session_id, user_id, team_id, role, csrf_token, \(scope) FROM itinera_auth_session($1, $2)",
            [Hex.bytea(SHA256.digest(Array(cookie.utf8))), Int(context.config.sessionIdleTimeout)]
        )
    }
}
