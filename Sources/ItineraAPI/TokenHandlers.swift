import Foundation
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// API tokens for scripts and curl: `Authorization: Bearer itn_…`. The token is shown once and
/// stored as its SHA-256; it acts for its user in one team, with at most that user's role.
enum TokenHandlers {
    struct CreateBody: Decodable {
        let name: String
        let role: Role?
        let expiresAt: Date?
    }

    struct Revoked: Encodable {
        let id: String
        let revoked: Bool
    }

    /// Columns of a token as the API shows it (never the secret or its hash).
    static let columns = """
        id, name, role, to_json(created_at) #>> '{}' AS created_at, to_json(expires_at) #>> '{}' AS expires_at,
        to_json(last_used_at) #>> '{}' AS last_used_at, to_json(revoked_at) #>> '{}' AS revoked_at
        """

    /// One row of `columns` as JSON, nulls included.
    static func json(_ result: QueryResult, row: [String?]) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for (name, value) in zip(result.columns, row) { object[name] = value.map(JSONValue.string) ?? .null }
        return object
    }

    /// `POST /api/auth/tokens {name, role?, expiresAt?}` → 201 with the token, once.
    static func create(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let body = try scope.request.decodeJSON(CreateBody.self)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        var invalid: [String: String] = [:]
        if !(1...100).contains(name.unicodeScalars.count) { invalid["name"] = "must be 1 to 100 characters" }
        if let expiresAt = body.expiresAt, expiresAt <= Date() { invalid["expiresAt"] = "must be in the future" }
        guard invalid.isEmpty else { throw APIError.validation(invalid) }
        guard let callerRole = caller.role else { throw APIError.forbidden }
        let role = body.role ?? callerRole
        guard callerRole.tokenRoles.contains(role) else {
            throw APIError(
                status: 403, code: "forbidden", message: "A token cannot carry a role above your own (\(callerRole)).")
        }
        let token = SecureRandom.token(prefix: "itn_")
        // A token made with a token lives no longer than the one that made it.
        let parent: UUID? = if case .token(let id) = caller.credential { id } else { nil }
        let created = try scope.transaction { connection in
            let result = try connection.query(
                """
                INSERT INTO api_tokens (token_hash, user_id, team_id, name, role, expires_at)
                SELECT $1, $2, $3, $4, $5, least($6::timestamptz, p.expires_at)
                FROM (SELECT NULL) one LEFT JOIN api_tokens p ON p.id = $7::uuid
                RETURNING \(columns)
                """,
                [
                    Hex.bytea(SHA256.digest(Array(token.utf8))), caller.userId, caller.teamId, name, role.rawValue,
                    body.expiresAt, parent,
                ], context: "creating an API token")
            try Audit.record(
                connection, scope, action: "token.create", table: "api_tokens", rowId: result.first("id"),
                details: ["name": .string(name), "role": .string(role.rawValue)])
            var object = json(result, row: result.rows[0])
            object["token"] = .string(token)
            return JSONValue.object(object)
        }
        return Envelope.success(json: created, status: 201, requestId: scope.request.requestId)
    }

    /// `GET /api/auth/tokens`: the caller's tokens in the current team, newest first.
    static func list(_ scope: RequestScope) throws -> Response {
        let tokens = try scope.transaction { connection in
            let result = try connection.query(
                """
                SELECT \(columns)
                FROM api_tokens
                ORDER BY created_at DESC
                LIMIT 500
                """, context: "listing API tokens")
            return result.rows.map { JSONValue.object(json(result, row: $0)) }
        }
        let page: JSONValue = .object(["items": .array(tokens), "nextCursor": .null])
        return Envelope.success(json: page, requestId: scope.request.requestId)
    }

    /// `DELETE /api/auth/tokens/{id}`: revokes one of the caller's tokens; another's is a 404.
    static func revoke(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("token")
        try scope.transaction { connection in
            let revoked = try connection.query(
                "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id", [id],
                context: "revoking an API token")
            guard revoked.affectedRows == 1 else { throw APIError.notFound("No such token.") }
            try Audit.record(connection, scope, action: "token.revoke", table: "api_tokens", rowId: id.uuidString)
        }
        return try scope.ok(Revoked(id: id.lowercased, revoked: true))
    }
}
