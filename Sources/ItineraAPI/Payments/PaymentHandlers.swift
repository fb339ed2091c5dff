import Foundation
import ItineraCore
import ItineraCrypto
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// Payment intents, the payments of a booking, and the sandbox checkout's outcome.
enum PaymentHandlers {
    struct IntentBody: Decodable {
        let bookingId: String?
        let provider: String?
        let amountMinor: Int64?
        let currency: String?
        let idempotencyKey: String?
    }

    static let intentScope = "POST /api/payments/create-intent"

    /// `POST /api/payments/create-intent` (staff, or the booking's customer). In one transaction:
    /// lock the booking, check the amount against the balance, record the payment, ask the
    /// provider for the intent (the answer needs it), and move a `booking_created` booking to
    /// `payment_pending`. A provider refusal commits the payment as `failed` with the reason and
    /// answers 502; a crash rolls everything back, and the retry reuses the provider-side key.
    static func createIntent(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let body = try scope.request.decodeJSON(IntentBody.self)
        var check = Validation()
        let bookingId = check.uuid(body.bookingId, "bookingId")
        check.check(
            body.provider.map(PaymentProviders.names.contains) ?? false, "provider",
            "must be one of \(PaymentProviders.names.joined(separator: ", "))")
        check.check((body.amountMinor ?? 1) > 0, "amountMinor", "must be a positive number of minor units")
        let currency = body.currency == nil ? nil : check.currency(body.currency, "currency")
        let key = body.idempotencyKey ?? scope.request.headers["idempotency-key"]
        check.check(key != nil, "idempotencyKey", "is required")
        try check.finish()
        let provider = try chargingProvider(body.provider!, scope)
        // Per user, not only per team: the stored answer holds the client secret of the intent.
        let keyScope = "\(intentScope) \(caller.userId?.lowercased ?? "")"

        let outcome = try scope.transaction { connection -> PaymentLedger.ProviderCallOutcome in
            let claim = try Idempotency.claim(
                key: key!, scope: keyScope, request: scope.request, teamId: caller.teamId, connection)
            if case .replay(let status, let json) = claim { return .answer(status: status, json: json) }
            let booking = try PaymentLedger.lockBooking(bookingId!, connection)
            let amount = try payableAmount(booking, requested: body.amountMinor, currency: currency)
            let paymentId = UUID()
            try connection.query(
                """
                INSERT INTO payments (id, team_id, booking_id, customer_id, provider, amount_minor, currency, status,
                                      created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 'processing', $8)
                """,
                [
                    paymentId, caller.teamId, booking.id, booking.customerId, provider.name, amount, booking.currency,
                    caller.userId,
                ], context: "recording a payment")
            let intent: ProviderIntent
            do {
                intent = try provider.createIntent(
                    IntentRequest(
                        paymentId: paymentId, bookingReference: booking.reference, amountMinor: amount,
                        currency: booking.currency,
                        idempotencyKey: "itinera-"
                            + SHA256.hex(Array("\(keyScope):\(caller.teamId.lowercased):\(key!)".utf8))))
            } catch let error as ProviderError {
                try connection.query(
                    "UPDATE payments SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1",
                    [paymentId, error.description.prefix(codePoints: 500)], context: "recording a provider refusal")
                try Idempotency.release(key: key!, scope: keyScope, teamId: caller.teamId, connection)
                return .providerFailed(
                    message: "The payment provider did not create the payment: \(error.description)",
                    details: .object(["paymentId": .string(paymentId.lowercased)]))
            }
            try connection.query(
                """
                UPDATE payments SET status = 'requires_action', provider_reference = $2, updated_at = now()
                WHERE id = $1
                """, [paymentId, intent.reference], context: "recording the provider's intent")
            if booking.status == .bookingCreated {
                try LifecycleHandlers.move(
                    connection, scope: scope, bookingId: booking.id, to: .paymentPending,
                    actorType: caller.role == .customer ? "customer" : "user", actorId: caller.userId?.lowercased,
                    note:
                        "Payment requested: \(CurrencyCodes.amountText(amount, booking.currency)) by \(provider.name).",
                    metadata: ["payment_id": .string(paymentId.lowercased)], idempotencyKey: nil)
            }
            let payload = String(decoding: JSONWriter.bytes(.object(intent.payload)), as: UTF8.self)
            let answer = (
                status: 200,
                json:
                    "{\"payment\":\(try PaymentLedger.paymentJSON(paymentId, connection)),\"providerPayload\":\(payload)}"
            )
            Idempotency.store(answer, key: key!, scope: keyScope, teamId: caller.teamId, connection)
            return .answer(status: answer.status, json: answer.json)
        }
        return try outcome.response(scope)
    }

