import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Travelers and the client's own flights of a booking, saved together in one transaction. From
/// the client portal a save raises exactly one `booking_updated_by_client` notification for the
/// team; the same save by staff raises none. With `If-Match: <version>` a save that crossed another
/// change of the booking (the client's and staff's forms both replace the lists) is a 412.
enum TravelerHandlers {
    struct Body: Decodable {
        struct Traveler: Decodable {
            let firstName: String?
            let lastName: String?
            let email: String?
            let phone: String?
            let dateOfBirth: String?
            let passportNumber: String?
            let nationality: String?
            let dietary: String?
            let accessibility: String?
        }
        struct Flight: Decodable {
            let flightNumber: String?
            let departureAirport: String?
            let arrivalAirport: String?
            let departsAt: Date?
            let arrivesAt: Date?
        }
        let travelers: [Traveler]
        let flights: [Flight]
    }

    /// `PUT /api/customer/bookings/{id}/travelers-and-flights` (customer users).
    static func saveByClient(_ scope: RequestScope) throws -> Response { try save(scope, notify: true) }

    /// `PUT /api/bookings/{id}/travelers-and-flights` (staff: no notification).
    static func saveByStaff(_ scope: RequestScope) throws -> Response { try save(scope, notify: false) }

    private static func save(_ scope: RequestScope, notify: Bool) throws -> Response {
        let caller = try scope.caller
        let bookingId = try scope.pathId("booking")
        let body = try scope.request.decodeJSON(Body.self)
        try validate(body)
        let expected = try BookingHandlers.ifMatchVersion(scope.request)
        let json = try scope.transaction { connection -> String in
            let booking = try connection.query(
                "SELECT booking_reference, status, version FROM bookings WHERE id = $1 FOR UPDATE", [bookingId],
                context: "locking a booking")
            guard let reference = booking.first("booking_reference"), let version = booking.first("version") else {
                throw APIError.notFound("No such booking.")
            }
            if let expected, String(expected) != version {
                throw BookingHandlers.versionConflict(sent: expected, current: version)
            }
            // The client's part ends with the trip: a closed booking is changed by staff only.
            if notify, let status = booking.first("status").flatMap(BookingStatus.init(rawValue:)),
                Lifecycle.closed.contains(status)
            {
                throw APIError.bookingClosed(
                    status,
                    "This booking is \(status.rawValue): its travelers and flights can no longer be changed here.")
            }
            // The lists replace what was there: what the client removed is deleted. The agency's own
            // flights are booking items and are never touched here.
            try connection.query(
                "DELETE FROM travelers WHERE booking_id = $1", [bookingId], context: "replacing travelers")
            try connection.query(
                "DELETE FROM client_flights WHERE booking_id = $1", [bookingId], context: "replacing client flights")
            for (position, t) in body.travelers.enumerated() {
                try connection.query(
                    """
                    INSERT INTO travelers (team_id, booking_id, position, first_name, last_name, email, phone,
                        date_of_birth, passport_number, nationality, dietary, accessibility)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9, $10, $11, $12)
                    """,
                    [
                        caller.teamId, bookingId, position, trimmed(t.firstName), trimmed(t.lastName), trimmed(t.email),
                        trimmed(t.phone), t.dateOfBirth, trimmed(t.passportNumber)?.uppercased(),
                        trimmed(t.nationality)?.uppercased(), trimmed(t.dietary), trimmed(t.accessibility),
                    ], context: "saving a traveler")
            }
            for f in body.flights {
                try connection.query(
                    """
                    INSERT INTO client_flights (team_id, booking_id, flight_number, departure_airport, arrival_airport,
                        departs_at, arrives_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """,
                    [
                        caller.teamId, bookingId, trimmed(f.flightNumber)?.uppercased(),
                        trimmed(f.departureAirport)?.uppercased(), trimmed(f.arrivalAirport)?.uppercased(), f.departsAt,
                        f.arrivesAt,
                    ], context: "saving a client flight")
            }
            try connection.query(
                "UPDATE bookings SET version = version + 1, updated_at = now() WHERE id = $1", [bookingId],
                context: "touching the booking")
            if notify {
                try Notifications.toTeam(
                    clientUpdate(bookingId: bookingId, reference: reference), teamId: caller.teamId,
                    actor: caller.userId,
                    connection)
            }
            try Audit.record(
                connection, scope, action: notify ? "booking.client_update" : "booking.travelers_update",
                table: "bookings", rowId: bookingId.lowercased, bookingId: bookingId,
                details: [
                    "travelers": .integer(Int64(body.travelers.count)), "flights": .integer(Int64(body.flights.count)),
                ])
            return try BookingHandlers.detailJSON(bookingId, connection, viewer: caller.role)
        }
        return scope.ok(jsonText: json)
    }

