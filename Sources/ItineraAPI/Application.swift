import ItineraHTTP
import ItineraStore

/// The API assembled for one worker process: configuration, route table, metrics, database.
public final class Application {
    public let context: AppContext
    public let dispatcher: Dispatcher<AppContext>

    public init(config: AppConfig) {
        let router = Routes.make(config)
        let metrics = PoolMetrics.forCurrentProcess(routes: router.routes.map { ($0.method, $0.pattern) })
        context = AppContext(config: config, database: Database(url: config.databaseURL), metrics: metrics)
        dispatcher = Dispatcher(router: router, metrics: metrics)
    }

    /// Answers one request (FastCGI and CGI call this).
    public func respond(to request: Request, rejection: APIError?) -> Response {
        dispatcher.respond(to: request, context: context, rejection: rejection)
    }
}
