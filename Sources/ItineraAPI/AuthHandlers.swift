import Foundation
import ItineraCore
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// Sign-in, sign-out, who am I, and switching team.
enum AuthHandlers {
    struct LoginBody: Decodable {
        let email: String
        let password: String
        let teamId: String?
    }

    struct TeamBody: Decodable {
        let teamId: String
    }

    static let hasher = PasswordHasher()

    /// `POST /api/auth/login {email, password, teamId?}`: a session cookie and the `me` answer.
    /// Unknown e-mail, wrong password and disabled account answer alike, in about the same time.
    static func login(_ scope: RequestScope) throws -> Response {
        let request = scope.request
        let body = try request.decodeJSON(LoginBody.self)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        var invalid: [String: String] = [:]
        if email.isEmpty || email.count > 254 || !email.contains("@") { invalid["email"] = "must be an e-mail address" }
        if body.password.isEmpty || body.password.utf8.count > 1024 { invalid["password"] = "must not be empty" }
        let requestedTeam = body.teamId.flatMap(UUID.init(parsing:))
        if body.teamId != nil && requestedTeam == nil { invalid["teamId"] = "must be a team id" }
        guard invalid.isEmpty else { throw APIError.validation(invalid) }
        guard OriginCheck.originMatches(request, publicOrigins: scope.context.config.publicOrigins) else {
            throw APIError.csrfFailed("The request came from another origin.")
        }

        let database = scope.context.database
        let address = request.remoteAddress
        let (throttle, candidate) = try database.withConnection { connection in
            let throttle = try LoginThrottle.state(email: email, address: address, connection)
            try throttle.checkAccount()
            let candidate = try connection.query(
                "SELECT user_id, password_hash, disabled FROM itinera_auth_login_candidate($1)", [email],
                context: "looking up a login")
            return (throttle, candidate)
        }
        let row = candidate.rows.first
        let storedHash = row?[1] ?? PasswordHasher.decoy
        let passwordMatches = hasher.verify(body.password, against: storedHash)
        guard let row, passwordMatches, row[2] == "f", let userId = row[0].flatMap(UUID.init(parsing:)) else {
            try database.transaction { connection in
                try LoginThrottle.record(email: email, address: address, succeeded: false, connection)
                try Audit.record(
                    connection, request, teamId: nil, actorType: "anonymous", userId: nil, action: "auth.login_failed",
                    details: ["email": .string(email)])
            }
            try throttle.checkAddress()
            throw APIError(status: 401, code: "invalid_credentials", message: "The e-mail or password is wrong.")
        }

        let token = SecureRandom.token()
        let csrfToken = SecureRandom.token()
        let lifetime = scope.context.config.sessionLifetime
        let me = try database.transaction(as: TenantScope(teamId: nil, userId: userId, role: nil)) { connection in
            let teams = try memberships(of: userId, connection)
            // A team asked for must be one of the user's: never a quiet fall-back to another.
            let chosen = requestedTeam.map { id in teams.first { $0.id == id } } ?? teams.first
            guard let team = chosen else {
                throw APIError(
                    status: 403, code: "no_team", message: "This account is not a member of any team (or of that team)."
                )
            }
            try TenantScope(teamId: team.id, userId: userId, role: team.role.rawValue).apply(on: connection)
            let session = try connection.query(
                """
                INSERT INTO sessions (token_hash, user_id, team_id, csrf_token, expires_at, ip, user_agent)
                VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7)
                RETURNING id
                """,
                [
                    Hex.bytea(SHA256.digest(Array(token.utf8))), userId, team.id, csrfToken, Int(lifetime), address,
                    (request.headers["user-agent"] ?? "").prefix(codePoints: 500),
                ], context: "creating a session")
            let rehash = hasher.needsRehash(storedHash) ? hasher.hash(body.password) : nil
            try connection.query(
                "UPDATE users SET last_login_at = now(), password_hash = coalesce($2, password_hash) WHERE id = $1",
                [userId, rehash], context: "recording the login")
            try LoginThrottle.record(email: email, address: address, succeeded: true, connection)
            try Audit.record(
                connection, request, teamId: team.id, actorType: "user", userId: userId, action: "auth.login",
                table: "sessions", rowId: session.first("id"))
            return try Me.load(
                userId: userId, team: team, teams: teams, csrfToken: csrfToken, via: "session", connection)
        }
        var response = try scope.ok(me)
        response.headers.append(
            ("Set-Cookie", SessionCookie.set(token, lifetime: lifetime, secure: scope.cookiesSecure)))
        return response
    }

