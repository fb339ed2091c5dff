import ItineraHTTP
import ItineraStore

/// Failed sign-ins, counted three ways so that a stranger can lock out neither an office nor an
/// account's owner where they last signed in:
/// - an **account from one address**: 5 failures (since its last success there) in 15 minutes and
///   that address waits until the oldest ages out;
/// - an **account**, from anywhere: from the 5th failure since its last success, a growing delay
///   (30 s, doubling, at most 15 minutes) after each failure — except for the address that last
///   signed in to it successfully, so a stranger hammering it does not lock its owner out;
/// - an **address**: 100 failures in 15 minutes (an office behind NAT shares one) and its wrong
///   passwords are answered 429; a right password for an account not itself throttled still signs in.
/// nginx limits the rate of sign-in requests per address in front of all this.
enum LoginThrottle {
    static let accountAddressLimit = 5
    static let accountLimit = 5
    static let addressLimit = 100
    static let windowMinutes = 15
    static let firstDelaySeconds = 30
    static let longestDelaySeconds = 900

    /// Seconds to wait, per count, when that count is over its limit.
    struct State {
        let accountAddressRetry: Int?
        let accountRetry: Int?
        let addressRetry: Int?

        /// Before the password is checked: the account is throttled here.
        func checkAccount() throws {
            if let seconds = [accountAddressRetry, accountRetry].compactMap({ $0 }).max() {
                throw LoginThrottle.tooMany(seconds)
            }
        }

        /// After a wrong password: the address is throttled (else the caller answers 401).
        func checkAddress() throws {
            if let addressRetry { throw LoginThrottle.tooMany(addressRetry) }
        }
    }

    static func state(email: String, address: String, _ connection: PostgresConnection) throws -> State {
        let result = try connection.query(
            """
            WITH last_success AS (
                SELECT attempted_at, ip FROM login_attempts WHERE email = $1 AND succeeded
                ORDER BY attempted_at DESC LIMIT 1
            ), account AS (
                SELECT count(*) AS n, max(attempted_at) AS latest
                FROM login_attempts
                WHERE email = $1 AND NOT succeeded AND attempted_at > now() - interval '1 hour'
                  AND attempted_at > coalesce((SELECT attempted_at FROM last_success), '-infinity')
            ), pair AS (
                SELECT count(*) AS n, min(attempted_at) AS oldest
                FROM login_attempts
                WHERE email = $1 AND ip = $2 AND NOT succeeded AND attempted_at > now() - make_interval(mins => $3)
                  AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempts
                                               WHERE email = $1 AND ip = $2 AND succeeded), '-infinity')
            ), address AS (
                SELECT count(*) AS n, min(attempted_at) AS oldest
                FROM login_attempts
                WHERE ip = $2 AND NOT succeeded AND attempted_at > now() - make_interval(mins => $3)
            )
            SELECT
                CASE WHEN pair.n >= $4 THEN
                    ceil(extract(epoch FROM pair.oldest + make_interval(mins => $3) - now()))::integer END AS pair,
                CASE WHEN account.n >= $5 AND $2 IS DISTINCT FROM (SELECT ip FROM last_success) THEN
                    ceil(extract(epoch FROM account.latest - now()
                        + make_interval(secs => least($8, $7 * power(2, least(account.n - $5, 20))))))::integer END AS account,
                CASE WHEN address.n >= $6 THEN
                    ceil(extract(epoch FROM address.oldest + make_interval(mins => $3) - now()))::integer END AS address
            FROM account, pair, address
            """,
            [
                email, address, windowMinutes, accountAddressLimit, accountLimit, addressLimit, firstDelaySeconds,
                longestDelaySeconds,
            ], context: "checking login throttling")
        // A delay already over (the latest failure is older than its delay) throttles nothing.
        func seconds(_ column: String) -> Int? { result.first(column).flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } }
        return State(
            accountAddressRetry: seconds("pair"), accountRetry: seconds("account"), addressRetry: seconds("address"))
    }

    static func tooMany(_ seconds: Int) -> APIError {
        APIError(
            status: 429, code: "too_many_attempts",
            message: "Too many failed sign-ins. Try again in \(seconds) seconds.",
            details: .object(["retryAfterSeconds": .integer(Int64(seconds))]),
            headers: ["Retry-After": String(seconds)])
    }

    /// Records one attempt.
    static func record(email: String, address: String, succeeded: Bool, _ connection: PostgresConnection) throws {
        try connection.query(
            "INSERT INTO login_attempts (email, ip, succeeded) VALUES ($1, $2, $3)",
            [email, address, succeeded], context: "recording a login attempt")
    }
}
