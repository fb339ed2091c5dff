import Foundation
import ItineraCore
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// Turns the credentials of a request into a `Principal` and checks them against the route's
/// `Access`: the one place where "who may call this" is decided.
enum Authenticator {
    static func authorize(_ request: Request, _ access: Access, _ context: AppContext) throws -> Principal? {
        switch access {
        case .everyone:
            return nil
        case .partner(let action):
            let principal = try partner(request, context)
            if let action, case .partner(_, let allowed) = principal.credential, !allowed.contains(action) {
                throw APIError.forbidden
            }
            return principal
        case .members(let roles), .listening(let roles):
            let principal = try member(request, context, touching: access == .members(roles))
            guard let role = principal.role, roles.contains(role) else { throw APIError.forbidden }
            return principal
        }
    }

    /// Bearer token first (scripts), then the session cookie (browsers, with CSRF checks).
    private static func member(_ request: Request, _ context: AppContext, touching: Bool) throws -> Principal {
        let lookup = try credentialStatement(request, context, touching: touching)
        let result = try context.database.withConnection { connection in
            try connection.query(lookup.sql, lookup.parameters, context: "looking up a credential")
        }
        let principal = try memberPrincipal(result.rows.first)
        if case .session(_, let csrfToken) = principal.credential {
            try OriginCheck.verify(request, csrfToken: csrfToken, publicOrigins: context.config.publicOrigins)
        }
        return principal
    }

    /// The credential lookup of `request` (bearer token first, then the session cookie) as one
    /// statement that also sets the tenant scope for the rest of its transaction. Its row is
    /// (credential id, user, team, role, csrf token — NULL for tokens). Without `touching`, a session's
    /// last activity is left as it was.
    static func credentialStatement(_ request: Request, _ context: AppContext, touching: Bool = true) throws
        -> SQLStatement
    {
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
            "SELECT session_id, user_id, team_id, role, csrf_token, \(scope) FROM itinera_auth_session($1, $2, $3)",
            [Hex.bytea(SHA256.digest(Array(cookie.utf8))), Int(context.config.sessionIdleTimeout), touching]
        )
    }

    /// The principal of a `credentialStatement` row; 401 when there is none (unknown, expired,
    /// revoked, or a user no longer in the team).
    static func memberPrincipal(_ row: [String?]?) throws -> Principal {
        guard let row, let credentialId = row[0].flatMap(UUID.init(parsing:)),
            let userId = row[1].flatMap(UUID.init(parsing:)), let teamId = row[2].flatMap(UUID.init(parsing:)),
            let role = row[3].flatMap(Role.init)
        else { throw APIError.unauthenticated }
        return Principal(
            teamId: teamId, userId: userId, role: role,
            credential: row[4].map { .session(id: credentialId, csrfToken: $0) } ?? .token(id: credentialId))
    }

    private static func partner(_ request: Request, _ context: AppContext) throws -> Principal {
        let signature = try PartnerSignature(headers: request.headers)
        let result = try context.database.withConnection { connection in
            try connection.query(
                """
                SELECT team_id, array_to_json(allowed_actions)::text AS actions, array_to_json(secrets)::text AS secrets
                FROM itinera_auth_partner($1)
                """, [signature.keyId], context: "looking up a partner key")
        }
        guard let row = result.rows.first, let teamId = row[0].flatMap(UUID.init(parsing:)),
            let actions = decodeStrings(row[1]), let secrets = decodeStrings(row[2])
        else { throw APIError.invalidSignature("Unknown or revoked key.") }
        try signature.verify(body: request.body, secrets: secrets)
        return Principal(
            teamId: teamId, userId: nil, role: nil,
            credential: .partner(keyId: signature.keyId, allowedActions: actions))
    }

    private static func decodeStrings(_ json: String?) -> [String]? {
        guard let json else { return nil }
        return try? JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
