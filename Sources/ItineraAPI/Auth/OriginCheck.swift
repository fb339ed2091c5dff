import Foundation
import ItineraHTTP

/// Cross-site request checks for cookie-authenticated changes.
enum OriginCheck {
    /// Methods that never change state and need no CSRF token.
    static func isSafe(_ method: String) -> Bool { method == "GET" || method == "HEAD" || method == "OPTIONS" }

    /// An `Origin` header, when the browser sent one, must name this site: the scheme the request
    /// came with (`HTTPS` from nginx), the same host name as `Host`, on the port of `Host` or, when `Host` has none (nginx passes `$host`), the port the
    /// server was reached on. `ITINERA_PUBLIC_ORIGIN` (behind a TLS proxy) replaces the guess.
    static func originMatches(_ request: Request, publicOrigins: [String] = []) -> Bool {
        guard let origin = request.headers["origin"] else { return true }
        if !publicOrigins.isEmpty { return publicOrigins.contains(origin) }
        guard let (scheme, originHost, originPort) = split(origin: origin),
            let host = request.headers["host"], !host.isEmpty
        else { return false }
        let hostParts = host.split(separator: ":", maxSplits: 1)
        guard String(hostParts[0]).lowercased() == originHost, (scheme == "https") == request.isHTTPS else {
            return false
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let expectedPort = hostParts.count == 2 ? Int(hostParts[1]) : (request.serverPort ?? defaultPort)
        return (originPort ?? defaultPort) == expectedPort
    }

    /// `https://example.com:8443` → ("https", "example.com", 8443).
    static func split(origin: String) -> (scheme: String, host: String, port: Int?)? {
        let parts = origin.components(separatedBy: "://")
        guard parts.count == 2, parts[0] == "http" || parts[0] == "https", !parts[1].isEmpty,
            !parts[1].contains("/")
        else { return nil }
        let hostPort = parts[1].split(separator: ":", maxSplits: 1)
        let port = hostPort.count == 2 ? Int(hostPort[1]) : nil
        if hostPort.count == 2 && port == nil { return nil }
        return (parts[0], String(hostPort[0]).lowercased(), port)
    }

    /// Throws 403 `csrf_failed` unless a state-changing request carries the session's token and,
    /// if it names an origin, ours.
    static func verify(_ request: Request, csrfToken: String, publicOrigins: [String]) throws {
        guard !isSafe(request.method) else { return }
        guard originMatches(request, publicOrigins: publicOrigins) else {
            throw APIError.csrfFailed("The request came from another origin.")
        }
        guard let sent = request.headers["x-csrf-token"],
            HMACCompare.equal(sent, csrfToken)
        else { throw APIError.csrfFailed("X-CSRF-Token is missing or does not match the session.") }
    }
}
