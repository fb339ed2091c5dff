import Foundation
import Testing

@testable import ItineraStore

/// Runs against a real PostgreSQL: the integration suite sets `ITINERA_TEST_DATABASE_URL` to its
/// migrated test cluster and runs these (`swift test --filter DatabaseTests`); a plain `swift test`
/// without a database skips them.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["ITINERA_TEST_DATABASE_URL"] != nil, "needs a test database"))
struct DatabaseTests {
    let url = ProcessInfo.processInfo.environment["ITINERA_TEST_DATABASE_URL"] ?? ""

    private func scratchTable(_ name: String) throws -> PostgresConnection {
        let admin = try PostgresConnection(url: url)
        try admin.execute(
            script: """
                CREATE SCHEMA IF NOT EXISTS store_tests;
                DROP TABLE IF EXISTS store_tests.\(name);
                CREATE TABLE store_tests.\(name) (k integer PRIMARY KEY, v text NOT NULL);
                """, context: "creating a scratch table")
        return admin
    }

    @Test func parametersAreBoundNeverSpliced() throws {
        let admin = try scratchTable("bound")
        let hostile = "x'); DROP TABLE store_tests.bound; --"
        try admin.query("INSERT INTO store_tests.bound (k, v) VALUES ($1, $2)", [1, hostile], context: "insert")
        let back = try admin.query("SELECT v FROM store_tests.bound WHERE k = $1", [1], context: "select")
        #expect(back.first("v") == hostile)
        let elements = ["a,b", "q\"uote", "back\\slash", "{brace}", ""]
        let array = try admin.query(
            "SELECT array_length($1::text[], 1) AS n, ($1::text[])[2] AS second, ($1::text[])[3] AS third",
            [elements], context: "array")
        #expect(array.first("n") == "5")
        #expect(array.first("second") == elements[1])
        #expect(array.first("third") == elements[2])
        #expect(throws: StoreError.self) {
            try admin.query("SELECT $1::text", ["nul\u{0}byte"], context: "nul")
        }
    }

    @Test func aFailedTransactionLeavesNothingBehind() throws {
        let admin = try scratchTable("atomic")
        let database = Database(url: url)
        #expect(throws: StoreError.self) {
            try database.transaction { connection in
                try connection.query("INSERT INTO store_tests.atomic VALUES (1, 'first')", context: "insert")
                try connection.query("INSERT INTO store_tests.atomic VALUES (1, 'duplicate')", context: "insert")
            }
        }
        let count = try admin.query("SELECT count(*) AS n FROM store_tests.atomic", context: "count")
        #expect(count.first("n") == "0")
        _ = try database.transaction { connection in
            try connection.query("INSERT INTO store_tests.atomic VALUES (2, 'kept')", context: "insert")
        }
        #expect(try admin.query("SELECT v FROM store_tests.atomic", context: "read").first("v") == "kept")
    }

    @Test func serializationFailuresAreRetried() throws {
        let admin = try scratchTable("serial")
        try admin.query("INSERT INTO store_tests.serial VALUES (1, '0')", context: "seed")
        let database = Database(url: url)
        var attempts = 0
        try database.transaction { connection in
            attempts += 1
            try connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", context: "isolation")
            let current = try connection.query("SELECT v FROM store_tests.serial WHERE k = 1", context: "read")
            if attempts == 1 {
                // Another session changes the row after this snapshot was taken: the update below
                // must fail with 40001 and the whole body run again.
                try admin.query("UPDATE store_tests.serial SET v = '10' WHERE k = 1", context: "interfere")
            }
            let next = String((Int(current.first("v") ?? "0") ?? 0) + 1)
            try connection.query("UPDATE store_tests.serial SET v = $1 WHERE k = 1", [next], context: "write")
        }
        #expect(attempts == 2)
        #expect(try admin.query("SELECT v FROM store_tests.serial", context: "read").first("v") == "11")
    }

    @Test func aConnectionKilledBetweenRequestsIsReplaced() throws {
        let admin = try PostgresConnection(url: url)
        let database = Database(url: url)
        let pid = try database.withConnection { try $0.query("SELECT pg_backend_pid() AS pid", context: "pid") }
        try admin.query("SELECT pg_terminate_backend($1::int)", [pid.first("pid")!], context: "terminate")
        usleep(100_000)
        let again = try database.withConnection { try $0.query("SELECT pg_backend_pid() AS pid", context: "pid") }
        #expect(again.first("pid") != pid.first("pid"))
    }

    @Test func aSchemaOlderThanTheBuildIsRefused() throws {
        let database = Database(url: url, requiredSchemaVersion: 9_999)
        #expect {
            try database.withConnection { _ in }
        } throws: { error in
            guard case .schemaOutdated(_, let required) = (error as? StoreError)?.kind else { return false }
            return required == 9_999
        }
    }

    @Test func anUnreachableServerFailsFast() throws {
        let database = Database(url: "postgresql://nobody@/itinera?host=/nonexistent-dir")
        let started = Date()
        #expect(throws: StoreError.self) { try database.withConnection { _ in } }
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func queuedStatementsRunInOrderAndTheirFailureFailsTheTransaction() throws {
        let admin = try scratchTable("queued")
        let database = Database(url: url)
        let seen = try database.transaction { connection -> String? in
            connection.queue(("INSERT INTO store_tests.queued VALUES ($1, $2)", [1, "queued"]), context: "queue")
            return try connection.query("SELECT v FROM store_tests.queued WHERE k = 1", context: "read").first("v")
        }
        #expect(seen == "queued")
        #expect {
            try database.transaction { connection in
                try connection.query("INSERT INTO store_tests.queued VALUES (2, 'first')", context: "insert")
                connection.queue(("INSERT INTO store_tests.queued VALUES (1, 'duplicate')", []), context: "queued dup")
            }
        } throws: { error in
            (error as? StoreError)?.context == "queued dup" && (error as? StoreError)?.isUniqueViolation == true
        }
        let rows = try admin.query("SELECT string_agg(v, ',' ORDER BY k) AS v FROM store_tests.queued", context: "all")
        #expect(rows.first("v") == "queued")
        // A queued statement of a transaction that fails otherwise is never sent.
        #expect(throws: StoreError.self) {
            try database.transaction { connection in
                connection.queue(("INSERT INTO store_tests.queued VALUES (3, 'never')", []), context: "queue")
                throw StoreError(.query, message: "the body gave up", context: "test")
            }
        }
        #expect(try admin.query("SELECT count(*) AS n FROM store_tests.queued", context: "count").first("n") == "1")
    }

    @Test func notificationsAskedForAreSentAfterCommitOnly() throws {
        let listener = try PostgresConnection(url: url)
        try listener.query("LISTEN store_tests_wake", context: "listen")
        let database = Database(url: url)
        #expect(throws: StoreError.self) {
            try database.transaction { connection in
                connection.notifyAfterCommit(channel: "store_tests_wake", payload: "rolled back")
                throw StoreError(.query, message: "the body gave up", context: "test")
            }
        }
        #expect(try listener.waitForNotifications(milliseconds: 300) == 0)
        try database.transaction { connection in
            connection.notifyAfterCommit(channel: "store_tests_wake", payload: "committed")
            connection.notifyAfterCommit(channel: "store_tests_wake", payload: "committed")
        }
        #expect(try listener.waitForNotifications(milliseconds: 2000) == 1)
    }

    @Test func aLastReadSentWithCommitCommitsOnlyIfItSucceeds() throws {
        let admin = try scratchTable("last_read")
        let database = Database(url: url)
        let seen = try database.transaction { connection -> String? in
            connection.queue(("INSERT INTO store_tests.last_read VALUES (1, 'kept')", []), context: "queue")
            let last = try connection.commit(
                after: ("SELECT v FROM store_tests.last_read WHERE k = $1", [1]), context: "last read")
            #expect(!connection.isInTransaction)
            return last.first("v")
        }
        #expect(seen == "kept")
        #expect(throws: StoreError.self) {
            try database.transaction { connection in
                try connection.query("INSERT INTO store_tests.last_read VALUES (2, 'lost')", context: "insert")
                _ = try connection.commit(after: ("SELECT 1 / $1 AS n", [0]), context: "failing last read")
            }
        }
        let rows = try admin.query(
            "SELECT string_agg(v, ',' ORDER BY k) AS v FROM store_tests.last_read", context: "all")
        #expect(rows.first("v") == "kept")
        // The connection is usable again: the failed transaction was rolled back.
        try database.transaction { connection in
            try connection.query("INSERT INTO store_tests.last_read VALUES (3, 'after')", context: "insert")
        }
        #expect(try admin.query("SELECT count(*) AS n FROM store_tests.last_read", context: "count").first("n") == "2")
    }

    @Test func aNulInABatchSendsNothingAndKeepsTheConnection() throws {
        let admin = try scratchTable("nul_batch")
        let database = Database(url: url)
        #expect {
            try database.transaction { connection in
                connection.queue(("INSERT INTO store_tests.nul_batch VALUES (1, 'queued')", []), context: "queue")
                try connection.query("SELECT $1::text", ["nul\u{0}byte"], context: "nul")
            }
        } throws: { error in
            (error as? StoreError)?.sqlState == "22021"
        }
        try database.transaction { connection in
            try connection.query("INSERT INTO store_tests.nul_batch VALUES (2, 'after')", context: "insert")
            #expect(try connection.query("SELECT 1 AS one", context: "read").first("one") == "1")
        }
        let rows = try admin.query(
            "SELECT string_agg(v, ',' ORDER BY k) AS v FROM store_tests.nul_batch", context: "all")
        #expect(rows.first("v") == "after")
    }
}
