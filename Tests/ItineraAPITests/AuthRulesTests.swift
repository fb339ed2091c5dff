import Testing

@testable import ItineraAPI
@testable import ItineraHTTP

@Suite struct AuthRulesTests {
    let body = Array(#"{"bookingId":"b1"}"#.utf8)

    private func headers(key: String = "pk_testkey01", timestamp: Int64, signature: String) -> Headers {
        Headers([
            ("X-Itinera-Key", key), ("X-Itinera-Timestamp", String(timestamp)), ("X-Itinera-Signature", signature),
        ])
    }

    @Test func partnerSignatureAcceptsAnyActiveSecret() throws {
        let now: Int64 = 1_800_000_000
        let signature = PartnerSignature.sign(secret: "new-secret", timestamp: now, body: body)
        let parsed = try PartnerSignature(headers: headers(timestamp: now, signature: "v1=\(signature)"))
        try parsed.verify(body: body, secrets: ["old-secret", "new-secret"], now: now + 299)
        #expect(throws: APIError.self) { try parsed.verify(body: body, secrets: ["old-secret"], now: now) }
        #expect(throws: APIError.self) { try parsed.verify(body: body + [32], secrets: ["new-secret"], now: now) }
        #expect(throws: APIError.self) { try parsed.verify(body: body, secrets: ["new-secret"], now: now + 301) }
        #expect(throws: APIError.self) { try parsed.verify(body: body, secrets: ["new-secret"], now: now - 301) }
    }

    @Test func partnerSignatureRejectsExtremeTimestampsWithoutOverflow() throws {
        for t in [Int64.min, Int64.max] {
            let parsed = try PartnerSignature(headers: headers(timestamp: t, signature: "v1=00"))
            #expect(throws: APIError.self) { try parsed.verify(body: body, secrets: ["s"], now: 1_800_000_000) }
        }
    }

    @Test func partnerSignatureHeaderMayCarrySeveralValues() throws {
        let now: Int64 = 1_800_000_000
        let good = PartnerSignature.sign(secret: "s", timestamp: now, body: body)
        let parsed = try PartnerSignature(headers: headers(timestamp: now, signature: "v0=abc, v1=00ff, v1=\(good)"))
        try parsed.verify(body: body, secrets: ["s"], now: now)
    }

    @Test func malformedPartnerHeadersAre401() {
        for bad in [
            Headers([("X-Itinera-Timestamp", "1"), ("X-Itinera-Signature", "v1=00")]),
            Headers([("X-Itinera-Key", "pk_x"), ("X-Itinera-Timestamp", "soon"), ("X-Itinera-Signature", "v1=00")]),
            Headers([("X-Itinera-Key", "pk_x"), ("X-Itinera-Timestamp", "1"), ("X-Itinera-Signature", "sha256=00")]),
        ] {
            #expect {
                try PartnerSignature(headers: bad)
            } throws: { ($0 as? APIError)?.status == 401 }
        }
    }

    private func request(origin: String?, host: String?, port: Int? = nil, https: Bool = false) -> Request {
        var headers = Headers()
        if let origin { headers.add("Origin", origin) }
        if let host { headers.add("Host", host) }
        return Request(method: "POST", path: "/", headers: headers, isHTTPS: https, serverPort: port)
    }

    @Test func originMustNameThisSite() {
        #expect(OriginCheck.originMatches(request(origin: nil, host: "a.test")))
        #expect(OriginCheck.originMatches(request(origin: "http://a.test:8080", host: "a.test:8080")))
        #expect(OriginCheck.originMatches(request(origin: "http://127.0.0.1:8080", host: "127.0.0.1", port: 8080)))
        #expect(OriginCheck.originMatches(request(origin: "https://a.test", host: "a.test", port: 443, https: true)))
        // The scheme counts: a page on https may not post to the plain-http site, nor the reverse.
        #expect(!OriginCheck.originMatches(request(origin: "https://127.0.0.1:8080", host: "127.0.0.1:8080")))
        #expect(!OriginCheck.originMatches(request(origin: "http://a.test:443", host: "a.test:443", https: true)))
        #expect(!OriginCheck.originMatches(request(origin: "http://127.0.0.1:9999", host: "127.0.0.1", port: 8080)))
        #expect(!OriginCheck.originMatches(request(origin: "https://evil.test", host: "a.test", port: 443)))
        #expect(!OriginCheck.originMatches(request(origin: "null", host: "a.test")))
        #expect(
            OriginCheck.originMatches(
                request(origin: "https://portal.example", host: "127.0.0.1", port: 8080),
                publicOrigins: ["https://portal.example"]))
    }

    @Test func csrfIsRequiredOnlyForChanges() throws {
        var get = request(origin: nil, host: "a.test")
        get.method = "GET"
        try OriginCheck.verify(get, csrfToken: "t", publicOrigins: [])
        var post = request(origin: nil, host: "a.test")
        #expect(throws: APIError.csrfFailed("X-CSRF-Token is missing or does not match the session.")) {
            try OriginCheck.verify(post, csrfToken: "t", publicOrigins: [])
        }
        post.headers.add("X-CSRF-Token", "t")
        try OriginCheck.verify(post, csrfToken: "t", publicOrigins: [])
    }

    @Test func sessionCookieAttributes() {
        #expect(
            SessionCookie.set("abc", lifetime: 3600, secure: false)
                == "itinera_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax")
        #expect(SessionCookie.set("abc", lifetime: 60, secure: true).hasSuffix("; Secure"))
        #expect(SessionCookie.clear(secure: false).contains("Max-Age=0"))
    }

    @Test func tokenRolesNeverExceedTheMembersRole() {
        #expect(Role.admin.tokenRoles == Set(Role.allCases))
        #expect(Role.staff.tokenRoles == [.staff])
        #expect(Role.customer.tokenRoles == [.customer])
    }

    @Test func authRoutesAreInTheTable() {
        let patterns = Set(Routes.make(AppConfig(databaseURL: "")).routes.map { "\($0.method) \($0.pattern)" })
        for route in [
            "POST /api/auth/login", "POST /api/auth/logout", "GET /api/auth/me", "POST /api/auth/team",
            "GET /api/auth/tokens", "POST /api/auth/tokens", "DELETE /api/auth/tokens/{id}", "POST /api/partner/verify",
        ] {
            #expect(patterns.contains(route), "\(route)")
        }
    }
}
