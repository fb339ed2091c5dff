import Testing

@testable import ItineraPayments

/// The signature schemes a webhook must pass before its body is even parsed. The expected digests
/// were computed independently (Python's hmac module).
@Suite struct WebhookSignatureTests {
    let body = Array(#"{"id":"evt_1"}"#.utf8)
    let now: Int64 = 1_700_000_000
    let knownDigest = "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"

    @Test func timestampedSchemeMatchesTheKnownVector() throws {
        #expect(
            TimestampedSignature.header(secret: "whsec_test", timestamp: now, body: body)
                == "t=\(now),v1=\(knownDigest)")
        let index = try TimestampedSignature.verify(
            header: "t=\(now),v1=\(knownDigest)", body: body, secrets: ["whsec_test"], now: now)
        #expect(index == 0)
    }

    @Test func timestampedSchemeRejectsTamperingWrongSecretsAndStaleTimestamps() {
        let header = "t=\(now),v1=\(knownDigest)"
        #expect(throws: WebhookSignatureError("The signature does not match.")) {
            try TimestampedSignature.verify(header: header, body: body + [32], secrets: ["whsec_test"], now: now)
        }
        #expect(throws: WebhookSignatureError("The signature does not match.")) {
            try TimestampedSignature.verify(header: header, body: body, secrets: ["whsec_other"], now: now)
        }
        #expect(throws: WebhookSignatureError.self) {
            try TimestampedSignature.verify(header: header, body: body, secrets: ["whsec_test"], now: now + 301)
        }
        #expect(throws: WebhookSignatureError.self) {
            try TimestampedSignature.verify(header: header, body: body, secrets: ["whsec_test"], now: now - 301)
        }
        #expect(
            (try? TimestampedSignature.verify(header: header, body: body, secrets: ["whsec_test"], now: now + 300)) == 0
        )
    }

    @Test func timestampedSchemeAcceptsARotatedSecretAndAnyV1() throws {
        let signed = TimestampedSignature.header(secret: "whsec_old", timestamp: now, body: body)
        #expect(
            try TimestampedSignature.verify(header: signed, body: body, secrets: ["whsec_new", "whsec_old"], now: now)
                == 1)
        let twoValues = "t=\(now),v1=\(String(repeating: "0", count: 64)),v0=ignored,v1=\(knownDigest)"
        #expect(try TimestampedSignature.verify(header: twoValues, body: body, secrets: ["whsec_test"], now: now) == 0)
    }

    @Test func timestampedSchemeRejectsMissingAndMalformedHeaders() {
        #expect(throws: WebhookSignatureError("The signature header is missing.")) {
            try TimestampedSignature.verify(header: nil, body: body, secrets: ["whsec_test"], now: now)
        }
        for malformed in ["garbage", "v1=\(knownDigest)", "t=\(now)", "t=abc,v1=\(knownDigest)", "t=\(now),v1=zz"] {
            #expect(throws: WebhookSignatureError.self) {
                try TimestampedSignature.verify(header: malformed, body: body, secrets: ["whsec_test"], now: now)
            }
        }
    }

    @Test func extremeTimestampsAreRejectedWithoutOverflow() {
        for t in [Int64.min, Int64.max, Int64.min + 1] {
            #expect(throws: WebhookSignatureError.self) {
                try TimestampedSignature.verify(
                    header: "t=\(t),v1=\(knownDigest)", body: body, secrets: ["whsec_test"], now: now)
            }
        }
    }

    @Test func razorpaySchemeMatchesTheKnownVectorAndRotation() throws {
        let body = Array(#"{"event":"payment.captured"}"#.utf8)
        let digest = "e06c9b7e33d38f47008efdf70c03b31a2120e249976ff6d004a4a00b52acae66"
        #expect(BodySignature.header(secret: "rzp_webhook_secret", body: body) == digest)
        #expect(try BodySignature.verify(header: digest, body: body, secrets: ["rzp_webhook_secret"]) == 0)
        #expect(try BodySignature.verify(header: digest, body: body, secrets: ["new", "rzp_webhook_secret"]) == 1)
        #expect(throws: WebhookSignatureError.self) {
            try BodySignature.verify(header: digest, body: body + [32], secrets: ["rzp_webhook_secret"])
        }
        #expect(throws: WebhookSignatureError.self) {
            try BodySignature.verify(header: digest, body: body, secrets: ["wrong"])
        }
        #expect(throws: WebhookSignatureError("The signature header is missing.")) {
            try BodySignature.verify(header: nil, body: body, secrets: ["rzp_webhook_secret"])
        }
        #expect(throws: WebhookSignatureError.self) {
            try BodySignature.verify(header: "t=1,v1=\(digest)", body: body, secrets: ["rzp_webhook_secret"])
        }
    }
}
