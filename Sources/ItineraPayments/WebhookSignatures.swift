import Foundation
import ItineraCrypto

/// Why a webhook's signature was not accepted. The message is safe to answer with: it never says
/// which secret was expected.
public struct WebhookSignatureError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The timestamped scheme Stripe uses (`Stripe-Signature`) and the sandbox/generic scheme
/// (`X-Payment-Signature`): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{raw body}">`, several
/// `v1` allowed, any active secret may match, the timestamp within `tolerance` seconds of now.
public enum TimestampedSignature {
    public static let tolerance: Int64 = 300

    /// The header value a sender puts on `body` at `timestamp`.
    public static func header(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(Hex.encode(digest(secret: secret, timestamp: timestamp, body: body)))"
    }

    /// Checks `header` against `secrets`; returns the index of the secret that signed (rotation
    /// shows which secrets are still in use).
    @discardableResult
    public static func verify(
        header: String?, body: [UInt8], secrets: [String], now: Int64 = Int64(Date().timeIntervalSince1970)
    ) throws -> Int {
        guard let header, !header.isEmpty else { throw WebhookSignatureError("The signature header is missing.") }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1":
                if let bytes = Hex.decode(String(pair[1])), bytes.count == 32 { signatures.append(bytes) }
            default: continue  // other schemes (v0, …) are not ours to check
            }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw WebhookSignatureError("The signature header is malformed: it needs t= and v1=.")
        }
        // Subtracting first could overflow on a hostile timestamp (t=-9223372036854775808).
        guard timestamp >= now - tolerance, timestamp <= now + tolerance else {
            throw WebhookSignatureError("The signature timestamp is more than \(tolerance) seconds from now.")
        }
        for (index, secret) in secrets.enumerated() {
            let expected = digest(secret: secret, timestamp: timestamp, body: body)
            if signatures.contains(where: { HMAC.constantTimeEqual($0, expected) }) { return index }
        }
        throw WebhookSignatureError("The signature does not match.")
    }

    private static func digest(secret: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        HMAC.sha256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body)
    }
}

/// Razorpay's scheme: `X-Razorpay-Signature` is the hex HMAC-SHA256 of the raw body. It has no
/// timestamp: replays are stopped by the event-id dedupe.
public enum BodySignature {
    public static func header(secret: String, body: [UInt8]) -> String {
        Hex.encode(HMAC.sha256(key: Array(secret.utf8), message: body))
    }

    @discardableResult
    public static func verify(header: String?, body: [UInt8], secrets: [String]) throws -> Int {
        guard let header, !header.isEmpty else { throw WebhookSignatureError("The signature header is missing.") }
        guard let signature = Hex.decode(header.trimmingCharacters(in: .whitespaces)), signature.count == 32 else {
            throw WebhookSignatureError("The signature header is malformed: it needs 64 hex digits.")
        }
        for (index, secret) in secrets.enumerated()
        where HMAC.constantTimeEqual(signature, HMAC.sha256(key: Array(secret.utf8), message: body)) {
            return index
        }
        throw WebhookSignatureError("The signature does not match.")
    }
}
