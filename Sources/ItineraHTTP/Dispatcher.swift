import Foundation

/// Turns a request into a response: routing, the handler, the error envelope, the log line
/// and the metrics. The same for FastCGI and CGI.
public struct Dispatcher<Context>: Sendable {
    public let router: Router<Context>
    public let metrics: PoolMetrics

    public init(router: Router<Context>, metrics: PoolMetrics) {
        self.router = router
        self.metrics = metrics
    }

    /// Answers `request`; `rejection` is an error found before the request could be read in full
    /// (a body over the limit), answered without calling any handler.
    public func respond(to request: Request, context: Context, rejection: APIError? = nil) -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        var routeIndex: Int?
        var routePattern: String?
        var failure: String?
        var response: Response
        if let rejection {
            response = Envelope.failure(rejection, requestId: request.requestId)
        } else {
            switch router.match(method: request.method, path: request.path) {
            case .found(let route, let parameters):
                routeIndex = route.index
                routePattern = route.pattern
                var bound = request
                bound.pathParameters = parameters
                do {
                    response = try route.handler(bound, context)
                } catch let error as APIErrorConvertible {
                    let apiError = error.apiError
                    // A server-side failure is logged with its cause; the client sees only the envelope.
                    if apiError.status >= 500 { failure = String(describing: error) }
                    response = Envelope.failure(apiError, requestId: request.requestId)
                } catch {
                    failure = String(describing: error)
                    response = Envelope.failure(.internalError, requestId: request.requestId)
                }
            case .methodNotAllowed(let allowed):
                response = Envelope.failure(.methodNotAllowed(allowed: allowed), requestId: request.requestId)
            case .notFound:
                response = Envelope.failure(.notFound("No route for \(request.path)."), requestId: request.requestId)
            }
        }
        if request.method == "HEAD" { response.body = [] }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        metrics.record(route: routeIndex, status: response.status, seconds: seconds)
        log(request, routePattern, response.status, seconds, failure)
        return response
    }

    private func log(_ request: Request, _ route: String?, _ status: Int, _ seconds: Double, _ failure: String?) {
        var fields: [(key: String, value: JSONValue)] = [
            ("level", .string(status >= 500 ? "error" : "info")),
            ("requestId", .string(request.requestId)),
            ("method", .string(request.method)),
            ("path", .string(request.path)),
            ("status", .integer(Int64(status))),
            ("durationMs", .number((seconds * 1_000_000).rounded() / 1000)),
        ]
        if let route { fields.append(("route", .string(route))) }
        if let failure { fields.append(("error", .string(failure))) }
        RequestLog.write(fields)
    }
}