    /// The notification of a client's save, exactly as the product documents word it.
    static func clientUpdate(bookingId: UUID, reference: String) -> Notifications.Draft {
        Notifications.Draft(
            type: "booking_updated_by_client", title: "Booking \(reference) updated by client",
            message: "Traveler details or client flights were changed. Review in booking.",
            linkPath: "/booking/\(bookingId.lowercased)", linkId: nil,
            metadata: ["booking_id": .string(bookingId.lowercased)])
    }

    private static func validate(_ body: Body) throws {
        var check = Validation()
        check.check(body.travelers.count <= 50, "travelers", "at most 50 travelers")
        check.check(body.flights.count <= 20, "flights", "at most 20 flights")
        for (i, t) in body.travelers.enumerated() {
            let field = "travelers[\(i)]"
            _ = check.text(t.firstName, "\(field).firstName", 1...100, required: true)
            _ = check.text(t.lastName, "\(field).lastName", 1...100, required: true)
            _ = check.email(t.email, "\(field).email")
            _ = check.phone(t.phone, "\(field).phone")
            if let birth = t.dateOfBirth {
                check.check(
                    ISODate.midnight(of: birth).map { $0 < Date() && $0 > Date(timeIntervalSince1970: -5_000_000_000) }
                        ?? false,
                    "\(field).dateOfBirth", "must be a past date such as 1990-05-17")
            }
            if let passport = trimmed(t.passportNumber) {
                check.check(
                    passport.count >= 6 && passport.count <= 9
                        && passport.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) },
                    "\(field).passportNumber", "must be 6 to 9 letters and digits")
            }
            if let nationality = trimmed(t.nationality) {
                check.check(
                    nationality.count == 2 && nationality.allSatisfy { $0.isASCII && $0.isLetter },
                    "\(field).nationality", "must be a two-letter country code")
            }
            _ = check.text(t.dietary, "\(field).dietary", 1...500)
            _ = check.text(t.accessibility, "\(field).accessibility", 1...500)
        }
        for (i, f) in body.flights.enumerated() {
            let field = "flights[\(i)]"
            let number = trimmed(f.flightNumber)?.uppercased() ?? ""
            check.check(
                number.range(of: "^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$", options: .regularExpression) != nil,
                "\(field).flightNumber", "must be a flight number such as LX92")
            let from = trimmed(f.departureAirport)?.uppercased() ?? ""
            let to = trimmed(f.arrivalAirport)?.uppercased() ?? ""
            for (name, code) in [("departureAirport", from), ("arrivalAirport", to)] {
                check.check(
                    code.count == 3 && code.allSatisfy { $0.isASCII && $0.isLetter }, "\(field).\(name)",
                    "must be a 3-letter IATA code")
            }
            check.check(from.isEmpty || from != to, "\(field).arrivalAirport", "must differ from the departure airport")
            check.check(f.departsAt != nil, "\(field).departsAt", "is required")
            if let departs = f.departsAt, let arrives = f.arrivesAt {
                check.check(arrives > departs, "\(field).arrivesAt", "must be after the departure")
            }
        }
        try check.finish()
    }

    private static func trimmed(_ text: String?) -> String? {
        guard let value = text?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
