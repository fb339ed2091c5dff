import ItineraHTTP

/// Cross-site request checks for cookie-authenticated changes.
enum OriginCheck {
    /// Methods that never change state and need no CSRF token.
    static func isSafe(_ method: String) -> Bool { method == "GET" || method == "HEAD" || method == "OPTIONS" }

    /// An `Origin` header, when the browser sent one, must name this host.
    static func originMatches(_ request: Request) -> Bool {
        guard let origin = request.headers["origin"] else { return true }
        guard let host = request.headers["host"], !host.isEmpty else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// Throws 403 `csrf_failed` unless a state-changing request carries the session's token and,
    /// if it names an origin, ours.
    static func verify(_ request: Request, csrfToken: String) throws {
        guard !isSafe(request.method) else { return }
        guard originMatches(request) else { throw APIError.csrfFailed("The request came from another origin.") }
        guard let sent = request.headers["x-csrf-token"],
            HMACCompare.equal(sent, csrfToken)
        else { throw APIError.csrfFailed("X-CSRF-Token is missing or does not match the session.") }
    }
}
