import ItineraHTTP
import ItineraPayments
import ItineraStore

/// What every handler can reach: the process's database connection, configuration, metrics and
/// payment providers.
public final class AppContext: @unchecked Sendable {
    public let config: AppConfig
    public let database: Database
    public let metrics: PoolMetrics
    /// The payment providers configured in the environment.
    public let payments: PaymentProviders

    public init(
        config: AppConfig, database: Database, metrics: PoolMetrics,
        payments: PaymentProviders = .fromEnvironment()
    ) {
        self.config = config
        self.payments = payments
        self.database = database
        self.metrics = metrics
    }
}
