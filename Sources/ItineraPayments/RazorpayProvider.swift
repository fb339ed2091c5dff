import Foundation
import ItineraCrypto
import ItineraHTTP

/// Razorpay: Orders (JSON, basic auth with key id and secret), refunds on the captured payment,
/// and `X-Razorpay-Signature` webhooks (no timestamp: the event id dedupes replays).
public struct RazorpayProvider: PaymentProvider {
    public let name = "razorpay"
    let apiBase: String
    let keyId: String?
    let keySecret: String?
    public let webhookSecrets: [String]
    let timeoutMilliseconds: Int

    public var canCharge: Bool { keyId != nil && keySecret != nil }

    public init(apiBase: String, keyId: String?, keySecret: String?, webhookSecrets: [String], timeoutMilliseconds: Int)
    {
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.keyId = keyId
        self.keySecret = keySecret
        self.webhookSecrets = webhookSecrets
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public func createIntent(_ request: IntentRequest) throws -> ProviderIntent {
        let body = JSONValue.object([
            "amount": .integer(request.amountMinor), "currency": .string(request.currency),
            // Razorpay caps receipts at 40 characters.
            "receipt": .string(String(request.paymentId.uuidString.lowercased().prefix(40))),
            "notes": .object([
                "itinera_payment_id": .string(request.paymentId.uuidString.lowercased()),
                "booking_reference": .string(request.bookingReference),
            ]),
        ])
        let json = try post("/v1/orders", body)
        guard let order = json["id"]?.string else {
            throw ProviderError.failed("razorpay answered without an order id")
        }
        return ProviderIntent(
            reference: order,
            payload: [
                "orderId": .string(order), "keyId": .string(keyId ?? ""), "amountMinor": .integer(request.amountMinor),
                "currency": .string(request.currency),
            ])
    }

    public func refund(_ request: RefundRequest) throws -> ProviderRefund {
        guard let payment = request.providerPaymentId else {
            throw ProviderError.failed("razorpay has not reported the captured payment's id yet")
        }
        // Razorpay takes no idempotency key: a retry first looks for the refund an earlier attempt
        // may have made (our refund id is in its notes), so the money never goes back twice.
        let existing = try ProviderHTTP.call(
            name, "GET", apiBase + "/v1/payments/\(payment)/refunds?count=100", headers: [], body: nil,
            basicAuth: (keyId ?? "", keySecret ?? ""), timeoutMilliseconds: timeoutMilliseconds)
        let ours = request.refundId.uuidString.lowercased()
        if let made = existing["items"]?.array?.first(where: { $0["notes"]?["itinera_refund_id"]?.string == ours }),
            let id = made["id"]?.string
        {
            return ProviderRefund(
                reference: id, status: made["status"]?.string == "processed" ? "succeeded" : "pending")
        }
        let json = try post(
            "/v1/payments/\(payment)/refund",
            .object([
                "amount": .integer(request.amountMinor),
                "notes": .object(["itinera_refund_id": .string(request.refundId.uuidString.lowercased())]),
            ]))
        guard let id = json["id"]?.string else { throw ProviderError.failed("razorpay answered without a refund id") }
        return ProviderRefund(reference: id, status: json["status"]?.string == "processed" ? "succeeded" : "pending")
    }

    private func post(_ path: String, _ body: JSONValue) throws -> JSONValue {
        try ProviderHTTP.call(
            name, "POST", apiBase + path, headers: ["Content-Type: application/json"], body: JSONWriter.bytes(body),
            basicAuth: (keyId ?? "", keySecret ?? ""), timeoutMilliseconds: timeoutMilliseconds)
    }

    public func verifyWebhook(headers: Headers, body: [UInt8], now: Int64) throws -> Int {
        try BodySignature.verify(header: headers["x-razorpay-signature"], body: body, secrets: webhookSecrets)
    }

    /// `payment.captured` / `order.paid`, `payment.failed`, `refund.processed` / `refund.created` /
    /// `refund.failed`. The event's id for deduplication is the SHA-256 of the signed body: the
    /// `X-Razorpay-Event-Id` header is not covered by the signature, so a replayed body with a new
    /// header must still count as the same event (Razorpay's retries send the same body).
    public func parseEvent(headers: Headers, body: [UInt8]) throws -> ProviderEvent {
        let json = try ProviderHTTP.decode(body)
        guard let type = json["event"]?.string else {
            throw ProviderError.invalidPayload("A Razorpay event needs event.")
        }
        let id = "sha256:" + SHA256.hex(body)
        let payment = json["payload"]?["payment"]?["entity"]
        let effect: ProviderEvent.Effect
        switch type {
        case "payment.captured", "order.paid":
            guard let payment, let order = payment["order_id"]?.string, let amount = payment["amount"]?.int64 else {
                throw ProviderError.invalidPayload("\(type) needs payload.payment.entity with order_id and amount.")
            }
            effect = .succeeded(
                reference: order, amountMinor: amount, currency: payment["currency"]?.string?.uppercased() ?? "",
                providerPaymentId: payment["id"]?.string)
        case "payment.failed":
            guard let order = payment?["order_id"]?.string else {
                throw ProviderError.invalidPayload("payment.failed needs payload.payment.entity.order_id.")
            }
            effect = .failed(
                reference: order, reason: payment?["error_description"]?.string ?? "The payment failed.")
        case "refund.processed", "refund.created", "refund.failed":
            guard let refund = json["payload"]?["refund"]?["entity"], let refundId = refund["id"]?.string,
                let amount = refund["amount"]?.int64, let paymentId = refund["payment_id"]?.string
            else {
                throw ProviderError.invalidPayload("\(type) needs payload.refund.entity with id, amount, payment_id.")
            }
            effect = .refunded(
                reference: payment?["order_id"]?.string, providerPaymentId: paymentId,
                currency: refund["currency"]?.string?.uppercased() ?? "",
                refunds: [
                    ProviderEvent.Refund(
                        reference: refundId, amountMinor: amount,
                        itineraRefundId: refund["notes"]?["itinera_refund_id"]?.string,
                        state: type == "refund.failed" || refund["status"]?.string == "failed"
                            ? .failed
                            : type == "refund.processed" || refund["status"]?.string == "processed"
                                ? .succeeded : .pending)
                ])
        default:
            effect = .ignored(
                reference: payment?["order_id"]?.string ?? json["payload"]?["order"]?["entity"]?["id"]?.string)
        }
        return ProviderEvent(id: id, type: type, effect: effect)
    }
}
