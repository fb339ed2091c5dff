import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// The money side of a booking, shared by intents, webhooks and refunds: the SQL that renders
/// payments, the row locks that keep balances true, and the two lifecycle consequences of money
/// (covered → `payment_confirmed`, fully refunded → `refunded`).
enum PaymentLedger {
    /// A payment as JSON (`p` payments); refunds are listed by `paymentWithRefunds`.
    static let payment = """
        json_build_object(
            'id', p.id, 'booking_id', p.booking_id, 'provider', p.provider, 'provider_reference', p.provider_reference,
            'status', p.status, 'amount_minor', p.amount_minor, 'currency', p.currency,
            'captured_minor', p.captured_minor, 'refunded_minor', p.refunded_minor, 'failure_reason', p.failure_reason,
            'webhook_event_id', p.webhook_event_id, 'method', p.method, 'reference', p.offline_reference,
            'received_on', p.received_on,
            'recorded_by', CASE WHEN itinera_is_staff() THEN p.created_by END,
            'checkout_url', CASE WHEN p.provider = 'sandbox' THEN '/checkout.html?payment=' || p.id END,
            'created_at', p.created_at, 'updated_at', p.updated_at)
        """

    static let refund = """
        json_build_object(
            'id', r.id, 'payment_id', r.payment_id, 'amount_minor', r.amount_minor, 'reason', r.reason,
            'status', r.status, 'source', r.source, 'provider_reference', r.provider_reference,
            'failure_reason', r.failure_reason, 'created_at', r.created_at)
        """

    static let paymentWithRefunds = """
        (\(payment)::jsonb || jsonb_build_object('refunds', coalesce((SELECT jsonb_agg(\(refund)::jsonb
            ORDER BY r.created_at) FROM payment_refunds r WHERE r.payment_id = p.id), '[]')))
        """

    static func paymentJSON(_ id: UUID, _ connection: PostgresConnection) throws -> String {
        try connection.query(
            "SELECT \(paymentWithRefunds)::text AS json FROM payments p WHERE p.id = $1", [id],
            context: "reading a payment"
        ).first("json") ?? "null"
    }

    /// A booking locked for a money change, with what its payments add up to.
    struct LockedBooking {
        let id: UUID
        let status: BookingStatus
        let reference: String
        let currency: String
        let totalMinor: Int64
        let customerId: String?
        /// Captured by succeeded payments in the booking's currency.
        let capturedMinor: Int64
        let refundedMinor: Int64
        /// Refunds the provider has confirmed (pending ones already count in `refundedMinor`).
        let settledRefundsMinor: Int64
        /// Intents of the last hour still waiting for the customer: they hold part of the balance, so
        /// two checkouts cannot charge the same balance twice.
        let openMinor: Int64

        /// What the payments hold toward the total: captured minus refunded. A deposit refunded while
        /// payment is awaited is owed again; a refund after that does not reopen the booking (nothing
        /// takes payments any more), it only shows in the outstanding figure while payment is awaited.
        var heldMinor: Int64 { capturedMinor - refundedMinor }
        /// What is still to be paid toward the total.
        var outstandingMinor: Int64 { max(0, totalMinor - heldMinor) }
    }

