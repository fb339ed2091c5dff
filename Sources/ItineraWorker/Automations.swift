import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// What the lifecycle sets off: every status change tells the team and, for the states they see,
/// the booking's customer logins; and the automations record what they will produce (rows that
/// later work turns into PDFs and mails): `payment_confirmed` → invoice, `supplier_confirmed` →
/// voucher + itinerary, `completed` → a customer communication.
public enum Automations {
    /// The handlers for `booking.status_changed`, each with its own recorded outcome.
    public static let statusChanged: [OutboxHandler] = [
        StatusNotification(), Invoice(), VoucherAndItinerary(), CompletionMessage(),
    ]

    /// `booking_status_changed` to the team's staff and, for states a customer sees, to the
    /// booking's customer logins; never to the one who made the change. Only for events that ask
    /// for it (`"notification": "booking_status_changed"`): a status change written by an older
    /// build was notified by its request already.
    struct StatusNotification: OutboxHandler {
        let name = "automation.status_notification"

        /// The change an event that asks for the notification describes.
        private func change(_ event: OutboxEvent) -> (teamId: UUID, booking: UUID, from: String, to: BookingStatus)? {
            guard event.payload["notification"] == "booking_status_changed", let teamId = event.teamId,
                let booking = event.aggregateId, let from = event.payload["from"],
                let to = event.payload["to"].flatMap(BookingStatus.init(rawValue:))
            else { return nil }
            return (teamId, booking, from, to)
        }

        func applies(to event: OutboxEvent) -> Bool { change(event) != nil }

        func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
            guard let (teamId, booking, from, to) = change(event) else { return }
            let reference = event.payload["booking_reference"] ?? ""
            try Notice(
                type: "booking_status_changed",
                title: "Booking \(reference): \(BookingStatus(rawValue: from)?.label ?? from) → \(to.label)",
                bookingId: booking,
                metadata: ["booking_id": booking.uuidString.lowercased(), "from": from, "to": to.rawValue],
                cause: "event:\(event.id)"
            ).raise(
                teamId: teamId, actor: event.payload["actor_user_id"].flatMap(UUID.init(parsing:)),
                to: Lifecycle.customerVisible.contains(to) ? [.team, .customers] : [.team], connection)
        }
    }

    struct Invoice: StatusAutomation {
        let name = "automation.invoice"

        let status = BookingStatus.paymentConfirmed

        func record(_ booking: UUID, _ event: OutboxEvent, _ connection: PostgresConnection) throws {
            let invoice = try connection.query(
                """
                INSERT INTO invoices (team_id, booking_id, amount_minor, currency, source_event_id)
                SELECT team_id, id, total_minor, currency, $2 FROM bookings WHERE id = $1
                ON CONFLICT (booking_id, source_event_id) DO NOTHING
                RETURNING id, amount_minor, currency
                """, [booking, event.id], context: "recording the invoice")
            try document("invoice", booking, event, connection)
            guard let id = invoice.first("id"), let amount = invoice.first("amount_minor").flatMap(Int64.init),
                let currency = invoice.first("currency")
            else { return }
            try history(
                "invoice.recorded", booking, table: "invoices", id: id,
                details: ["amount": .string(CurrencyCodes.amountText(amount, currency))], event, connection)
        }
    }

    struct VoucherAndItinerary: StatusAutomation {
        let name = "automation.voucher_itinerary"

        let status = BookingStatus.supplierConfirmed

        func record(_ booking: UUID, _ event: OutboxEvent, _ connection: PostgresConnection) throws {
            try document("voucher", booking, event, connection)
            try document("itinerary", booking, event, connection)
            let itinerary = try connection.query(
                """
                INSERT INTO itineraries (team_id, booking_id, source_event_id)
                SELECT team_id, id, $2 FROM bookings WHERE id = $1
                ON CONFLICT (booking_id, source_event_id) DO NOTHING
                RETURNING id
                """, [booking, event.id], context: "recording the itinerary")
            guard let id = itinerary.first("id") else { return }
            try history("documents.recorded", booking, table: "itineraries", id: id, details: [:], event, connection)
        }
    }

    struct CompletionMessage: StatusAutomation {
        let name = "automation.customer_communication"

        let status = BookingStatus.completed

        func record(_ booking: UUID, _ event: OutboxEvent, _ connection: PostgresConnection) throws {
            let message = try connection.query(
                """
                INSERT INTO customer_communications (team_id, booking_id, kind, source_event_id)
                SELECT team_id, id, 'completion_thanks', $2 FROM bookings WHERE id = $1
                ON CONFLICT (booking_id, kind, source_event_id) DO NOTHING
                RETURNING id
                """, [booking, event.id], context: "recording the customer communication")
            guard let id = message.first("id") else { return }
            try history(
                "communication.recorded", booking, table: "customer_communications", id: id,
                details: ["kind": .string("completion_thanks")], event, connection)
        }
    }

    /// An automation set off by a booking reaching `status`; other status changes cost it nothing.
    protocol StatusAutomation: OutboxHandler {
        var status: BookingStatus { get }
        func record(_ booking: UUID, _ event: OutboxEvent, _ connection: PostgresConnection) throws
    }

    /// A line in the booking's history (`GET /api/bookings/{id}/history`) for what an automation
    /// recorded, written only with the row it describes, so a re-run adds no second line.
    static func history(
        _ action: String, _ booking: UUID, table: String, id: String, details: [String: JSONValue],
        _ event: OutboxEvent, _ connection: PostgresConnection
    ) throws {
        var details = details
        details["event_id"] = .string(String(event.id))
        try connection.query(
            """
            INSERT INTO audit_log (team_id, actor_type, action, target_table, target_id, booking_id, details)
            SELECT team_id, 'system', $2, $3, $4, id, $5::jsonb FROM bookings WHERE id = $1
            """,
            [booking, action, table, id, String(decoding: JSONWriter.bytes(.object(details)), as: UTF8.self)],
            context: "recording the booking's history")
    }

    static func document(_ kind: String, _ booking: UUID, _ event: OutboxEvent, _ connection: PostgresConnection)
        throws
    {
        try connection.query(
            """
            INSERT INTO documents (team_id, booking_id, customer_id, kind, source_event_id)
            SELECT team_id, id, customer_id, $2, $3 FROM bookings WHERE id = $1
            ON CONFLICT (booking_id, kind, source_event_id) DO NOTHING
            """, [booking, kind, event.id], context: "recording a \(kind) document")
    }
}

extension Automations.StatusAutomation {
    public func applies(to event: OutboxEvent) -> Bool {
        event.payload["to"] == status.rawValue && event.aggregateId != nil
    }

    public func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        guard let booking = event.aggregateId else { return }
        try record(booking, event, connection)
    }
}
