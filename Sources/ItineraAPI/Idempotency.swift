import Foundation
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// Stored first answers for retried mutations: the same key with the same request answers the
/// stored response again and changes nothing; with another request it is a 422.
enum Idempotency {
    enum Claim {
        /// The key is new: do the work, then `store` the answer (or `release` the key).
        case claimed
        /// The key answered before: answer this again.
        case replay(status: Int, json: String)
    }

    /// Runs `work` at most once per (team, `scope`, `key`), inside `connection`'s open transaction.
    /// `work` returns the status and JSON text of the answer to store. Without a key it just runs.
    static func once(
        key: String?, scope name: String, request: Request, teamId: UUID, _ connection: PostgresConnection,
        _ work: () throws -> (status: Int, json: String)
    ) throws -> (status: Int, json: String) {
        guard let key else { return try work() }
        if case .replay(let status, let json) = try claim(
            key: key, scope: name, request: request, teamId: teamId, connection)
        {
            return (status, json)
        }
        let answer = try work()
        store(answer, key: key, scope: name, teamId: teamId, connection)
        return answer
    }

    /// Claims `key` in the open transaction (a concurrent claim waits for this transaction). Throws
    /// 422 when the key was used for another request, 409 while its first request is unanswered.
    static func claim(key: String, scope name: String, request: Request, teamId: UUID, _ connection: PostgresConnection)
        throws -> Claim
    {
        guard (1...200).contains(key.unicodeScalars.count) else {
            throw APIError.validation(["idempotencyKey": "must be 1 to 200 characters"])
        }
        let hash = SHA256.hex(Array(request.method.utf8) + [0] + Array(request.path.utf8) + [0] + request.body)
        let claimed = try connection.query(
            """
            INSERT INTO idempotency_keys (team_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
            ON CONFLICT (team_id, scope, key) DO NOTHING
            RETURNING key
            """, [teamId, name, key, hash], context: "claiming an idempotency key")
        guard claimed.rows.isEmpty else { return .claimed }
        let stored = try connection.query(
            """
            SELECT request_hash, response_status, response_body FROM idempotency_keys
            WHERE team_id = $1 AND scope = $2 AND key = $3
            """, [teamId, name, key], context: "reading an idempotency key")
        guard let row = stored.rows.first, row[0] == hash else {
            throw APIError(
                status: 422, code: "idempotency_key_reused",
                message: "This idempotency key was used for a different request.")
        }
        guard let status = row[1].flatMap(Int.init), let body = row[2] else {
            throw APIError(
                status: 409, code: "request_in_progress", message: "The first request with this key is still running.")
        }
        return .replay(status: status, json: body)
    }

    /// Stores the answer of a claimed key; queued, so it travels with COMMIT.
    static func store(
        _ answer: (status: Int, json: String), key: String, scope name: String, teamId: UUID,
        _ connection: PostgresConnection
    ) {
        connection.queue(
            (
                "UPDATE idempotency_keys SET response_status = $4, response_body = $5 WHERE team_id = $1 AND scope = $2 AND key = $3",
                [teamId, name, key, answer.status, answer.json]
            ), context: "storing an idempotent answer")
    }

    /// Gives a claimed key back, for work that failed but must still commit (a provider's refusal
    /// is recorded on the payment): a retry with the same key tries again.
    static func release(key: String, scope name: String, teamId: UUID, _ connection: PostgresConnection) throws {
        try connection.query(
            "DELETE FROM idempotency_keys WHERE team_id = $1 AND scope = $2 AND key = $3", [teamId, name, key],
            context: "releasing an idempotency key")
    }
}