    static func lockBooking(_ id: UUID, _ connection: PostgresConnection) throws -> LockedBooking {
        // Two statements on purpose: the sums must come from a snapshot taken after the lock was
        // granted, or a payment committed by the transaction we waited for would be missed.
        let locked = try connection.query(
            "SELECT 1 FROM bookings WHERE id = $1 FOR UPDATE", [id], context: "locking a booking")
        guard !locked.rows.isEmpty else { throw APIError.notFound("No such booking.") }
        let result = try connection.query(
            """
            SELECT b.status, b.booking_reference, b.currency, b.total_minor, b.customer_id,
                   coalesce(sum(p.captured_minor) FILTER (WHERE p.currency = b.currency), 0) AS captured,
                   coalesce(sum(p.refunded_minor) FILTER (WHERE p.currency = b.currency), 0) AS refunded,
                   coalesce(sum(p.amount_minor) FILTER (WHERE p.status IN ('requires_action', 'processing')
                                                      AND p.created_at > now() - interval '1 hour'), 0) AS open,
                   (SELECT coalesce(sum(r.amount_minor), 0) FROM payment_refunds r
                    JOIN payments rp ON rp.id = r.payment_id
                    WHERE rp.booking_id = b.id AND rp.currency = b.currency AND r.status = 'succeeded') AS settled
            FROM bookings b
            LEFT JOIN payments p ON p.booking_id = b.id
            WHERE b.id = $1
            GROUP BY b.id, b.status, b.booking_reference, b.currency, b.total_minor, b.customer_id
            """, [id], context: "adding up a booking's payments")
        guard let row = result.rows.first, let status = row[0].flatMap(BookingStatus.init(rawValue:)) else {
            throw APIError.notFound("No such booking.")
        }
        return LockedBooking(
            id: id, status: status, reference: row[1] ?? "", currency: row[2] ?? "",
            totalMinor: Int64(row[3] ?? "") ?? 0, customerId: row[4], capturedMinor: Int64(row[5] ?? "") ?? 0,
            refundedMinor: Int64(row[6] ?? "") ?? 0, settledRefundsMinor: Int64(row[8] ?? "") ?? 0,
            openMinor: Int64(row[7] ?? "") ?? 0)
    }

    /// A payment locked for a change.
    struct LockedPayment {
        let id: UUID
        let bookingId: UUID
        let provider: String
        let providerReference: String?
        let providerPaymentId: String?
        let status: String
        let amountMinor: Int64
        let currency: String
        let capturedMinor: Int64
        let refundedMinor: Int64

        var isCaptured: Bool { ["succeeded", "partially_refunded", "refunded"].contains(status) }
    }

    static func lockPayment(_ id: UUID, _ connection: PostgresConnection) throws -> LockedPayment {
        let result = try connection.query(
            """
            SELECT booking_id, provider, provider_reference, provider_payment_id, status, amount_minor, currency,
                   captured_minor, refunded_minor
            FROM payments WHERE id = $1 FOR UPDATE
            """, [id], context: "locking a payment")
        guard let row = result.rows.first, let bookingId = row[0].flatMap(UUID.init(parsing:)) else {
            throw APIError.notFound("No such payment.")
        }
        return LockedPayment(
            id: id, bookingId: bookingId, provider: row[1] ?? "", providerReference: row[2], providerPaymentId: row[3],
            status: row[4] ?? "", amountMinor: Int64(row[5] ?? "") ?? 0, currency: row[6] ?? "",
            capturedMinor: Int64(row[7] ?? "") ?? 0, refundedMinor: Int64(row[8] ?? "") ?? 0)
    }

    /// Adds a refund to a locked payment (pending refunds count too: the money is promised). The CHECK
    /// on `payments` (refunded ≤ captured) backs the callers' own check. Returns the refund's id, or
    /// nil when `providerReference` was recorded before.
    @discardableResult
    static func recordRefund(
        _ payment: LockedPayment, amountMinor: Int64, providerReference: String?, status: String, source: String,
        reason: String?, createdBy: UUID?, teamId: UUID, _ connection: PostgresConnection
    ) throws -> UUID? {
        let id = UUID()
        let inserted = try connection.query(
            """
            INSERT INTO payment_refunds (id, team_id, payment_id, amount_minor, reason, status, source,
                                         provider_reference, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (payment_id, provider_reference) WHERE provider_reference IS NOT NULL DO NOTHING
            """, [id, teamId, payment.id, amountMinor, reason, status, source, providerReference, createdBy],
            context: "recording a refund")
        guard inserted.affectedRows == 1 else { return nil }
        try count(refundOf: amountMinor, against: payment.id, connection)
        return id
    }

