/// The route table's patterns arranged for matching, apart from the handlers: not generic over the
/// router's context, so the matching every request goes through runs as specialized code.
struct RouteIndex: Sendable {
    struct Entry: Sendable {
        /// The route's position in its router's table.
        let route: Int
        let method: String
        let path: PathPattern
    }

    enum Lookup {
        case found(route: Int, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Entries by their number of segments (only those can fit a path of as many), each list most
    /// literal first (in table order among equals): the order `lookup` tries them in.
    private var bySegmentCount: [[Entry]] = []

    mutating func add(_ entry: Entry) {
        let count = entry.path.segments.count
        while bySegmentCount.count <= count { bySegmentCount.append([]) }
        let position =
            bySegmentCount[count].firstIndex { $0.path.literals < entry.path.literals }
            ?? bySegmentCount[count].endIndex
        bySegmentCount[count].insert(entry, at: position)
    }

    /// See `Router.match(method:path:)`.
    func lookup(method: String, path: String) -> Lookup {
        let parts = PathPattern.split(path)
        guard parts.count < bySegmentCount.count else { return .notFound }
        var allowed: [String] = []
        var fitted: Int?
        for entry in bySegmentCount[parts.count] {
            if let fitted, entry.path.literals < fitted { break }
            guard let parameters = entry.path.bind(parts) else { continue }
            fitted = entry.path.literals
            if entry.method == method || (method == "HEAD" && entry.method == "GET") {
                return .found(route: entry.route, parameters: parameters)
            }
            if !allowed.contains(entry.method) { allowed.append(entry.method) }
        }
        if allowed.contains("GET"), !allowed.contains("HEAD") { allowed.append("HEAD") }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
