import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// What a handler works with: the request, the process context, and who is calling.
public struct RequestScope {
    public let request: Request
    public let context: AppContext
    public let principal: Principal?

    /// The row-level-security scope of the caller (empty for public routes).
    public var tenant: TenantScope {
        let role: String? =
            switch principal?.credential {
            case .partner: "partner"
            case .system: "system"
            default: principal?.role?.rawValue
            }
        return TenantScope(teamId: principal?.teamId, userId: principal?.userId, role: role)
    }

    /// The caller, for routes whose access guarantees one.
    public var caller: Principal {
        get throws {
            guard let principal else { throw APIError.unauthenticated }
            return principal
        }
    }

    /// Whether cookies set now carry `Secure`: the request came over HTTPS, or the site's public
    /// origin is https (nginx behind a TLS proxy sees plain HTTP).
    var cookiesSecure: Bool {
        request.isHTTPS || context.config.publicOrigins.contains { $0.lowercased().hasPrefix("https://") }
    }

    /// The `{id}` (or another) path parameter as a UUID; anything else is a 404 `No such {what}.`,
    /// like an id that does not exist.
    public func pathId(_ what: String, parameter: String = "id") throws -> UUID {
        guard let id = request.pathParameters[parameter].flatMap(UUID.init(parsing:)) else {
            throw APIError.notFound("No such \(what).")
        }
        return id
    }

    /// The row of the path's id: `sql` selects a `json` column with the id as `$1`; 404 `No such
    /// {what}.` when it finds nothing.
    func record(_ what: String, _ sql: String) throws -> Response {
        let id = try pathId(what)
        let json = try transaction { connection in
            try connection.query(sql, [id], context: "loading a \(what)").first("json")
        }
        guard let json else { throw APIError.notFound("No such \(what).") }
        return ok(jsonText: json)
    }

    /// Runs `body` in one transaction under the caller's tenant scope.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try context.database.transaction(as: tenant, body)
    }

    /// A success envelope around JSON text PostgreSQL built.
    public func ok(jsonText: String, status: Int = 200) -> Response {
        Envelope.success(jsonText: jsonText, status: status, requestId: request.requestId)
    }

    /// A success envelope for `data`.
    public func ok<T: Encodable>(_ data: T, status: Int = 200) throws -> Response {
        try Envelope.success(data, status: status, requestId: request.requestId)
    }
}
