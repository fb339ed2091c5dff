import Foundation
import ItineraCrypto
import Testing

@testable import ItineraStore

@Suite struct MigrationTests {
    private func applied(_ migration: Migration) -> MigrationPlan.Applied {
        .init(version: migration.version, name: migration.name, sha256: migration.sha256, appliedAt: "")
    }

    @Test func parsesFileNames() {
        #expect(Migration.parse(fileName: "0001_platform.sql")! == (1, "platform"))
        #expect(Migration.parse(fileName: "0123_add_payments.sql")! == (123, "add_payments"))
        #expect(Migration.parse(fileName: "1_short.sql") == nil)
        #expect(Migration.parse(fileName: "0002-dash.sql") == nil)
        #expect(Migration.parse(fileName: "0002_.sql") == nil)
        #expect(Migration.parse(fileName: "0000_zero.sql") == nil)
        #expect(Migration.parse(fileName: "0003_spa ce.sql") == nil)
    }

    @Test func ordersByVersionAndRefusesDuplicates() throws {
        let files = [
            Migration(version: 10, name: "c", sql: "c"), Migration(version: 2, name: "b", sql: "b"),
            Migration(version: 1, name: "a", sql: "a"),
        ]
        #expect(try Migration.ordered(files).map(\.version) == [1, 2, 10])
        #expect(throws: StoreError.self) {
            try Migration.ordered(files + [Migration(version: 2, name: "again", sql: "x")])
        }
    }

    @Test func pendingAreTheUnappliedInOrder() throws {
        let files = (1...4).map { Migration(version: $0, name: "m\($0)", sql: "SELECT \($0);") }
        let plan = try MigrationPlan(files: files, applied: files.prefix(2).map(applied))
        #expect(plan.pending.map(\.version) == [3, 4])
        #expect(plan.applied.map(\.version) == [1, 2])
    }

    @Test func refusesWhenAnAppliedFileChanged() {
        let original = Migration(version: 1, name: "platform", sql: "CREATE TABLE a ();")
        let edited = Migration(version: 1, name: "platform", sql: "CREATE TABLE a (id int);")
        #expect {
            try MigrationPlan(files: [edited], applied: [applied(original)])
        } throws: { error in
            (error as? StoreError)?.kind == .migration
                && (error as? StoreError)?.message.contains("was changed after it was applied") == true
        }
    }

    @Test func refusesWhenAnAppliedFileIsMissingOrANewOneIsOlder() {
        let one = Migration(version: 1, name: "a", sql: "a")
        let three = Migration(version: 3, name: "c", sql: "c")
        #expect(throws: StoreError.self) { try MigrationPlan(files: [three], applied: [applied(one), applied(three)]) }
        let two = Migration(version: 2, name: "b", sql: "b")
        #expect(throws: StoreError.self) {
            try MigrationPlan(files: [one, two, three], applied: [applied(one), applied(three)])
        }
    }

    @Test func sha256MatchesTheKnownVector() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func requiredSchemaVersionIsTheNewestMigrationFile() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations").path
        let files = try Migration.load(from: folder)
        #expect(files.last?.version == Schema.requiredVersion)
    }
}
