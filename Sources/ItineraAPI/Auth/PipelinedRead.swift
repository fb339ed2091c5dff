import Foundation
import ItineraHTTP
import ItineraStore

/// A read that costs one round trip to PostgreSQL: the credential lookup (which sets the tenant
/// scope with `set_config(…, true)` from the row it finds) and the query, sent together in libpq
/// pipeline mode as one implicit transaction. Without a valid credential the scope stays empty, row-level security
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
            // Without BEGIN/COMMIT the batch is one implicit transaction, ended by its sync point
            // (committed, or rolled back after an error): the tenant settings last until then.
            let results = try connection.pipeline(
                [credential, (read.sql, read.parameters)], context: "a pipelined read")
            return (try results[0].get(), try results[1].get())
        }
        let principal = try memberPrincipal(auth.rows.first)
        guard let role = principal.role, roles.contains(role) else { throw APIError.forbidden }
        return try read.render(query, RequestScope(request: request, context: context, principal: principal))
    }
}
