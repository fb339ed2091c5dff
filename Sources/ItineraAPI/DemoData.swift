import Foundation
import ItineraCore
import ItineraStore

/// The demo teams and logins `make run` seeds: one user of each role in "Demo Travel" and an
/// admin of "Other Agency" to show isolation. Demo data only: the password is public.
public enum DemoData {
    public static let password = "itinera-demo"
    public static let demoTravel = UUID(parsing: "00000000-0000-4000-8000-00000000d001")!
    public static let otherAgency = UUID(parsing: "00000000-0000-4000-8000-00000000d002")!

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
            try connection.execute(script: bookingsSQL, context: "seeding demo bookings")
            try connection.query("COMMIT", context: "seeding")
        } catch {
            connection.rollback(context: "seeding")
            throw error
        }
    }

    /// A customer and a supplier linked to the demo logins, a small catalog, a lead with a draft
    /// quotation and three bookings in different states (one made from the lead), so the portals have
    /// something to show. Fixed ids: seeding twice adds nothing.
    static let bookingsSQL = """
        INSERT INTO customers (id, team_id, name, email, user_id)
        SELECT '00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000d001', 'Cara Customer',
               'customer@demo.test', id FROM users WHERE email = 'customer@demo.test'
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO suppliers (id, team_id, name, kind, email, user_id)
        SELECT '00000000-0000-4000-8000-00000000c002', '00000000-0000-4000-8000-00000000d001', 'Sol Studio',
               'photographer', 'supplier@demo.test', id FROM users WHERE email = 'supplier@demo.test'
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO products (id, team_id, kind, name, origin, destination, city, starts_at, ends_at, price_minor, currency)
        VALUES
          ('00000000-0000-4000-8000-00000000e001', '00000000-0000-4000-8000-00000000d001', 'flight', 'LX 92 Zürich → São Paulo',
           'ZRH', 'GRU', NULL, '2027-03-01T09:00:00Z', '2027-03-01T21:00:00Z', 125000, 'EUR'),
          ('00000000-0000-4000-8000-00000000e002', '00000000-0000-4000-8000-00000000d001', 'hotel', 'Copacabana Palace',
           NULL, NULL, 'Rio de Janeiro', '2027-01-01T00:00:00Z', '2027-12-31T00:00:00Z', 45000, 'EUR'),
          ('00000000-0000-4000-8000-00000000e003', '00000000-0000-4000-8000-00000000d001', 'activity', 'Sugarloaf at sunset',
           NULL, NULL, 'Rio de Janeiro', '2027-03-02T18:00:00Z', NULL, 8000, 'EUR')
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO leads (id, team_id, customer_id, source, notes)
        VALUES ('00000000-0000-4000-8000-00000000a201', '00000000-0000-4000-8000-00000000d001',
                '00000000-0000-4000-8000-00000000c001', 'website', 'Ten days in Brazil in March, two travellers.')
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO quotations (id, team_id, customer_id, lead_id, currency, total_minor)
        VALUES ('00000000-0000-4000-8000-00000000a301', '00000000-0000-4000-8000-00000000d001',
                '00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000a201', 'EUR', 540000)
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO bookings (id, team_id, booking_reference, customer_id, status, currency, total_minor, departure_at)
        VALUES
          ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000d001', 'ITN-DEMO01',
           '00000000-0000-4000-8000-00000000c001', 'booking_created', 'EUR', 385000, '2027-03-01T09:00:00Z'),
          ('00000000-0000-4000-8000-00000000b002', '00000000-0000-4000-8000-00000000d001', 'ITN-DEMO02',
           '00000000-0000-4000-8000-00000000c001', 'payment_pending', 'EUR', 16000, '2027-03-02T18:00:00Z'),
          ('00000000-0000-4000-8000-00000000b003', '00000000-0000-4000-8000-00000000d001', 'ITN-DEMO03',
           '00000000-0000-4000-8000-00000000c001', 'lead_created', 'EUR', 0, NULL)
        ON CONFLICT (id) DO NOTHING;
        UPDATE bookings SET lead_id = '00000000-0000-4000-8000-00000000a201'
        WHERE id = '00000000-0000-4000-8000-00000000b003' AND lead_id IS NULL;
        INSERT INTO booking_items (id, team_id, booking_id, position, kind, product_id, supplier_id, description,
                                   starts_at, quantity, unit_price_minor)
        VALUES
          ('00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000b001',
           0, 'flight', '00000000-0000-4000-8000-00000000e001', NULL, 'LX 92 Zürich → São Paulo', '2027-03-01T09:00:00Z', 2, 125000),
          ('00000000-0000-4000-8000-00000000a002', '00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000b001',
           1, 'hotel', '00000000-0000-4000-8000-00000000e002', NULL, 'Copacabana Palace, 3 nights', '2027-03-01T15:00:00Z', 3, 45000),
          ('00000000-0000-4000-8000-00000000a003', '00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000b002',
           0, 'activity', '00000000-0000-4000-8000-00000000e003', '00000000-0000-4000-8000-00000000c002',
           'Sugarloaf at sunset, with photographer', '2027-03-02T18:00:00Z', 2, 8000)
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO travelers (id, team_id, booking_id, position, first_name, last_name, email)
        VALUES ('00000000-0000-4000-8000-00000000f001', '00000000-0000-4000-8000-00000000d001',
                '00000000-0000-4000-8000-00000000b001', 0, 'Cara', 'Customer', 'customer@demo.test')
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO booking_assignments (id, team_id, booking_id, user_id, role)
        SELECT '00000000-0000-4000-8000-00000000f101', '00000000-0000-4000-8000-00000000d001',
               '00000000-0000-4000-8000-00000000b002', id, 'photographer' FROM users WHERE email = 'supplier@demo.test'
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO booking_lifecycle_events (team_id, booking_id, from_status, to_status, actor_type, note)
        SELECT '00000000-0000-4000-8000-00000000d001', e.booking_id::uuid, e.from_status, e.to_status, 'system', 'demo data'
        FROM (VALUES ('00000000-0000-4000-8000-00000000b001', NULL, 'booking_created', 1),
                     ('00000000-0000-4000-8000-00000000b002', NULL, 'booking_created', 2),
                     ('00000000-0000-4000-8000-00000000b002', 'booking_created', 'payment_pending', 3),
                     ('00000000-0000-4000-8000-00000000b003', NULL, 'lead_created', 4)) AS e (booking_id, from_status, to_status, n)
        WHERE NOT EXISTS (SELECT 1 FROM booking_lifecycle_events x WHERE x.booking_id = e.booking_id::uuid)
           OR (e.n = 3 AND NOT EXISTS (SELECT 1 FROM booking_lifecycle_events x
                                       WHERE x.booking_id = e.booking_id::uuid AND x.to_status = 'payment_pending'))
        ORDER BY e.n;
        """
}