    /// Counts a refund against its payment (the booking's paid amount follows, by trigger).
    static func count(refundOf amountMinor: Int64, against paymentId: UUID, _ connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE payments SET refunded_minor = refunded_minor + $2,
                   status = CASE WHEN refunded_minor + $2 >= captured_minor THEN 'refunded'
                                 ELSE 'partially_refunded' END,
                   updated_at = now()
            WHERE id = $1
            """, [paymentId, amountMinor], context: "adding a refund to its payment")
    }

    /// Moves the booking to `refunded` once the provider has confirmed refunds for everything captured.
    /// A booking still waiting for payment stays: the deposit given back is owed again, and staff
    /// cancel the booking when it is not to go ahead.
    static func refundBookingIfFullyRefunded(
        _ bookingId: UUID, scope: RequestScope, actorType: String, idempotencyKey: String,
        _ connection: PostgresConnection
    ) throws {
        let booking = try lockBooking(bookingId, connection)
        guard booking.capturedMinor > 0, booking.settledRefundsMinor >= booking.capturedMinor,
            !Lifecycle.awaitingPayment.contains(booking.status), Lifecycle.canMove(from: booking.status, to: .refunded)
        else { return }
        try LifecycleHandlers.move(
            connection, scope: scope, bookingId: bookingId, to: .refunded, actorType: actorType,
            actorId: try scope.caller.userId?.lowercased, note: "Everything paid was refunded.", metadata: [:],
            idempotencyKey: idempotencyKey)
    }

    /// Money is taken only once a booking is made and until it is paid (`booking_created`,
    /// `payment_pending`: covering it then confirms it), in the booking's own currency.
    static func requireTakesPayments(_ booking: LockedBooking, currency: String?) throws {
        guard [.bookingCreated, .paymentPending].contains(booking.status) else {
            throw APIError(
                status: 409, code: "booking_not_payable",
                message: "A booking in \(booking.status.rawValue) does not take payments.")
        }
        if let currency, currency != booking.currency {
            throw APIError(
                status: 422, code: "currency_mismatch", message: "This booking is paid in \(booking.currency).")
        }
    }

    /// A move to `payment_confirmed` by hand must find the money there: 409 `payment_outstanding`
    /// with the amounts while the payments (captured less refunded) do not cover the total. A booking
    /// that cannot make the move at all is left to the lifecycle's own answer.
    static func requireCovered(_ bookingId: UUID, _ connection: PostgresConnection) throws {
        let booking = try lockBooking(bookingId, connection)
        guard Lifecycle.canMove(from: booking.status, to: .paymentConfirmed), booking.outstandingMinor > 0 else {
            return
        }
        throw APIError(
            status: 409, code: "payment_outstanding",
            message: "\(CurrencyCodes.amountText(booking.outstandingMinor, booking.currency)) of "
                + "\(CurrencyCodes.amountText(booking.totalMinor, booking.currency)) is still to be paid: "
                + "record the payment (an offline one for a transfer, cash or a card terminal) instead.",
            details: .object([
                "totalMinor": .integer(booking.totalMinor), "paidMinor": .integer(booking.heldMinor),
                "outstandingMinor": .integer(booking.outstandingMinor), "currency": .string(booking.currency),
            ]))
    }

    /// Moves a booking waiting for money to `payment_confirmed` once what its payments hold covers its
    /// total (a capture, or staff taking an item off); returns what is still outstanding.
    static func confirmBookingIfCovered(
        _ bookingId: UUID, scope: RequestScope, idempotencyKey: String, _ connection: PostgresConnection,
        actor: (type: String, id: String?) = ("webhook", nil)
    ) throws -> Int64 {
        let booking = try lockBooking(bookingId, connection)
        let outstanding = booking.outstandingMinor
        guard outstanding == 0, [.bookingCreated, .paymentPending].contains(booking.status) else { return outstanding }
        if booking.status == .bookingCreated {
            try LifecycleHandlers.move(
                connection, scope: scope, bookingId: bookingId, to: .paymentPending, actorType: actor.type,
                actorId: actor.id, note: "Payment received.", metadata: [:], idempotencyKey: nil)
        }
        try LifecycleHandlers.move(
            connection, scope: scope, bookingId: bookingId, to: .paymentConfirmed, actorType: actor.type,
            actorId: actor.id, note: "The payments cover the booking total.", metadata: [:],
            idempotencyKey: idempotencyKey)
        return 0
    }

    /// How a transaction that called a provider ends: an answer (already stored under the idempotency
    /// key), or the provider's refusal, recorded and committed, then answered 502.
    enum ProviderCallOutcome {
        case answer(status: Int, json: String)
        case providerFailed(message: String, details: JSONValue?)

        func response(_ scope: RequestScope) throws -> Response {
            switch self {
            case .answer(let status, let json):
                return scope.ok(jsonText: json, status: status)
            case .providerFailed(let message, let details):
                throw APIError(status: 502, code: "provider_error", message: message, details: details)
            }
        }
    }
}
