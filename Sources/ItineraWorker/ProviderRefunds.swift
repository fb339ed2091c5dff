import Foundation
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// Carries out a refund staff asked for (`payment.refund_requested`): calls the provider's refund
/// API with an idempotency key made from the refund's id (a retry after a crash gets the same
/// refund back) and records its reference. The refund row is locked meanwhile, so a provider
/// webhook about it waits and then finds it. A provider that cannot be reached is retried by the
/// outbox; one that refuses (4xx) fails the refund: the amount goes back to the payment and staff
/// are told.
struct ProviderRefunds: OutboxHandler {
    let name = "payments.provider_refund"
    let providers: PaymentProviders

    func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        guard let refundId = event.payload["refund_id"].flatMap(UUID.init(uuidString:)) else {
            throw HandlerFailure("the event names no refund")
        }
        let row = try connection.query(
            """
            SELECT r.amount_minor, r.reason, r.status, r.provider_reference, p.id, p.provider, p.provider_reference,
                   p.provider_payment_id, p.currency, p.team_id, p.booking_id
            FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
            WHERE r.id = $1 FOR UPDATE OF r
            """, [refundId], context: "locking a refund"
        ).rows.first
        guard let row, row[2] == "pending", row[3] == nil else { return }  // gone, or already carried out
        let amount = Int64(row[0] ?? "") ?? 0
        guard let provider = providers[row[5] ?? ""], provider.canCharge else {
            throw HandlerFailure("payments through \(row[5] ?? "?") are not configured for the worker")
        }
        let result: ProviderRefund
        do {
            result = try provider.refund(
                RefundRequest(
                    refundId: refundId, paymentReference: row[6], providerPaymentId: row[7], amountMinor: amount,
                    currency: row[8] ?? "", reason: row[1],
                    idempotencyKey: "itinera-refund-\(refundId.uuidString.lowercased())"))
        } catch ProviderError.refused(let reason) {
            try fail(refundId, payment: row[4] ?? "", amount: amount, reason: reason, row, connection)
            return
        } catch let error as ProviderError {
            throw HandlerFailure(error.description)
        }
        try connection.query(
            "UPDATE payment_refunds SET provider_reference = $2, status = $3, updated_at = now() WHERE id = $1",
            [refundId, result.reference, result.status], context: "recording the provider's refund")
    }

    /// The provider refused: the refund is failed, its amount no longer counts against the payment,
    /// and the team's staff get a `refund_failed` notification.
    private func fail(
        _ refundId: UUID, payment: String, amount: Int64, reason: String, _ row: [String?],
        _ connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE payment_refunds SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1
            """, [refundId, String(reason.prefix(500))], context: "failing a refund")
        try connection.query(
            """
            UPDATE payments SET refunded_minor = refunded_minor - $2,
                   status = CASE WHEN refunded_minor - $2 = 0 THEN 'succeeded' ELSE 'partially_refunded' END,
                   updated_at = now()
            WHERE id = $1::uuid
            """, [payment, amount], context: "giving a failed refund back to its payment")
        let booking = row[10] ?? ""
        try StaffNotice(
            type: "refund_failed", title: "Refund failed",
            message: "The provider refused the refund: \(reason). Nothing was refunded; try again or refund by hand.",
            bookingId: booking,
            metadata: ["booking_id": booking, "payment_id": payment, "refund_id": refundId.uuidString.lowercased()]
        ).raise(teamId: row[9] ?? "", connection)
    }
}

/// A notification to a team's staff raised by the worker itself (the API raises its own in the
/// transaction of the change), with the outbox event that delivers it live.
struct StaffNotice {
    let type: String
    let title: String
    let message: String
    let bookingId: String
    let metadata: [String: String]

    func raise(teamId: String, _ connection: PostgresConnection) throws {
        let id = UUID()
        let metadataJSON = String(
            decoding: JSONWriter.bytes(.object(metadata.mapValues(JSONValue.string))), as: UTF8.self)
        try connection.query(
            """
            WITH n AS (
                INSERT INTO notifications (id, team_id, type, title, message, link_path, link_id, metadata)
                VALUES ($1, $2::uuid, $3, $4, $5, '/booking/' || $6, $6::uuid, $7::jsonb)
            )
            INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
            VALUES ($2::uuid, 'notification.created', $1, jsonb_build_object('notification_id', $1::text))
            """, [id, teamId, type, title, message, bookingId, metadataJSON], context: "raising a staff notice")
        try connection.query("SELECT pg_notify('itinera_outbox', 'notification.created')", context: "waking workers")
    }
}
