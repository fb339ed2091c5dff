/// What `itinera migrate` would do: decided from the files and the `schema_migrations` rows, no I/O.
public struct MigrationPlan: Equatable, Sendable {
    /// A row of `schema_migrations`.
    public struct Applied: Equatable, Sendable {
        public let version: Int
        public let name: String
        public let sha256: String
        public let appliedAt: String

        public init(version: Int, name: String, sha256: String, appliedAt: String) {
            self.version = version
            self.name = name
            self.sha256 = sha256
            self.appliedAt = appliedAt
        }
    }

    public let applied: [Applied]
    public let pending: [Migration]

    /// Compares files with applied rows. Refuses when an applied file changed or disappeared, or
    /// when a new file sorts before an applied one (it would run out of order on some databases).
    public init(files: [Migration], applied: [Applied]) throws {
        let byVersion = Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0) })
        for row in applied {
            guard let file = byVersion[row.version] else {
                throw StoreError(
                    .migration, message: "migration \(row.version) (\(row.name)) is applied but its file is missing",
                    context: "planning migrations")
            }
            guard file.sha256 == row.sha256 else {
                throw StoreError(
                    .migration,
                    message: "migration \(row.version) (\(row.name)) was changed after it was applied "
                        + "(checksum \(row.sha256.prefix(12))… is now \(file.sha256.prefix(12))…); "
                        + "add a new migration instead of editing an applied one",
                    context: "planning migrations")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let newest = applied.map(\.version).max() ?? 0
        let pending = files.filter { !appliedVersions.contains($0.version) }
        if let early = pending.first(where: { $0.version < newest }) {
            throw StoreError(
                .migration,
                message: "migration \(early.version) (\(early.name)) is older than the applied \(newest)",
                context: "planning migrations")
        }
        self.applied = applied.sorted { $0.version < $1.version }
        self.pending = pending
    }
}
