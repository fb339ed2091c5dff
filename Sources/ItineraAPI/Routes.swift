import ItineraHTTP

/// The API's route table, top to bottom.
public enum Routes {
    public static func make(_ config: AppConfig) -> Router<AppContext> {
        var router = Router<AppContext>()
        router.get("/api/health", HealthHandlers.health)
        router.get("/api/metrics", HealthHandlers.metrics)
        if config.testRoutes {
            router.post("/api/_test/echo", TestHandlers.echo)
            router.get("/api/_test/sleep", TestHandlers.sleep)
        }
        return router
    }
}
