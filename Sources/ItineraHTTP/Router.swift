/// One route table: method + path pattern → handler. Patterns are literal segments and
/// `{name}` parameters, e.g. `/api/bookings/{id}/items`.
public struct Router<Context>: Sendable {
    public typealias Handler = @Sendable (Request, Context) throws -> Response

    /// A registered route; `index` is its position in the table (used to label metrics).
    public struct Route: Sendable {
        public let index: Int
        public let method: String
        public let pattern: String
        let segments: [Segment]
        let handler: Handler
        /// How many of its segments are literal: of the routes a path fits, only the most literal
        /// ones count, so `/api/payments/webhook` is never taken for `/api/payments/{id}`.
        let literals: Int
    }

    enum Segment: Equatable, Sendable {
        case literal(String)
        case parameter(String)
    }

    /// What routing a request found.
    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    public private(set) var routes: [Route] = []
    /// `routes`, most literal first (in table order among equals): the order `match` tries them in.
    private var bySpecificity: [Route] = []

    public init() {}

    /// Adds a route; patterns must start with `/`.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /: \(pattern)")
        let segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        let route = Route(
            index: routes.count, method: method, pattern: pattern, segments: segments, handler: handler,
            literals: segments.count { if case .literal = $0 { true } else { false } })
        routes.append(route)
        let position = bySpecificity.firstIndex { $0.literals < route.literals } ?? bySpecificity.endIndex
        bySpecificity.insert(route, at: position)
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
        let parts = Self.split(path)
        var allowed: [String] = []
        var fitted: Int?
        for route in bySpecificity {
            if let fitted, route.literals < fitted { break }
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            fitted = route.literals
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, parameters: parameters)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if allowed.contains("GET"), !allowed.contains("HEAD") { allowed.append("HEAD") }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func bind(_ segments: [Segment], to parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                parameters[name] = FormEncoding.percentDecode(String(part))
            }
        }
        return parameters
    }
}
