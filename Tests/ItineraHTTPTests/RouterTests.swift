import Testing

@testable import ItineraHTTP

@Suite struct RouterTests {
    private func router() -> Router<Void> {
        var router = Router<Void>()
        router.get("/api/payments/{id}") { _, _ in .text("payment") }
        router.post("/api/payments/webhook") { _, _ in .text("webhook") }
        router.post("/api/payments/create-intent") { _, _ in .text("intent") }
        router.get("/api/bookings/{id}") { _, _ in .text("booking") }
        router.patch("/api/bookings/{id}") { _, _ in .text("edit") }
        return router
    }

    private func found(_ match: Router<Void>.Match) -> (String, [String: String])? {
        if case .found(let route, let parameters) = match { return (route.pattern, parameters) }
        return nil
    }

    @Test func parametersBindDecoded() {
        let match = found(router().match(method: "GET", path: "/api/bookings/a%20b"))
        #expect(match?.0 == "/api/bookings/{id}" && match?.1 == ["id": "a b"])
        #expect(found(router().match(method: "HEAD", path: "/api/payments/p1"))?.0 == "/api/payments/{id}")
    }

    @Test func aLiteralRouteOwnsItsPathForEveryMethod() {
        #expect(found(router().match(method: "POST", path: "/api/payments/webhook"))?.0 == "/api/payments/webhook")
        guard case .methodNotAllowed(let allowed) = router().match(method: "GET", path: "/api/payments/webhook") else {
            Issue.record("GET on the webhook path must not be taken for a payment id")
            return
        }
        #expect(allowed == ["POST"])
        guard case .methodNotAllowed(let other) = router().match(method: "PUT", path: "/api/payments/create-intent")
        else {
            Issue.record("PUT on create-intent must be a 405")
            return
        }
        #expect(other == ["POST"])
    }

    @Test func otherMethodsOfAParameterRouteAreListed() {
        guard case .methodNotAllowed(let allowed) = router().match(method: "DELETE", path: "/api/bookings/b1") else {
            Issue.record("DELETE on a booking must be a 405")
            return
        }
        #expect(allowed == ["GET", "PATCH", "HEAD"])
        guard case .notFound = router().match(method: "GET", path: "/api/bookings") else {
            Issue.record("a path no route fits is a 404")
            return
        }
    }
}
