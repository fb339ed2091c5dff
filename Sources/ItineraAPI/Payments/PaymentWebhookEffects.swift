import Foundation
import ItineraCore
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// What a verified payment event does, in one transaction with its receipt row. Rules: success
/// captures (and confirms the booking once covered), failure never undoes a success, amounts that
/// do not match change nothing and tell staff, refunds never exceed what was captured.
enum PaymentWebhookEffects {
    struct Result {
        let duplicate: Bool
        let outcome: String
    }

    static func apply(_ receipt: WebhookReceipt, _ scope: RequestScope) throws -> Result {
        try scope.context.database.transaction { connection in
            let located = try locate(receipt, connection)
            try TenantScope(teamId: located?.teamId, userId: nil, role: "system").apply(on: connection)
            let receiptId = UUID()
            guard try insert(receipt, id: receiptId, teamId: located?.teamId, paymentId: located?.paymentId, connection)
            else { return Result(duplicate: true, outcome: "already_received") }
            guard let located else {
                let outcome: String
                if case .ignored = receipt.event.effect {
                    outcome = "ignored_unknown_type"
                } else {
                    outcome = "payment_not_found"
                }
                try finish(receiptId, outcome: outcome, detail: nil, connection)
                return Result(duplicate: false, outcome: outcome)
            }
            let system = RequestScope(
                request: scope.request, context: scope.context,
                principal: Principal(
                    teamId: located.teamId, userId: nil, role: nil,
                    credential: .system(source: "webhook:\(receipt.provider)")))
            let payment = try PaymentLedger.lockPayment(located.paymentId, connection)
            let applied = try effect(receipt, payment, system, connection)
            try finish(receiptId, outcome: applied.outcome, detail: applied.detail, connection)
            return Result(duplicate: false, outcome: applied.outcome)
        }
    }

    private static func effect(
        _ receipt: WebhookReceipt, _ payment: PaymentLedger.LockedPayment, _ scope: RequestScope,
        _ connection: PostgresConnection
    ) throws -> (outcome: String, detail: String?) {
        let key = "webhook:\(receipt.provider):\(receipt.event.id)"
        switch receipt.event.effect {
        case .succeeded(_, let amount, let currency, let providerPaymentId):
            return try succeeded(
                payment, amount: amount, currency: currency, providerPaymentId: providerPaymentId,
                eventId: receipt.event.id, key: key, scope, connection)
        case .failed(_, let reason):
            guard !payment.isCaptured else {
                return ("ignored_out_of_order", "The payment was captured before; a later failure does not undo it.")
            }
            guard payment.status != "failed" else { return ("already_applied", nil) }
            try connection.query(
                """
                UPDATE payments SET status = 'failed', failure_reason = $2, webhook_event_id = $3, updated_at = now()
                WHERE id = $1
                """, [payment.id, reason.prefix(codePoints: 500), receipt.event.id],
                context: "recording a failed payment")
            try notifyStaff(
                "payment_failed", "Payment failed: \(CurrencyCodes.amountText(payment.amountMinor, payment.currency))",
                message: reason, payment, scope, connection)
            return ("applied", reason)
        case .refunded(_, _, let currency, let refunds):
            return try refunded(payment, currency: currency, refunds: refunds, key: key, scope, connection)
        case .ignored(_):
            return ("ignored_unknown_type", nil)
        }
    }

    private static func succeeded(
        _ payment: PaymentLedger.LockedPayment, amount: Int64, currency: String, providerPaymentId: String?,
        eventId: String, key: String, _ scope: RequestScope, _ connection: PostgresConnection
    ) throws -> (outcome: String, detail: String?) {
        guard !payment.isCaptured else { return ("already_applied", nil) }
        guard amount == payment.amountMinor, currency == payment.currency else {
            let detail =
                "Expected \(CurrencyCodes.amountText(payment.amountMinor, payment.currency)), "
                + "the provider reported \(CurrencyCodes.amountText(amount, currency)). The booking was not changed."
            try notifyStaff(
                "payment_amount_mismatch", "Payment amount mismatch", message: detail, payment, scope, connection)
            return ("amount_mismatch", detail)
        }
        try connection.query(
            """
            UPDATE payments SET status = 'succeeded', captured_minor = $2, failure_reason = NULL,
                   provider_payment_id = coalesce($3, provider_payment_id), webhook_event_id = $4, updated_at = now()
            WHERE id = $1
            """, [payment.id, amount, providerPaymentId, eventId], context: "capturing a payment")
        let outstanding = try PaymentLedger.confirmBookingIfCovered(
            payment.bookingId, scope: scope, idempotencyKey: key, connection)
        let booking = try PaymentLedger.lockBooking(payment.bookingId, connection)
        if [.cancelled, .refunded].contains(booking.status) {
            // A checkout opened before the booking was closed: the money is the provider's fact and
            // is recorded; the booking stays closed, and staff are told to give it back.
            let detail =
                "\(CurrencyCodes.amountText(amount, currency)) was paid although the booking is "
                + "\(booking.status.rawValue): refund it."
            try notifyStaff(
                "payment_on_closed_booking", "Payment on a \(booking.status.rawValue) booking", message: detail,
                payment, scope, connection)
            return ("applied", detail)
        }
        let overpaid = booking.heldMinor - booking.totalMinor
        if overpaid > 0 {
            // Two checkouts were both paid (an open intent expired and a new one was made): the money
            // is captured either way; staff decide whether to refund the difference.
            let detail =
                "The booking is overpaid by \(CurrencyCodes.amountText(overpaid, currency)): a refund may be due."
            try notifyStaff("payment_overpaid", "Booking overpaid", message: detail, payment, scope, connection)
            return ("applied", detail)
        }
        let paid = CurrencyCodes.amountText(amount, currency)
        try notifyStaff(
            "payment_received", "Payment received: \(paid)",
            message: outstanding == 0
                ? "The booking is paid in full."
                : "\(CurrencyCodes.amountText(outstanding, currency)) is still outstanding.",
            payment, scope, connection)
        guard outstanding == 0 else {
            return ("partially_paid", "\(CurrencyCodes.amountText(outstanding, currency)) still outstanding.")
        }
        return ("applied", nil)
    }

