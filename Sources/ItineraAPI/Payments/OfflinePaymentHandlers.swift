import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// `POST /api/bookings/{id}/payments/offline`: staff record money that arrived outside a provider
/// (bank transfer, cash, card terminal, cheque). It is a payment of provider `manual` in the same
/// ledger, captured when recorded, refundable like any other; once the payments cover the total
/// the booking moves on to `payment_confirmed` by itself, as with a provider's payment.
enum OfflinePaymentHandlers {
    struct Body: Decodable {
        let amountMinor: Int64?
        let currency: String?
        let method: String?
        let reference: String?
        let receivedOn: String?
        let idempotencyKey: String?
    }

    static let methods = ["bank_transfer", "cash", "card_terminal", "cheque", "other"]
    static let methodNames = [
        "bank_transfer": "bank transfer", "cash": "cash", "card_terminal": "card terminal", "cheque": "cheque",
        "other": "other means",
    ]
    static let scopeName = "POST /api/bookings/{id}/payments/offline"

    /// Under the booking's lock: the booking must take payments and the amount fit what is
    /// outstanding (422 `amount_exceeds_balance` otherwise, so nothing is recorded twice by mistake).
    /// Answers 201 with the payment and the booking's status after it.
    static func record(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let bookingId = try scope.pathId("booking")
        let body = try scope.request.decodeJSON(Body.self)
        var check = Validation()
        check.check(body.amountMinor != nil, "amountMinor", "is required")
        check.check((body.amountMinor ?? 1) > 0, "amountMinor", "must be a positive number of minor units")
        let currency = body.currency == nil ? nil : check.currency(body.currency, "currency")
        check.check(body.method != nil, "method", "is required")
        check.check(
            body.method.map(methods.contains) ?? true, "method", "must be one of \(methods.joined(separator: ", "))")
        let reference = check.text(body.reference, "reference", 1...200)
        let receivedOn = check.day(body.receivedOn, "receivedOn", example: "2026-12-01")
        // A day is taken as its midnight UTC; staff east of UTC may already be on tomorrow's date.
        check.check(
            receivedOn.map { $0 <= Date().addingTimeInterval(14 * 3600) } ?? true, "receivedOn",
            "must not be in the future")
        let key = body.idempotencyKey ?? scope.request.headers["idempotency-key"]
        check.check(key != nil, "idempotencyKey", "is required")
        try check.finish()
        let amount = body.amountMinor!

        let answer = try scope.transaction { connection in
            try Idempotency.once(key: key, scope: scopeName, request: scope.request, teamId: caller.teamId, connection)
            {
                let booking = try PaymentLedger.lockBooking(bookingId, connection)
                try checkPayable(booking, amount: amount, currency: currency)
                let paymentId = UUID()
                try connection.query(
                    """
                    INSERT INTO payments (id, team_id, booking_id, customer_id, provider, amount_minor, currency, status,
                                          captured_minor, method, offline_reference, received_on, created_by)
                    VALUES ($1, $2, $3, $4, 'manual', $5, $6, 'succeeded', $5, $7, $8,
                            coalesce($9::date, (now() AT TIME ZONE 'UTC')::date), $10)
                    """,
                    [
                        paymentId, caller.teamId, booking.id, booking.customerId, amount, booking.currency,
                        body.method!, reference, body.receivedOn, caller.userId,
                    ], context: "recording an offline payment")
                let amountText = CurrencyCodes.amountText(amount, booking.currency)
                try Audit.record(
                    connection, scope, action: "payment.offline", table: "payments", rowId: paymentId.lowercased,
                    bookingId: booking.id,
                    details: [
                        "amount": .string(amountText), "method": .string(methodNames[body.method!] ?? body.method!),
                        "reference": reference.map(JSONValue.string) ?? .null,
                    ])
                let outstanding = try PaymentLedger.confirmBookingIfCovered(
                    booking.id, scope: scope, idempotencyKey: "offline:\(paymentId.lowercased)", connection,
                    actor: ("user", caller.userId?.lowercased))
                if outstanding > 0 && booking.status == .bookingCreated {
                    // Part of the money is in: the booking is now awaiting the rest, as after a checkout.
                    try LifecycleHandlers.move(
                        connection, scope: scope, bookingId: booking.id, to: .paymentPending, actorType: "user",
                        actorId: caller.userId?.lowercased,
                        note: "Payment received: \(amountText) by \(methodNames[body.method!] ?? body.method!).",
                        metadata: ["payment_id": .string(paymentId.lowercased)], idempotencyKey: nil)
                }
                let status = try connection.query(
                    "SELECT status FROM bookings WHERE id = $1", [booking.id], context: "reading the booking's status"
                ).first("status")
                let payment = try PaymentLedger.paymentJSON(paymentId, connection)
                return (
                    201,
                    "{\"payment\":\(payment),\"booking\":{\"id\":\"\(booking.id.lowercased)\","
                        + "\"status\":\"\(status ?? "")\",\"outstanding_minor\":\(outstanding)}}"
                )
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    /// Only a booking created or awaiting payment takes money, in its own currency, up to what is outstanding.
    static func checkPayable(_ booking: PaymentLedger.LockedBooking, amount: Int64, currency: String?) throws {
        try PaymentLedger.requireTakesPayments(booking, currency: currency)
        let outstanding = booking.outstandingMinor
        guard amount <= outstanding else {
            throw APIError(
                status: 422, code: outstanding == 0 ? "nothing_outstanding" : "amount_exceeds_balance",
                message: outstanding == 0
                    ? "Nothing is left to pay on this booking."
                    : "At most \(CurrencyCodes.amountText(outstanding, booking.currency)) is outstanding.",
                details: .object([
                    "outstandingMinor": .integer(outstanding), "currency": .string(booking.currency),
                ]))
        }
    }
}
