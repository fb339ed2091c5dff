import Foundation
import ItineraCore
import ItineraStore

extension Automations {
    /// `booking_items_changed` to the booking's customer logins (once the booking is theirs to see)
    /// and to the supplier users assigned to it, when staff add, remove or change what the booking
    /// holds: a rescheduled flight reaches the traveller and the guide meeting it. The staff member
    /// who made the change is not told; the supplier's own answers (status, reference) raise nothing.
    struct ItemsChangedNotification: OutboxHandler {
        let name = "automation.items_changed_notification"

        func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
            guard let teamId = event.teamId, let booking = event.aggregateId else {
                throw HandlerFailure("event \(event.id) names no team or booking")
            }
            let reference = event.payload["booking_reference"] ?? ""
            let description = event.payload["item_description"] ?? "an item"
            let change = event.payload["change"] ?? "changed"
            var audience: Notice.Audience = .assignees
            if event.payload["customer_visible"] == "true" { audience.insert(.customers) }
            try Notice(
                type: "booking_items_changed", title: "Booking \(reference): \(Self.summary(change, description))",
                message: event.payload["item_starts"].map { "\(description): starts \($0)." } ?? "",
                bookingId: booking,
                metadata: ["booking_id": booking.uuidString.lowercased(), "change": change],
                cause: "event:\(event.id)"
            ).raise(
                teamId: teamId, actor: event.payload["actor_user_id"].flatMap(UUID.init(parsing:)), to: audience,
                connection)
        }

        static func summary(_ change: String, _ description: String) -> String {
            switch change {
            case "added": "added \(description)"
            case "removed": "removed \(description)"
            default: "\(description) changed"
            }
        }
    }
}

extension Automations {
    /// `supplier_answered` to the team when a supplier login confirms, declines or cancels one of its
    /// items from the supplier portal, or changes only its reference; the title says so when this
    /// confirmation was the last one missing among the items with a supplier, the point at which
    /// staff move the booking to `supplier_confirmed`.
    struct SupplierAnswerNotification: OutboxHandler {
        let name = "automation.supplier_answer_notification"

        func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
            guard let teamId = event.teamId, let booking = event.aggregateId else {
                throw HandlerFailure("event \(event.id) names no team or booking")
            }
            let reference = event.payload["booking_reference"] ?? ""
            let supplier = event.payload["supplier_name"].flatMap { $0.isEmpty ? nil : $0 } ?? "A supplier"
            let status = event.payload["supplier_status"] ?? ""
            let item = event.payload["item_description"] ?? "an item"
            let supplierReference = event.payload["supplier_reference"] ?? ""
            var title =
                event.payload["change"] == "reference"
                ? "Booking \(reference): \(supplier) changed its reference for \(item)"
                : "Booking \(reference): \(supplier) \(Self.verb(status)) \(item)"
            if event.payload["all_confirmed"] == "true" { title += " — every supplier has confirmed" }
            try Notice(
                type: "supplier_answered", title: title,
                message: supplierReference.isEmpty ? "No reference given." : "Their reference: \(supplierReference).",
                bookingId: booking,
                metadata: [
                    "booking_id": booking.uuidString.lowercased(), "item_id": event.payload["item_id"] ?? "",
                    "supplier_status": status,
                ],
                cause: "event:\(event.id)"
            ).raise(
                teamId: teamId, actor: event.payload["actor_user_id"].flatMap(UUID.init(parsing:)), to: .team,
                connection)
        }

        static func verb(_ status: String) -> String {
            switch status {
            case "confirmed": "confirmed"
            case "declined": "declined"
            case "cancelled": "cancelled"
            default: "answered about"
            }
        }
    }
}