    private static func refunded(
        _ payment: PaymentLedger.LockedPayment, currency: String, refunds: [ProviderEvent.Refund], key: String,
        _ scope: RequestScope, _ connection: PostgresConnection
    ) throws -> (outcome: String, detail: String?) {
        guard currency.isEmpty || currency == payment.currency else {
            let detail = "A refund in \(currency) was reported for a payment in \(payment.currency)."
            try notifyStaff(
                "payment_amount_mismatch", "Refund currency mismatch", message: detail, payment, scope, connection)
            return ("amount_mismatch", detail)
        }
        guard payment.isCaptured else {
            // Answered with an error and nothing stored, so the provider sends it again once the
            // capture that must come first has arrived.
            throw APIError(
                status: 409, code: "payment_not_captured",
                message: "This payment has not been captured yet; send the refund again later.")
        }
        var current = payment
        var changed = 0
        var exceeded: String?
        for refund in refunds {
            if let known = try knownRefund(refund, of: payment, connection) {
                changed += try settle(known, refund, payment, scope, connection) ? 1 : 0
                continue
            }
            if refund.state == .failed { continue }  // a failed refund Itinera never counted: nothing to undo
            guard refund.amountMinor <= current.capturedMinor - current.refundedMinor else {
                let detail =
                    "The provider reported refund \(refund.reference) of "
                    + "\(CurrencyCodes.amountText(refund.amountMinor, payment.currency)), more than is left to refund."
                try notifyStaff(
                    "refund_mismatch", "Refund exceeds the captured amount", message: detail, payment, scope, connection
                )
                exceeded = detail
                continue
            }
            try PaymentLedger.recordRefund(
                current, amountMinor: refund.amountMinor, providerReference: refund.reference,
                status: refund.state == .succeeded ? "succeeded" : "pending", source: "provider",
                reason: "Reported by \(payment.provider)", createdBy: nil, teamId: try scope.caller.teamId, connection)
            current = try PaymentLedger.lockPayment(payment.id, connection)
            changed += 1
        }
        // Whatever this event changed, the booking follows the refunds the provider has confirmed.
        try PaymentLedger.refundBookingIfFullyRefunded(
            payment.bookingId, scope: scope, actorType: "webhook", idempotencyKey: key, connection)
        if let exceeded { return ("refund_exceeds_captured", exceeded) }
        return (changed > 0 ? "applied" : "already_applied", nil)
    }

    /// A refund Itinera asked for, by the provider's id, or by our id in the refund's metadata when
    /// the provider's id is not recorded yet (the webhook may overtake the worker) — never a row that
    /// already carries another provider id.
    private static func knownRefund(
        _ refund: ProviderEvent.Refund, of payment: PaymentLedger.LockedPayment, _ connection: PostgresConnection
    ) throws -> (id: UUID, status: String, amountMinor: Int64)? {
        let row = try connection.query(
            """
            SELECT id, status, amount_minor FROM payment_refunds
            WHERE payment_id = $1
              AND (provider_reference = $2 OR (id = $3 AND provider_reference IS NULL))
            FOR UPDATE
            """, [payment.id, refund.reference, refund.itineraRefundId.flatMap(UUID.init(parsing:))],
            context: "finding a known refund"
        ).rows.first
        guard let row, let id = row[0].flatMap(UUID.init(parsing:)) else { return nil }
        return (id, row[1] ?? "", Int64(row[2] ?? "") ?? 0)
    }

