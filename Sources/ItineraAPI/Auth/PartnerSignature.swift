import Foundation
import ItineraCrypto
import ItineraHTTP

/// Signed server-to-server calls: `X-Itinera-Key` (key id), `X-Itinera-Timestamp` (unix seconds)
/// and `X-Itinera-Signature: v1=<hex HMAC-SHA256 of "{timestamp}.{raw body}">`. Any active secret
/// of the key may have signed (rotation); the timestamp must be within `tolerance` of now.
public struct PartnerSignature: Sendable {
    public let keyId: String
    public let timestamp: Int64
    public let signatures: [[UInt8]]

    public static let tolerance: Int64 = 300

    /// The signature headers of `request`; a 401 when any is missing or malformed.
    public init(headers: Headers) throws {
        guard let keyId = headers["x-itinera-key"], !keyId.isEmpty, keyId.count <= 100,
            let timestampText = headers["x-itinera-timestamp"], let timestamp = Int64(timestampText),
            let signatureHeader = headers["x-itinera-signature"]
        else { throw APIError.invalidSignature("Missing or malformed X-Itinera-Key/-Timestamp/-Signature.") }
        let signatures = signatureHeader.split(separator: ",").compactMap { part -> [UInt8]? in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("v1=") else { return nil }
            return Hex.decode(String(trimmed.dropFirst(3)))
        }
        guard !signatures.isEmpty else { throw APIError.invalidSignature("X-Itinera-Signature has no v1= value.") }
        self.keyId = keyId
        self.timestamp = timestamp
        self.signatures = signatures
    }

    /// The signature a partner computes: hex HMAC-SHA256 of "{timestamp}.{body}" under `secret`.
    public static func sign(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        Hex.encode(HMAC.sha256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body))
    }

    /// Checks the signature against `secrets` at time `now`; throws a 401 when no secret signed
    /// this body or the timestamp is too far from now.
    public func verify(body: [UInt8], secrets: [String], now: Int64 = Int64(Date().timeIntervalSince1970)) throws {
        // Subtracting first could overflow on a hostile timestamp (t=-9223372036854775808).
        guard timestamp >= now - Self.tolerance, timestamp <= now + Self.tolerance else {
            throw APIError.invalidSignature("The timestamp is more than \(Self.tolerance) seconds from now.")
        }
        let message = Array("\(timestamp).".utf8) + body
        let matched = secrets.contains { secret in
            let expected = HMAC.sha256(key: Array(secret.utf8), message: message)
            return signatures.contains { HMAC.constantTimeEqual($0, expected) }
        }
        guard matched else { throw APIError.invalidSignature("The signature does not match.") }
    }
}

extension APIError {
    /// 401 for a partner call whose signature cannot be trusted.
    static func invalidSignature(_ message: String) -> APIError {
        APIError(status: 401, code: "invalid_signature", message: message)
    }

    /// 401: no valid session cookie or API token.
    static let unauthenticated = APIError(
        status: 401, code: "unauthenticated", message: "Sign in, or send a valid API token.",
        headers: ["WWW-Authenticate": "Bearer"])

    /// 403: signed in, but this role may not do that.
    static let forbidden = APIError(status: 403, code: "forbidden", message: "Your role does not allow this.")

    /// 403: a cookie-authenticated change without the session's CSRF token (or from another origin).
    static func csrfFailed(_ message: String) -> APIError {
        APIError(status: 403, code: "csrf_failed", message: message)
    }

    /// 400 with the fields at fault in `details.fields`.
    static func validation(_ fields: [String: String]) -> APIError {
        APIError(
            status: 400, code: "validation_failed", message: "Some fields are not valid.",
            details: .object(["fields": .object(fields.mapValues(JSONValue.string))]))
    }
}
