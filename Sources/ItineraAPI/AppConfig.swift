import Foundation

/// Settings read from the environment once per process.
public struct AppConfig: Sendable {
    /// libpq URI or conninfo the workers use (`DATABASE_URL`): the `itinera_app` role, which owns
    /// nothing, so row-level security applies to every query.
    public var databaseURL: String
    /// The table owner's URI (`DATABASE_OWNER_URL`, default `DATABASE_URL`): migrations, seed, CLI.
    public var ownerDatabaseURL: String
    /// Largest request body the app reads (`ITINERA_MAX_BODY_BYTES`, default 1 MiB).
    public var maxBodyBytes: Int
    /// Largest file upload (`ITINERA_MAX_UPLOAD_BYTES`, default 20 MiB; nginx allows 25 MB).
    public var maxUploadBytes: Int = 20 << 20
    /// Where uploaded files are kept (`ITINERA_UPLOAD_DIR`, default `var/uploads`).
    public var uploadDirectory: String = "var/uploads"
    /// Enables `/api/_test/*`, routes that exist for the integration tests only (`ITINERA_TEST_ROUTES=1`).
    public var testRoutes: Bool
    /// A session ends this long after login, whatever happens (`ITINERA_SESSION_HOURS`, default 12).
    public var sessionLifetime: TimeInterval
    /// …or after this long without a request (`ITINERA_SESSION_IDLE_MINUTES`, default 60).
    public var sessionIdleTimeout: TimeInterval
    /// The origins browsers use to reach the portal (`ITINERA_PUBLIC_ORIGIN`, comma-separated), for the
    /// CSRF origin check behind a proxy; empty: derived from `Host` and the server port.
    public var publicOrigins: [String] = []
    /// The API description served at `/api/openapi.yaml` (`ITINERA_OPENAPI_FILE`, default `docs/openapi.yaml`).
    public var openAPIFile = "docs/openapi.yaml"

    public init(
        databaseURL: String, ownerDatabaseURL: String? = nil, maxBodyBytes: Int = 1 << 20, testRoutes: Bool = false,
        sessionLifetime: TimeInterval = 12 * 3600, sessionIdleTimeout: TimeInterval = 3600
    ) {
        self.databaseURL = databaseURL
        self.ownerDatabaseURL = ownerDatabaseURL ?? databaseURL
        self.maxBodyBytes = maxBodyBytes
        self.testRoutes = testRoutes
        self.sessionLifetime = sessionLifetime
        self.sessionIdleTimeout = sessionIdleTimeout
    }

    /// The configuration from `environment`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> AppConfig
    {
        let url = environment["DATABASE_URL"] ?? "postgresql:///itinera"
        func positive(_ name: String) -> Double? {
            environment[name].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
        }
        var config = AppConfig(
            databaseURL: url,
            ownerDatabaseURL: environment["DATABASE_OWNER_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? url,
            maxBodyBytes: environment["ITINERA_MAX_BODY_BYTES"].flatMap(Int.init).map { max(0, $0) } ?? 1 << 20,
            testRoutes: environment["ITINERA_TEST_ROUTES"] == "1",
            sessionLifetime: (positive("ITINERA_SESSION_HOURS") ?? 12) * 3600,
            sessionIdleTimeout: (positive("ITINERA_SESSION_IDLE_MINUTES") ?? 60) * 60)
        if let bytes = environment["ITINERA_MAX_UPLOAD_BYTES"].flatMap(Int.init), bytes > 0 {
            config.maxUploadBytes = bytes
        }
        if let directory = environment["ITINERA_UPLOAD_DIR"], !directory.isEmpty { config.uploadDirectory = directory }
        if let file = environment["ITINERA_OPENAPI_FILE"], !file.isEmpty { config.openAPIFile = file }
        config.publicOrigins = (environment["ITINERA_PUBLIC_ORIGIN"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        return config
    }
}
