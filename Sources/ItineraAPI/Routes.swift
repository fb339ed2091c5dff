import ItineraHTTP

/// The API's route table, top to bottom: method, path, who may call it, handler.
public enum Routes {
    public typealias Handler = @Sendable (RequestScope) throws -> Response

    public static func make(_ config: AppConfig) -> Router<AppContext> {
        var table = Table()
        table.add("GET", "/api/health", .everyone, HealthHandlers.health)
        table.add("GET", "/api/metrics", .everyone, HealthHandlers.metrics)

        table.add("POST", "/api/auth/login", .everyone, AuthHandlers.login)
        table.add("POST", "/api/auth/logout", .signedIn, AuthHandlers.logout)
        table.add("GET", "/api/auth/me", .signedIn, AuthHandlers.me)
        table.add("POST", "/api/auth/team", .signedIn, AuthHandlers.switchTeam)
        table.add("GET", "/api/auth/tokens", .signedIn, TokenHandlers.list)
        table.add("POST", "/api/auth/tokens", .signedIn, TokenHandlers.create)
        table.add("DELETE", "/api/auth/tokens/{id}", .signedIn, TokenHandlers.revoke)

        table.add("POST", "/api/partner/verify", .partner(action: nil), PartnerHandlers.verify)

        if config.testRoutes {
            table.add("POST", "/api/_test/echo", .everyone, TestHandlers.echo)
            table.add("GET", "/api/_test/sleep", .everyone, TestHandlers.sleep)
        }
        return table.router
    }

    /// Wraps each handler with the access check of its route.
    struct Table {
        var router = Router<AppContext>()

        mutating func add(_ method: String, _ pattern: String, _ access: Access, _ handler: @escaping Handler) {
            router.add(method, pattern) { request, context in
                let principal = try Authenticator.authorize(request, access, context)
                return try handler(RequestScope(request: request, context: context, principal: principal))
            }
        }
    }
}
