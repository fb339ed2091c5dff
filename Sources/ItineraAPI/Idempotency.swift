import Foundation
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// Stored first answers for retried mutations: the same key with the same request answers the
/// stored response again and changes nothing; with another request it is a 422.
enum Idempotency {
    /// Runs `work` at most once per (team, `scope`, `key`), inside `connection`'s open transaction.
    /// `work` returns the status and JSON text of the answer to store. Without a key it just runs.
    static func once(
        key: String?, scope name: String, request: Request, teamId: UUID, _ connection: PostgresConnection,
        _ work: () throws -> (status: Int, json: String)
    ) throws -> (status: Int, json: String) {
        guard let key else { return try work() }
        guard !key.isEmpty, key.count <= 200 else {
            throw APIError.validation(["idempotencyKey": "must be 1 to 200 characters"])
        }
        let hash = SHA256.hex(Array(request.method.utf8) + [0] + Array(request.path.utf8) + [0] + request.body)
        let claimed = try connection.query(
            """
            INSERT INTO idempotency_keys (team_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
            ON CONFLICT (team_id, scope, key) DO NOTHING
            RETURNING key
            """, [teamId, name, key, hash], context: "claiming an idempotency key")
        if claimed.rows.isEmpty {
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
                    status: 409, code: "request_in_progress",
                    message: "The first request with this key is still running.")
            }
            return (status, body)
        }
        let answer = try work()
        try connection.query(
            "UPDATE idempotency_keys SET response_status = $4, response_body = $5 WHERE team_id = $1 AND scope = $2 AND key = $3",
            [teamId, name, key, answer.status, answer.json], context: "storing an idempotent answer")
        return answer
    }
}
