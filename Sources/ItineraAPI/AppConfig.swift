import Foundation

/// Settings read from the environment once per process.
public struct AppConfig: Sendable {
    /// libpq URI or conninfo of the database (`DATABASE_URL`).
    public var databaseURL: String
    /// Largest request body the app reads (`ITINERA_MAX_BODY_BYTES`, default 1 MiB).
    public var maxBodyBytes: Int
    /// Enables `/api/_test/*`, routes that exist for the integration tests only (`ITINERA_TEST_ROUTES=1`).
    public var testRoutes: Bool

    public init(databaseURL: String, maxBodyBytes: Int = 1 << 20, testRoutes: Bool = false) {
        self.databaseURL = databaseURL
        self.maxBodyBytes = maxBodyBytes
        self.testRoutes = testRoutes
    }

    /// The configuration from `environment`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> AppConfig
    {
        AppConfig(
            databaseURL: environment["DATABASE_URL"] ?? "postgresql:///itinera",
            maxBodyBytes: environment["ITINERA_MAX_BODY_BYTES"].flatMap(Int.init).map { max(0, $0) } ?? 1 << 20,
            testRoutes: environment["ITINERA_TEST_ROUTES"] == "1")
    }
}