    /// The amount an intent may take: the requested one, or the whole balance; never more than the
    /// balance left once captured money and other open intents are counted.
    static func payableAmount(_ booking: PaymentLedger.LockedBooking, requested: Int64?, currency: String?) throws
        -> Int64
    {
        try PaymentLedger.requireTakesPayments(booking, currency: currency)
        let outstanding = booking.outstandingMinor
        let balance = outstanding - booking.openMinor
        let details = JSONValue.object([
            "outstandingMinor": .integer(outstanding), "openIntentsMinor": .integer(booking.openMinor),
            "balanceMinor": .integer(max(0, balance)), "currency": .string(booking.currency),
        ])
        guard balance > 0 else {
            throw APIError(
                status: 422, code: "nothing_outstanding",
                message: outstanding == 0
                    ? "Nothing is left to pay on this booking."
                    : "Open payments already cover the balance: finish or let them expire first.",
                details: details)
        }
        let amount = requested ?? balance
        guard amount <= balance else {
            throw APIError(
                status: 422, code: "amount_exceeds_balance",
                message: "At most \(CurrencyCodes.amountText(balance, booking.currency)) can be paid now.",
                details: details)
        }
        return amount
    }

    /// The provider `name` when it can take payments here; 503 without saying which setting is missing.
    static func chargingProvider(_ name: String, _ scope: RequestScope) throws -> any PaymentProvider {
        guard let provider = scope.context.payments[name], provider.canCharge else {
            throw APIError.providerNotConfigured(name)
        }
        return provider
    }

    /// `GET /api/payments/{id}`: one payment, for whoever sees its booking.
    static func get(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("payment")
        let json = try scope.transaction { connection in
            try connection.query(
                """
                SELECT (\(PaymentLedger.paymentWithRefunds) || jsonb_build_object(
                           'booking_reference', b.booking_reference, 'booking_status', b.status))::text AS json
                FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE p.id = $1
                """, [id], context: "reading a payment"
            ).first("json")
        }
        guard let json else { throw APIError.notFound("No such payment.") }
        return scope.ok(jsonText: json)
    }