    /// Brings a known refund to what the provider reports; true when that changed it.
    private static func settle(
        _ known: (id: UUID, status: String, amountMinor: Int64), _ refund: ProviderEvent.Refund,
        _ payment: PaymentLedger.LockedPayment, _ scope: RequestScope, _ connection: PostgresConnection
    ) throws -> Bool {
        switch (refund.state, known.status) {
        case (.failed, "failed"), (.pending, "succeeded"), (.succeeded, "succeeded"):
            return false  // nothing new (a pending report after the confirmation is out of order)
        case (.failed, _):
            try RefundRecords.fail(known.id, reason: "The provider reported the refund failed.", connection)
            let bookingStatus = try connection.query(
                "SELECT status FROM bookings WHERE id = $1", [payment.bookingId], context: "reading a booking's status"
            ).first("status")
            let stuck = bookingStatus == BookingStatus.refunded.rawValue
            try notifyStaff(
                "refund_failed", "Refund failed",
                message: "The provider reported refund \(refund.reference) failed; nothing was refunded."
                    + (stuck ? " The booking stays marked refunded although the money was kept: refund again." : ""),
                payment, scope, connection)
            return true
        case (_, "failed"):
            // Given up on (the provider could not be reached), yet the provider made it after all.
            let current = try PaymentLedger.lockPayment(payment.id, connection)
            guard known.amountMinor <= current.capturedMinor - current.refundedMinor else {
                try notifyStaff(
                    "refund_mismatch", "Refund made after it was given up",
                    message: "The provider made refund \(refund.reference), which Itinera had marked failed, "
                        + "and more has been refunded since: check the payment.", payment, scope, connection)
                return false
            }
            try PaymentLedger.count(refundOf: known.amountMinor, against: payment.id, connection)
            try mark(known.id, refund, connection)
            try notifyStaff(
                "refund_recovered", "Refund went through after all",
                message: "The provider made refund \(refund.reference) after Itinera had marked it failed.", payment,
                scope, connection)
            return true
        default:
            try mark(known.id, refund, connection)
            return refund.state == .succeeded
        }
    }

    /// Records the provider's id and, once it has paid the refund out, `succeeded`.
    private static func mark(_ id: UUID, _ refund: ProviderEvent.Refund, _ connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE payment_refunds SET status = $3, provider_reference = $2, failure_reason = NULL, updated_at = now()
            WHERE id = $1
            """, [id, refund.reference, refund.state == .succeeded ? "succeeded" : "pending"],
            context: "recording what the provider reports of a refund")
    }

    private static func notifyStaff(
        _ type: String, _ title: String, message: String, _ payment: PaymentLedger.LockedPayment,
        _ scope: RequestScope, _ connection: PostgresConnection
    ) throws {
        let caller = try scope.caller
        try Notifications.toTeam(
            Notifications.Draft(
                type: type, title: title, message: message, linkPath: "/booking/\(payment.bookingId.lowercased)",
                linkId: payment.bookingId,
                metadata: [
                    "booking_id": .string(payment.bookingId.lowercased), "payment_id": .string(payment.id.lowercased),
                ]), teamId: caller.teamId, actor: nil, connection)
    }

    private static func locate(_ receipt: WebhookReceipt, _ connection: PostgresConnection) throws -> (
        paymentId: UUID, teamId: UUID
    )? {
        let (reference, providerPaymentId): (String?, String?) =
            switch receipt.event.effect {
            case .succeeded(let reference, _, _, _): (reference, nil)
            case .failed(let reference, _): (reference, nil)
            case .refunded(let reference, let providerPaymentId, _, _): (reference, providerPaymentId)
            case .ignored(let reference): (reference, nil)
            }
        guard reference != nil || providerPaymentId != nil else { return nil }
        let row = try connection.query(
            "SELECT payment_id, team_id FROM itinera_payment_for_webhook($1, $2, $3)",
            [receipt.provider, reference, providerPaymentId], context: "finding a webhook's payment"
        ).rows.first
        guard let paymentId = row?[0].flatMap(UUID.init(parsing:)),
            let teamId = row?[1].flatMap(UUID.init(parsing:))
        else { return nil }
        return (paymentId, teamId)
    }

    /// The receipt row; false when this (provider, event id) was received before. A concurrent
    /// duplicate waits here on the unique index until the first one commits.
    private static func insert(
        _ receipt: WebhookReceipt, id: UUID, teamId: UUID?, paymentId: UUID?, _ connection: PostgresConnection
    ) throws -> Bool {
        try connection.query(
            """
            INSERT INTO payment_webhook_events (id, team_id, provider, event_id, event_type, payment_id, headers, body,
                                                verification, outcome)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, 'received')
            ON CONFLICT (provider, event_id) DO NOTHING
            """,
            [
                id, teamId, receipt.provider, receipt.event.id, receipt.event.type, paymentId,
                String(decoding: JSONWriter.bytes(.object(receipt.headers)), as: UTF8.self), receipt.body,
                receipt.verification,
            ], context: "recording a webhook"
        ).affectedRows == 1
    }

    private static func finish(_ id: UUID, outcome: String, detail: String?, _ connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE payment_webhook_events SET outcome = $2, detail = $3 WHERE id = $1", [id, outcome, detail],
            context: "recording a webhook's outcome")
    }
}
