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
    }
}
