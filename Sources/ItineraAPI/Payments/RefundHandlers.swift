import Foundation
import ItineraCrypto
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// `POST /api/payments/{id}/refunds`: staff give money back through the payment's provider.
enum RefundHandlers {
    struct Body: Decodable {
        let amountMinor: Int64?
        let reason: String?
        let idempotencyKey: String?
    }

    static let refundScope = "POST /api/payments/{id}/refunds"

    /// Under the payment's row lock: check the amount against what is captured and not yet refunded,
    /// ask the provider, record the refund, and move the booking to `refunded` once everything
    /// captured for it has gone back. A provider refusal is recorded as a failed refund (502).
    static func create(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let id = try PaymentHandlers.paymentId(scope)
        let body = try scope.request.decodeJSON(Body.self)
        var check = Validation()
        check.check(body.amountMinor != nil, "amountMinor", "is required")
        check.check((body.amountMinor ?? 1) > 0, "amountMinor", "must be a positive number of minor units")
        let reason = check.text(body.reason, "reason", 1...500)
        let key = body.idempotencyKey ?? scope.request.headers["idempotency-key"]
        check.check(key != nil, "idempotencyKey", "is required")
        try check.finish()
        let amount = body.amountMinor!

        let outcome = try scope.transaction { connection -> PaymentLedger.ProviderCallOutcome in
            let claim = try Idempotency.claim(
                key: key!, scope: refundScope, request: scope.request, teamId: caller.teamId, connection)
            if case .replay(let status, let json) = claim { return .answer(status: status, json: json) }
            let payment = try PaymentLedger.lockPayment(id, connection)
            let provider = try PaymentHandlers.chargingProvider(payment.provider, scope)
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
                        "At most \(PaymentLedger.money(refundable, payment.currency)) of this payment can be refunded.",
                    details: .object(["refundableMinor": .integer(refundable), "currency": .string(payment.currency)]))
            }
            let refundId = UUID()
            let result: ProviderRefund
            do {
                result = try provider.refund(
                    RefundRequest(
                        refundId: refundId, paymentReference: payment.providerReference,
                        providerPaymentId: payment.providerPaymentId, amountMinor: amount, currency: payment.currency,
                        reason: reason,
                        idempotencyKey: "itinera-refund-"
                            + SHA256.hex(Array("\(caller.teamId.lowercased):\(key!)".utf8))
                    ))
            } catch let error as ProviderError {
                try connection.query(
                    """
                    INSERT INTO payment_refunds (id, team_id, payment_id, amount_minor, reason, status, failure_reason,
                                                 created_by)
                    VALUES ($1, $2, $3, $4, $5, 'failed', $6, $7)
                    """,
                    [
                        refundId, caller.teamId, id, amount, reason, String(error.description.prefix(500)),
                        caller.userId,
                    ],
                    context: "recording a refused refund")
                try Idempotency.release(key: key!, scope: refundScope, teamId: caller.teamId, connection)
                return .providerFailed(
                    message: "The payment provider did not make the refund: \(error.description)", details: nil)
            }
            try PaymentLedger.recordRefund(
                payment, amountMinor: amount, providerReference: result.reference, status: result.status,
                source: "staff", reason: reason, createdBy: caller.userId, teamId: caller.teamId, connection)
            try PaymentLedger.refundBookingIfFullyRefunded(
                payment.bookingId, scope: scope, actorType: "user", idempotencyKey: "refund:\(result.reference)",
                connection)
            let refundJSON = try connection.query(
                """
                SELECT \(PaymentLedger.refund)::text AS json FROM payment_refunds r
                WHERE r.payment_id = $1 AND r.provider_reference = $2
                """, [id, result.reference], context: "reading a refund"
            ).first("json")
            let answer = (
                status: 201,
                json:
                    "{\"refund\":\(refundJSON ?? "null"),\"payment\":\(try PaymentLedger.paymentJSON(id, connection))}"
            )
            try Idempotency.store(answer, key: key!, scope: refundScope, teamId: caller.teamId, connection)
            return .answer(status: answer.status, json: answer.json)
        }
        return try outcome.response(scope)
    }
}
