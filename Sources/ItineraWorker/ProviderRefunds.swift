import Foundation
import ItineraCore
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// Carries out a refund staff asked for (`payment.refund_requested`): calls the provider's refund
/// API with an idempotency key made from the refund's id (a retry after a crash gets the same
/// refund back) and records its reference. The payment and refund rows are locked meanwhile (in the
/// order every other writer takes them), so a provider webhook about it waits and then finds it. The provider's webhook confirms the refund and moves
/// the booking (the sandbox's is sent from here, as a provider would). A provider that cannot be
/// reached is retried by the outbox until the last attempt; one that refuses (4xx), or the last
/// attempt failing, fails the refund: the amount goes back to the payment and staff are told.
struct ProviderRefunds: OutboxHandler {
    let name = "payments.provider_refund"
    let providers: PaymentProviders
    /// The outbox's attempts: the last one gives up instead of leaving the refund pending forever.
    let maxAttempts: Int

    func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        guard let refundId = event.payload["refund_id"].flatMap(UUID.init(parsing:)) else {
            throw HandlerFailure("the event names no refund")
        }
        // The payment first, then the refund: the order webhooks and refund requests lock them in.
        try connection.query(
            """
            SELECT 1 FROM payments WHERE id = (SELECT payment_id FROM payment_refunds WHERE id = $1) FOR UPDATE
            """, [refundId], context: "locking a refund's payment")
        let row = try connection.query(
            """
            SELECT r.amount_minor, r.reason, r.status, r.provider_reference, p.id, p.provider, p.provider_reference,
                   p.provider_payment_id, p.currency, p.team_id, p.booking_id
            FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
            WHERE r.id = $1 FOR UPDATE OF r
            """, [refundId], context: "locking a refund"
        ).rows.first
        guard let row, row[2] == "pending", row[3] == nil else { return }  // gone, or already carried out
        let refund = Refund(id: refundId, row: row)
        do {
            guard let provider = providers[refund.provider], provider.canCharge else {
                throw ProviderError.failed("payments through \(refund.provider) are not configured for the worker")
            }
            let result = try provider.refund(
                RefundRequest(
                    refundId: refundId, paymentReference: refund.paymentReference,
                    providerPaymentId: refund.providerPaymentId, amountMinor: refund.amountMinor,
                    currency: refund.currency, reason: row[1],
                    idempotencyKey: "itinera-refund-\(refundId.uuidString.lowercased())"))
            try connection.query(
                "UPDATE payment_refunds SET provider_reference = $2, updated_at = now() WHERE id = $1",
                [refundId, result.reference], context: "recording the provider's refund")
            if refund.provider == "sandbox" {
                try announceSandboxRefund(refund, reference: result.reference, connection)
            }
        } catch ProviderError.refused(let reason) {
            try fail(refund, reason: "The provider refused the refund: \(reason)", connection)
        } catch let error as ProviderError {
            guard event.attempts >= maxAttempts else { throw HandlerFailure(error.description) }
            try fail(refund, reason: "The provider could not be reached: \(error.description)", connection)
        }
    }

    private struct Refund {
        let id: UUID
        let amountMinor: Int64
        let paymentId: String
        let provider: String
        let paymentReference: String?
        let providerPaymentId: String?
        let currency: String
        let teamId: String
        let bookingId: String

        init(id: UUID, row: [String?]) {
            self.id = id
            amountMinor = Int64(row[0] ?? "") ?? 0
            paymentId = row[4] ?? ""
            provider = row[5] ?? ""
            paymentReference = row[6]
            providerPaymentId = row[7]
            currency = row[8] ?? ""
            teamId = row[9] ?? ""
            bookingId = row[10] ?? ""
        }
    }

    /// The sandbox has no provider to send the confirming webhook: the worker sends it (after this
    /// transaction commits, through the outbox and nginx), as it does for the sandbox checkout.
    private func announceSandboxRefund(_ refund: Refund, reference: String, _ connection: PostgresConnection) throws {
        let body = SandboxProvider.refundEvent(
            eventId: "evt_sbx_\(refund.id.uuidString.lowercased())", paymentReference: refund.paymentReference ?? "",
            refundReference: reference, amountMinor: refund.amountMinor, currency: refund.currency)
        try connection.query(
            """
            INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
            VALUES ($1::uuid, 'payment.sandbox_webhook', $2::uuid, jsonb_build_object('body', $3::text))
            """, [refund.teamId, refund.paymentId, String(decoding: body, as: UTF8.self)],
            context: "queueing the sandbox refund webhook")
        connection.notifyAfterCommit(channel: OutboxWakeUp.channel, payload: "payment.sandbox_webhook")
    }

    /// The refund did not happen: failed, its amount back on the payment, and staff told.
    private func fail(_ refund: Refund, reason: String, _ connection: PostgresConnection) throws {
        try RefundRecords.fail(refund.id, reason: reason, connection)
        guard let teamId = UUID(parsing: refund.teamId), let bookingId = UUID(parsing: refund.bookingId) else {
            throw HandlerFailure("refund \(refund.id) has no team or booking")
        }
        try Notice(
            type: "refund_failed", title: "Refund failed",
            message: "\(reason). Nothing was refunded; try again or refund by hand.", bookingId: bookingId,
            metadata: [
                "booking_id": refund.bookingId, "payment_id": refund.paymentId,
                "refund_id": refund.id.uuidString.lowercased(),
            ], cause: "refund:\(refund.id.uuidString.lowercased())"
        ).raise(teamId: teamId, actor: nil, to: .team, connection)
    }
}
