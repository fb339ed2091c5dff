import Foundation
import ItineraStore

/// Refund bookkeeping both the API (a provider's webhook reports a failure) and the worker (the
/// provider refuses the call) need.
public enum RefundRecords {
    /// A refund that did not happen: marked `failed` with the reason and its amount no longer
    /// counted against its payment (the booking's paid amount follows, by trigger).
    public static func fail(_ refundId: UUID, reason: String, _ connection: PostgresConnection) throws {
        try connection.query(
            """
            WITH r AS (
                UPDATE payment_refunds SET status = 'failed', failure_reason = $2, updated_at = now()
                WHERE id = $1 AND status <> 'failed'
                RETURNING payment_id, amount_minor
            )
            UPDATE payments SET refunded_minor = refunded_minor - r.amount_minor,
                   status = CASE WHEN refunded_minor - r.amount_minor = 0 THEN 'succeeded'
                                 ELSE 'partially_refunded' END,
                   updated_at = now()
            FROM r WHERE payments.id = r.payment_id
            """, [refundId, reason.prefix(codePoints: 500)], context: "failing a refund")
    }
}
