import Foundation
import ItineraCore
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// `POST /api/payments/{id}/refunds`: staff give money back through the payment's provider, or
/// record that an offline payment was given back by hand.
enum RefundHandlers {
    struct Body: Decodable {
        let amountMinor: Int64?
        let reason: String?
        let idempotencyKey: String?
    }

    static let refundScope = "POST /api/payments/{id}/refunds"

    /// Under the payment's row lock: check the amount against what is captured and not yet refunded,
    /// record the refund as `pending` (it counts against the captured amount from now on), and leave
    /// the provider call to the worker (outbox `payment.refund_requested`): the answer does not need
    /// it. Answers 202 with the pending refund. The provider's confirmation (its webhook) settles it,
    /// and moves the booking to `refunded` once everything captured has been refunded; a refusal marks
    /// it `failed`, gives the amount back and tells staff. An offline payment's refund is recorded as
    /// `succeeded` at once (201) and moves the booking like a provider's confirmation would.
    static func create(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let id = try scope.pathId("payment")
        let body = try scope.request.decodeJSON(Body.self)
        var check = Validation()
        check.check(body.amountMinor != nil, "amountMinor", "is required")
        check.check((body.amountMinor ?? 1) > 0, "amountMinor", "must be a positive number of minor units")
        let reason = check.text(body.reason, "reason", 1...500)
        let key = body.idempotencyKey ?? scope.request.headers["idempotency-key"]
        check.check(key != nil, "idempotencyKey", "is required")
        try check.finish()
        let amount = body.amountMinor!

        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: key, scope: refundScope, request: scope.request, teamId: caller.teamId, connection
            ) {
                let payment = try PaymentLedger.lockPayment(id, connection)
                let offline = payment.provider == "manual"
                if !offline { _ = try PaymentHandlers.chargingProvider(payment.provider, scope) }
                guard payment.status == "succeeded" || payment.status == "partially_refunded" else {
                    throw APIError(
                        status: 409, code: "payment_not_refundable",
                        message: "Only captured payments can be refunded; this one is \(payment.status).")
                }
                let refundable = payment.capturedMinor - payment.refundedMinor
                guard amount <= refundable else {
                    throw APIError(
                        status: 422, code: "refund_exceeds_captured",
                        message:
                            "At most \(CurrencyCodes.amountText(refundable, payment.currency)) of this payment can be refunded.",
                        details: .object([
                            "refundableMinor": .integer(refundable), "currency": .string(payment.currency),
                        ]))
                }
                guard
                    let refundId = try PaymentLedger.recordRefund(
                        payment, amountMinor: amount, providerReference: nil, status: offline ? "succeeded" : "pending",
                        source: "staff", reason: reason, createdBy: caller.userId, teamId: caller.teamId, connection)
                else { throw APIError.internalError }
                if offline {
                    // Money given back by hand is back when staff say so: nobody is left to confirm it.
                    try PaymentLedger.refundBookingIfFullyRefunded(
                        payment.bookingId, scope: scope, actorType: "user",
                        idempotencyKey: "refund:\(refundId.lowercased)",
                        connection)
                } else {
                    Outbox.enqueue(
                        connection, teamId: caller.teamId, type: "payment.refund_requested", aggregateId: refundId,
                        payload: ["refund_id": .string(refundId.lowercased), "payment_id": .string(id.lowercased)])
                }
                try Audit.record(
                    connection, scope, action: "payment.refund", table: "payment_refunds", rowId: refundId.lowercased,
                    bookingId: payment.bookingId,
                    details: [
                        "amount": .string(CurrencyCodes.amountText(amount, payment.currency)),
                        "reason": reason.map(JSONValue.string) ?? .null,
                    ])
                let refundJSON = try connection.query(
                    "SELECT \(PaymentLedger.refund)::text AS json FROM payment_refunds r WHERE r.id = $1", [refundId],
                    context: "reading a refund"
                ).first("json")
                return (
                    offline ? 201 : 202,
                    "{\"refund\":\(refundJSON ?? "null"),\"payment\":\(try PaymentLedger.paymentJSON(id, connection))}"
                )
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }
}
