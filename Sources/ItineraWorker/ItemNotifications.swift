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
                teamId: teamId, actor: event.payload["actor_user_id"].flatMap(UUID.init(uuidString:)), to: audience,
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
