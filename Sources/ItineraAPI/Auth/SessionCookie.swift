import Foundation

/// The `itinera_session` cookie: 256 random bits; the server keeps only their SHA-256.
enum SessionCookie {
    static let name = "itinera_session"

    /// `Set-Cookie` for a new session lasting `lifetime` seconds.
    static func set(_ token: String, lifetime: TimeInterval, secure: Bool) -> String {
        "\(name)=\(token); Path=/; Max-Age=\(Int(lifetime)); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that makes the browser forget the session.
    static func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