    /// `GET /api/bookings/{id}/payments` (and the customer's own): payments with their refunds, and
    /// captured, refunded and outstanding totals per currency, with what open checkouts of the last
    /// hour hold (`open_minor`: a new payment can take only the outstanding amount less that).
    static func bookingPayments(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let json = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object(
                    'booking', json_build_object('id', b.id, 'booking_reference', b.booking_reference,
                        'status', b.status, 'currency', b.currency, 'total_minor', b.total_minor),
                    'payments', coalesce((SELECT json_agg(\(PaymentLedger.paymentWithRefunds) ORDER BY p.created_at)
                                          FROM payments p WHERE p.booking_id = b.id), '[]'),
                    'totals', (SELECT json_agg(json_build_object('currency', t.currency,
                                   'captured_minor', t.captured, 'refunded_minor', t.refunded,
                                   'outstanding_minor', CASE WHEN t.currency <> b.currency
                                                                  OR b.status IN ('cancelled', 'refunded') THEN 0
                                       WHEN b.status = ANY ($2) THEN greatest(0, b.total_minor - t.captured + t.refunded)
                                       ELSE greatest(0, b.total_minor - t.captured) END,
                                   'open_minor', t.open)
                                   ORDER BY t.currency <> b.currency, t.currency)
                               FROM (SELECT x.currency, sum(x.captured) AS captured, sum(x.refunded) AS refunded,
                                            sum(x.open) AS open
                                     FROM (SELECT b.currency, 0::bigint AS captured, 0::bigint AS refunded,
                                                  0::bigint AS open
                                           UNION ALL
                                           SELECT p.currency, p.captured_minor, p.refunded_minor,
                                                  CASE WHEN p.status IN ('requires_action', 'processing')
                                                            AND p.created_at > now() - interval '1 hour'
                                                       THEN p.amount_minor ELSE 0 END
                                           FROM payments p WHERE p.booking_id = b.id) x
                                     GROUP BY x.currency) t)
                )::text AS json
                FROM bookings b WHERE b.id = $1
                """, [bookingId, Lifecycle.awaitingPayment.map(\.rawValue).sorted()],
                context: "reading a booking's payments"
            ).first("json")
        }
        guard let json else { throw APIError.notFound("No such booking.") }
        return scope.ok(jsonText: json)
    }

    struct CompleteBody: Decodable {
        let outcome: String?
    }

    /// `POST /api/payments/{id}/sandbox/complete` `{"outcome":"succeeded"|"failed"}`: the sandbox
    /// checkout's "Pay" or "Decline". The payment becomes `processing`; the worker signs the
    /// provider-style webhook and delivers it through nginx, and that webhook settles the payment.
    static func sandboxComplete(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("payment")
        let body = try scope.request.decodeJSON(CompleteBody.self)
        var check = Validation()
        check.check(
            body.outcome == "succeeded" || body.outcome == "failed", "outcome", "must be succeeded or failed")
        try check.finish()
        _ = try chargingProvider("sandbox", scope)
        let caller = try scope.caller
        let json = try scope.transaction { connection in
            let payment = try PaymentLedger.lockPayment(id, connection)
            guard payment.provider == "sandbox", let reference = payment.providerReference else {
                throw APIError(
                    status: 409, code: "not_a_sandbox_payment", message: "Only sandbox payments check out here.")
            }
            guard payment.status == "requires_action" else {
                throw APIError(
                    status: 409, code: "payment_not_open",
                    message: "This payment is \(payment.status.replacingOccurrences(of: "_", with: " ")) already.",
                    details: .object(["status": .string(payment.status)]))
            }
            // Declining is always possible; paying only while the booking takes payments.
            let booking = try PaymentLedger.lockBooking(payment.bookingId, connection)
            guard body.outcome == "failed" || [.bookingCreated, .paymentPending].contains(booking.status) else {
                throw APIError(
                    status: 409, code: "booking_not_payable",
                    message: "A booking in \(booking.status.rawValue) does not take payments.")
            }
            try connection.query(
                "UPDATE payments SET status = 'processing', updated_at = now() WHERE id = $1", [id],
                context: "marking a payment processing")
            let event = SandboxProvider.checkoutEvent(
                eventId: "evt_sbx_\(Hex.encode(SecureRandom.bytes(12)))", paymentReference: reference,
                succeeded: body.outcome == "succeeded", amountMinor: payment.amountMinor, currency: payment.currency)
            Outbox.enqueue(
                connection, teamId: caller.teamId, type: "payment.sandbox_webhook", aggregateId: id,
                payload: ["body": .string(String(decoding: event, as: UTF8.self))])
            return try PaymentLedger.paymentJSON(id, connection)
        }
        return scope.ok(jsonText: "{\"payment\":\(json)}", status: 202)
    }
}

extension APIError {
    /// 503: the provider lacks credentials or secrets here. The message never names the setting.
    static func providerNotConfigured(_ provider: String) -> APIError {
        APIError(
            status: 503, code: "provider_not_configured",
            message: "Payments through \(provider) are not configured on this server.")
    }
}