    /// `POST /api/auth/logout`: ends the session server-side and clears the cookie.
    static func logout(_ scope: RequestScope) throws -> Response {
        guard case .session(let sessionId, _) = try scope.caller.credential else {
            throw APIError.badRequest("not_a_session", "Only a browser session can sign out; revoke a token instead.")
        }
        try scope.transaction { connection in
            try connection.query(
                "UPDATE sessions SET revoked_at = now() WHERE id = $1", [sessionId], context: "ending a session")
            try Audit.record(connection, scope, action: "auth.logout", table: "sessions", rowId: sessionId.uuidString)
        }
        var response = try scope.ok(["signedOut": true])
        response.headers.append(("Set-Cookie", SessionCookie.clear(secure: scope.cookiesSecure)))
        return response
    }

    /// `GET /api/auth/me`: the user, the current team and role, all teams, and the CSRF token.
    static func me(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        guard let userId = caller.userId else { throw APIError.unauthenticated }
        let me = try scope.transaction { connection in
            let teams = try memberships(of: userId, connection)
            guard let team = teams.first(where: { $0.id == caller.teamId }) else { throw APIError.unauthenticated }
            return try Me.load(
                userId: userId, team: Team(id: team.id, name: team.name, role: caller.role ?? team.role),
                teams: teams, csrfToken: csrfToken(caller), via: via(caller), connection)
        }
        return try scope.ok(me)
    }

    /// `POST /api/auth/team {teamId}`: makes another of the user's teams the session's current one.
    static func switchTeam(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        guard case .session(let sessionId, let csrf) = caller.credential, let userId = caller.userId else {
            throw APIError.badRequest("not_a_session", "API tokens belong to one team; create one for the other team.")
        }
        let body = try scope.request.decodeJSON(TeamBody.self)
        guard let teamId = UUID(parsing: body.teamId) else { throw APIError.notFound("No such team.") }
        let me = try scope.transaction { connection in
            let teams = try memberships(of: userId, connection)
            guard let team = teams.first(where: { $0.id == teamId }) else { throw APIError.notFound("No such team.") }
            try TenantScope(teamId: team.id, userId: userId, role: team.role.rawValue).apply(on: connection)
            try connection.query(
                "UPDATE sessions SET team_id = $2 WHERE id = $1", [sessionId, team.id], context: "switching team")
            try Audit.record(
                connection, scope.request, teamId: team.id, actorType: "user", userId: userId,
                action: "auth.switch_team",
                table: "teams", rowId: team.id.uuidString)
            return try Me.load(userId: userId, team: team, teams: teams, csrfToken: csrf, via: "session", connection)
        }
        return try scope.ok(me)
    }

    /// One of the user's teams and their role in it.
    struct Team: Encodable {
        let id: UUID
        let name: String
        let role: Role

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id.lowercased, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(role, forKey: .role)
        }

        enum CodingKeys: String, CodingKey { case id, name, role }
    }

    /// The user's memberships, oldest first (the first is where a login lands by default).
    /// Readable under the user's own scope: RLS shows a user their memberships.
    static func memberships(of userId: UUID, _ connection: PostgresConnection) throws -> [Team] {
        try connection.query(
            """
            SELECT t.id, t.name, m.role
            FROM memberships m JOIN teams t ON t.id = m.team_id
            WHERE m.user_id = $1
            ORDER BY m.created_at, t.name
            """, [userId], context: "loading memberships"
        ).rows.compactMap { row in
            guard let id = row[0].flatMap(UUID.init(parsing:)), let role = row[2].flatMap(Role.init) else { return nil }
            return Team(id: id, name: row[1] ?? "", role: role)
        }
    }

    private static func csrfToken(_ caller: Principal) -> String? {
        if case .session(_, let token) = caller.credential { return token }
        return nil
    }

    private static func via(_ caller: Principal) -> String {
        if case .token = caller.credential { return "token" }
        return "session"
    }
}

/// The answer of `/api/auth/me` (and of login and team switch).
struct Me: Encodable {
    struct User: Encodable {
        let id: String
        let email: String
        let name: String
    }
    struct CurrentTeam: Encodable {
        let id: String
        let name: String
    }

    let user: User
    let team: CurrentTeam
    let role: Role
    let teams: [AuthHandlers.Team]
    let csrfToken: String?
    let authenticatedBy: String

    enum CodingKeys: String, CodingKey {
        case user, team, role, teams, csrfToken = "csrf_token", authenticatedBy = "authenticated_by"
    }

    static func load(
        userId: UUID, team: AuthHandlers.Team, teams: [AuthHandlers.Team], csrfToken: String?, via: String,
        _ connection: PostgresConnection
    ) throws -> Me {
        let user = try connection.query(
            "SELECT email, name FROM users WHERE id = $1", [userId], context: "loading the user")
        guard let row = user.rows.first else { throw APIError.unauthenticated }
        return Me(
            user: User(id: userId.lowercased, email: row[0] ?? "", name: row[1] ?? ""),
            team: CurrentTeam(id: team.id.lowercased, name: team.name), role: team.role, teams: teams,
            csrfToken: csrfToken,
            authenticatedBy: via)
    }
}
