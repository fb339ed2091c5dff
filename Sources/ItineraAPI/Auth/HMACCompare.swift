import ItineraCrypto

/// Constant-time comparison of two strings (tokens, CSRF values).
enum HMACCompare {
    static func equal(_ a: String, _ b: String) -> Bool {
        HMAC.constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }
}
