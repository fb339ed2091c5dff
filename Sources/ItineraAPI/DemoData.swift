import Foundation
import ItineraStore

/// The demo teams and logins `make run` seeds: one user of each role in "Demo Travel" and an
/// admin of "Other Agency" to show isolation. Demo data only: the password is public.
public enum DemoData {
    public static let password = "itinera-demo"
    public static let demoTravel = UUID(uuidString: "00000000-0000-4000-8000-00000000d001")!
    public static let otherAgency = UUID(uuidString: "00000000-0000-4000-8000-00000000d002")!

    /// (email, name, team, role) of every demo login.
    public static let logins: [(email: String, name: String, team: UUID, role: Role)] = [
        ("admin@demo.test", "Ada Admin", demoTravel, .admin),
        ("staff@demo.test", "Sam Staff", demoTravel, .staff),
        ("supplier@demo.test", "Sol Supplier", demoTravel, .supplier),
        ("customer@demo.test", "Cara Customer", demoTravel, .customer),
        ("admin@other.test", "Otto Other", otherAgency, .admin),
    ]

    /// Creates or refreshes the demo teams and logins, in one transaction.
    public static func seed(_ connection: PostgresConnection) throws {
        let admin = Administration(connection: connection)
        try connection.query("BEGIN", context: "seeding")
        do {
            try admin.createTeam(name: "Demo Travel", id: demoTravel)
            try admin.createTeam(name: "Other Agency", id: otherAgency)
            for login in logins {
                let user = try admin.upsertUser(email: login.email, name: login.name, password: password)
                try admin.setMembership(user: user, team: login.team, role: login.role)
            }
            try connection.query("COMMIT", context: "seeding")
        } catch {
            _ = try? connection.query("ROLLBACK", context: "seeding")
            throw error
        }
    }
}
