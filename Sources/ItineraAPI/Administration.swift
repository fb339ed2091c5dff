import Foundation
import ItineraCore
import ItineraCrypto
import ItineraStore

/// Operations of the command line and the demo seed. They run on the owner's connection, outside
/// any tenant: they create the teams, people and credentials that requests are later scoped to.
public struct Administration {
    let connection: PostgresConnection
    let hasher = PasswordHasher()

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A failed administrative step, with a message for the terminal.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Creates a team (with `id` when given; an existing one of that id is kept) and returns its id.
    @discardableResult
    public func createTeam(name: String, id: UUID? = nil) throws -> UUID {
        let result = try connection.query(
            """
            INSERT INTO teams (id, name) VALUES (coalesce($1::uuid, gen_random_uuid()), $2)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name
            RETURNING id
            """, [id, name], context: "creating a team")
        return UUID(parsing: result.first("id") ?? "")!
    }

    /// The team named by `reference`: its id, or its exact name when that is unambiguous.
    public func team(_ reference: String) throws -> UUID {
        let result = try connection.query(
            "SELECT id FROM teams WHERE id::text = lower($1) OR name = $1 ORDER BY created_at LIMIT 2",
            [reference], context: "finding a team")
        guard result.rows.count == 1, let id = result.rows[0][0].flatMap(UUID.init(parsing:)) else {
            throw Failure(
                result.rows.isEmpty ? "no team \(reference)" : "several teams are named \(reference): use its id")
        }
        return id
    }

    /// Creates the user or, if the e-mail exists, updates the name (and the password when given).
    @discardableResult
    public func upsertUser(email: String, name: String, password: String?) throws -> UUID {
        let result = try connection.query(
            """
            INSERT INTO users (email, name, password_hash) VALUES ($1, $2, coalesce($3, $4))
            ON CONFLICT (email) DO UPDATE SET name = excluded.name,
                password_hash = coalesce($3, users.password_hash)
            RETURNING id
            """, [email, name, password.map(hasher.hash), hasher.hash(SecureRandom.token())],
            context: "saving a user")
        return UUID(parsing: result.first("id") ?? "")!
    }

    /// Gives `user` the `role` in `team` (replacing an earlier role there).
    public func setMembership(user: UUID, team: UUID, role: Role) throws {
        try connection.query(
            """
            INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3)
            ON CONFLICT (user_id, team_id) DO UPDATE SET role = excluded.role
            """, [user, team, role.rawValue], context: "saving a membership")
    }

    /// Sets a new password for the user with `email`.
    public func setPassword(email: String, password: String) throws {
        let result = try connection.query(
            "UPDATE users SET password_hash = $2 WHERE email = $1", [email, hasher.hash(password)],
            context: "changing a password")
        guard result.affectedRows == 1 else { throw Failure("no user \(email)") }
        try connection.query(
            "UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE email = $1)",
            [email], context: "ending the user's sessions")
    }

    /// Takes the user with `email` out of `team`: the membership goes, and with it the sessions and
    /// tokens held there (revoked, so their live streams end too).
    public func removeMembership(email: String, team: UUID) throws {
        let removed = try connection.query(
            """
            DELETE FROM memberships WHERE team_id = $2 AND user_id = (SELECT id FROM users WHERE email = $1)
            RETURNING user_id
            """, [email, team], context: "removing a membership")
        guard let userId = removed.first("user_id") else { throw Failure("\(email) is not a member of that team") }
        try connection.query(
            "UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND user_id = $1::uuid AND team_id = $2",
            [userId, team], context: "ending the user's sessions in the team")
        try connection.query(
            "UPDATE api_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND user_id = $1::uuid AND team_id = $2",
            [userId, team], context: "revoking the user's tokens in the team")
    }

    /// Creates an API token for `email` in `team`; returns the token (shown once).
    public func createToken(email: String, team: UUID, name: String, role: Role?, expiresInDays: Int?) throws -> String
    {
        let member = try connection.query(
            """
            SELECT u.id, m.role FROM users u JOIN memberships m ON m.user_id = u.id AND m.team_id = $2
            WHERE u.email = $1
            """, [email, team], context: "finding the token's user")
        guard let row = member.rows.first, let userId = row[0].flatMap(UUID.init(parsing:)),
            let memberRole = row[1].flatMap(Role.init)
        else { throw Failure("\(email) is not a member of that team") }
        let tokenRole = role ?? memberRole
        guard memberRole.tokenRoles.contains(tokenRole) else {
            throw Failure("a \(memberRole) cannot hold a \(tokenRole) token")
        }
        let token = SecureRandom.token(prefix: "itn_")
        try connection.query(
            """
            INSERT INTO api_tokens (token_hash, user_id, team_id, name, role, expires_at)
            VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
            """,
            [Hex.bytea(SHA256.digest(Array(token.utf8))), userId, team, name, tokenRole.rawValue, expiresInDays],
            context: "creating an API token")
        return token
    }

    /// Creates a partner key for `team`; returns its id and first secret (shown once).
    public func createPartnerKey(team: UUID, name: String, actions: [String]) throws -> (id: String, secret: String) {
        let id = "pk_" + Base64URL.encode(SecureRandom.bytes(12))
        let secret = SecureRandom.token(prefix: "pks_")
        try connection.query(
            "INSERT INTO partner_keys (id, team_id, name, allowed_actions) VALUES ($1, $2, $3, $4::text[])",
            [id, team, name, actions],
            context: "creating a partner key")
        try addSecret(keyId: id, secret: secret)
        return (id, secret)
    }

    /// Adds a new secret to `keyId`; the older ones stay valid for `overlapHours`, then expire.
    public func rotatePartnerKey(_ keyId: String, overlapHours: Int) throws -> String {
        let updated = try connection.query(
            """
            UPDATE partner_key_secrets SET expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(hours => $2))
            WHERE key_id = $1
            """, [keyId, overlapHours], context: "retiring old partner secrets")
        guard updated.affectedRows > 0 else { throw Failure("no partner key \(keyId)") }
        let secret = SecureRandom.token(prefix: "pks_")
        try addSecret(keyId: keyId, secret: secret)
        return secret
    }

    private func addSecret(keyId: String, secret: String) throws {
        try connection.query(
            "INSERT INTO partner_key_secrets (key_id, secret) VALUES ($1, $2)", [keyId, secret],
            context: "adding a partner secret")
    }
}
