/// One route table: method + path pattern → handler. Patterns are literal segments and
/// `{name}` parameters, e.g. `/api/bookings/{id}/items`.
public struct Router<Context>: Sendable {
    public typealias Handler = @Sendable (Request, Context) throws -> Response

    /// A registered route; `index` is its position in the table (used to label metrics).
    public struct Route: Sendable {
        public let index: Int
        public let method: String
        public let pattern: String
        let handler: Handler
    }

    /// What routing a request found.
    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    public private(set) var routes: [Route] = []
    private var index = RouteIndex()

    public init() {}

    /// Adds a route; patterns must start with `/`.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /: \(pattern)")
        index.add(RouteIndex.Entry(route: routes.count, method: method, path: PathPattern(pattern)))
        routes.append(Route(index: routes.count, method: method, pattern: pattern, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add("GET", pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add("POST", pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add("PUT", pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: @escaping Handler) { add("PATCH", pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add("DELETE", pattern, handler) }

    /// Finds the route for `method` and `path` (percent-encoded; parameters come back decoded).
    /// `HEAD` is answered by `GET` routes. A path that fits a route with more literal segments is
    /// that route's: another method there is a 405, not a match of a `{parameter}` route.
    public func match(method: String, path: String) -> Match {
        switch index.lookup(method: method, path: path) {
        case .found(let route, let parameters): .found(routes[route], parameters: parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }
}
