import ItineraHTTP
import ItineraStore

/// What every handler can reach: the process's database connection, configuration and metrics.
public final class AppContext: @unchecked Sendable {
    public let config: AppConfig
    public let database: Database
    public let metrics: PoolMetrics

    public init(config: AppConfig, database: Database, metrics: PoolMetrics) {
        self.config = config
        self.database = database
        self.metrics = metrics
    }
}
