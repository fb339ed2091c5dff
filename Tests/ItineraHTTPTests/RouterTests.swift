import Testing

@testable import ItineraHTTP

@Suite struct RouterTests {
    let router: Router<Void> = {
        var router = Router<Void>()
        router.get("/api/bookings") { _, _ in Response(status: 200) }
        router.post("/api/bookings") { _, _ in Response(status: 201) }
        router.get("/api/bookings/{id}") { request, _ in
            Response(status: 200, body: Array((request.pathParameters["id"] ?? "").utf8))
        }
        router.delete("/api/bookings/{id}/items/{itemId}") { _, _ in Response(status: 204) }
        return router
    }()

    @Test func matchesLiteralRouteByMethod() throws {
        guard case .found(let route, let parameters) = router.match(method: "POST", path: "/api/bookings") else {
            Issue.record("POST /api/bookings did not match")
            return
        }
        #expect(route.pattern == "/api/bookings")
        #expect(route.method == "POST")
        #expect(parameters.isEmpty)
    }

    @Test func capturesAndDecodesPathParameters() {
        guard case .found(_, let parameters) = router.match(method: "DELETE", path: "/api/bookings/abc%20d/items/7")
        else {
            Issue.record("no match")
            return
        }
        #expect(parameters == ["id": "abc d", "itemId": "7"])
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = router.match(method: "GET", path: "/api/nope") else {
            Issue.record("expected notFound")
            return
        }
        guard case .notFound = router.match(method: "GET", path: "/api/bookings/1/extra") else {
            Issue.record("a longer path must not match a shorter pattern")
            return
        }
    }

    @Test func wrongMethodListsAllowedMethods() {
        guard case .methodNotAllowed(let allowed) = router.match(method: "PATCH", path: "/api/bookings") else {
            Issue.record("expected methodNotAllowed")
            return
        }
        #expect(allowed == ["GET", "POST", "HEAD"])
    }

    @Test func headIsAnsweredByGetRoutes() {
        guard case .found(let route, _) = router.match(method: "HEAD", path: "/api/bookings/9") else {
            Issue.record("HEAD should use the GET route")
            return
        }
        #expect(route.method == "GET")
    }

    @Test func trailingAndRepeatedSlashesAreIgnored() {
        guard case .found = router.match(method: "GET", path: "/api//bookings/") else {
            Issue.record("expected a match")
            return
        }
    }

    @Test func routeIndexesFollowTableOrder() {
        #expect(router.routes.map(\.index) == [0, 1, 2, 3])
        #expect(
            router.routes.map(\.pattern) == [
                "/api/bookings", "/api/bookings", "/api/bookings/{id}", "/api/bookings/{id}/items/{itemId}",
            ])
    }
}

@Suite struct RouterSpecificityTests {
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
