import ItineraHTTP
import ItineraStore

/// Failed logins per account (since its last successful login) and per client address: after 5
/// in 15 minutes, further attempts get 429 `too_many_attempts` until the oldest failure ages out.
enum LoginThrottle {
    static let limit = 5
    static let windowMinutes = 15

    /// Throws 429 with `Retry-After` when `email` or `address` has used up its attempts.
    static func check(email: String, address: String, _ connection: PostgresConnection) throws {
        let result = try connection.query(
            """
            WITH account AS (
                SELECT count(*) AS n, min(attempted_at) AS oldest
                FROM login_attempts
                WHERE email = $1 AND NOT succeeded AND attempted_at > now() - make_interval(mins => $3)
                  AND attempted_at > coalesce(
                      (SELECT max(attempted_at) FROM login_attempts WHERE email = $1 AND succeeded), '-infinity')
            ), address AS (
                SELECT count(*) AS n, min(attempted_at) AS oldest
                FROM login_attempts
                WHERE ip = $2 AND NOT succeeded AND attempted_at > now() - make_interval(mins => $3)
            )
            SELECT ceil(extract(epoch FROM greatest(
                       CASE WHEN account.n >= $4 THEN account.oldest + make_interval(mins => $3) - now() END,
                       CASE WHEN address.n >= $4 THEN address.oldest + make_interval(mins => $3) - now() END
                   )))::integer AS retry_after
            FROM account, address
            """, [email, address, windowMinutes, limit], context: "checking login throttling")
        if let retryAfter = result.first("retry_after").flatMap(Int.init) {
            throw APIError(
                status: 429, code: "too_many_attempts",
                message: "Too many failed sign-ins. Try again in \(max(1, retryAfter)) seconds.",
                headers: ["Retry-After": String(max(1, retryAfter))])
        }
    }

    /// Records one attempt.
    static func record(email: String, address: String, succeeded: Bool, _ connection: PostgresConnection) throws {
        try connection.query(
            "INSERT INTO login_attempts (email, ip, succeeded) VALUES ($1, $2, $3)",
            [email, address, succeeded], context: "recording a login attempt")
    }
}
