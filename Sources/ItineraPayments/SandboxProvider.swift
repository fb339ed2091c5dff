import Foundation
import ItineraCrypto
import ItineraHTTP

/// The offline checkout: no network. The intent is a page on Itinera's own portal; its "Pay" and
/// "Decline" make the server sign a webhook in the generic format and deliver it to its own
/// webhook endpoint, exactly as a provider would.
///
/// Event format: `{"id","type":"payment.succeeded"|"payment.failed"|"refund.succeeded",
/// "data":{"payment_reference","amount_minor","currency","failure_reason","refund_reference"}}`,
/// signed with `X-Payment-Signature: t=…,v1=…`.
public struct SandboxProvider: PaymentProvider {
    public let name = "sandbox"
    public let webhookSecrets: [String]
    /// The checkout signs its own webhooks: without a secret it cannot work.
    public var canCharge: Bool { !webhookSecrets.isEmpty }

    public init(webhookSecrets: [String]) {
        self.webhookSecrets = webhookSecrets
    }

    public func createIntent(_ request: IntentRequest) throws -> ProviderIntent {
        let reference = request.paymentId.uuidString.lowercased()
        return ProviderIntent(
            reference: reference, payload: ["checkoutUrl": .string("/checkout.html?payment=\(reference)")])
    }

    public func refund(_ request: RefundRequest) throws -> ProviderRefund {
        ProviderRefund(reference: "sbx_re_\(request.refundId.uuidString.lowercased())", status: "succeeded")
    }

    public func verifyWebhook(headers: Headers, body: [UInt8], now: Int64) throws -> Int {
        try TimestampedSignature.verify(
            header: headers["x-payment-signature"], body: body, secrets: webhookSecrets, now: now)
    }

    public func parseEvent(headers: Headers, body: [UInt8]) throws -> ProviderEvent {
        let json = try ProviderHTTP.decode(body)
        guard let id = json["id"]?.string, !id.isEmpty, let type = json["type"]?.string, let data = json["data"],
            let reference = data["payment_reference"]?.string
        else { throw ProviderError.invalidPayload("A sandbox event needs id, type and data.payment_reference.") }
        let currency = data["currency"]?.string?.uppercased() ?? ""
        let effect: ProviderEvent.Effect
        switch type {
        case "payment.succeeded":
            guard let amount = data["amount_minor"]?.int64 else {
                throw ProviderError.invalidPayload("payment.succeeded needs data.amount_minor.")
            }
            effect = .succeeded(reference: reference, amountMinor: amount, currency: currency, providerPaymentId: nil)
        case "payment.failed":
            effect = .failed(
                reference: reference, reason: data["failure_reason"]?.string ?? "The payment was declined.")
        case "refund.succeeded":
            guard let amount = data["amount_minor"]?.int64, let refund = data["refund_reference"]?.string else {
                throw ProviderError.invalidPayload(
                    "refund.succeeded needs data.amount_minor and data.refund_reference.")
            }
            effect = .refunded(
                reference: reference, providerPaymentId: nil, currency: currency,
                refunds: [ProviderEvent.Refund(reference: refund, amountMinor: amount)])
        default:
            effect = .ignored(reference: reference)
        }
        return ProviderEvent(id: id, type: type, effect: effect)
    }

    /// The body of the event a sandbox refund produces once the worker has made it.
    public static func refundEvent(
        eventId: String, paymentReference: String, refundReference: String, amountMinor: Int64, currency: String
    ) -> [UInt8] {
        JSONWriter.bytes(
            .object([
                "id": .string(eventId), "type": .string("refund.succeeded"),
                "data": .object([
                    "payment_reference": .string(paymentReference), "refund_reference": .string(refundReference),
                    "amount_minor": .integer(amountMinor), "currency": .string(currency),
                ]),
            ]))
    }

    /// The body of the event the checkout page's outcome produces.
    public static func checkoutEvent(
        eventId: String, paymentReference: String, succeeded: Bool, amountMinor: Int64, currency: String
    ) -> [UInt8] {
        var data: [String: JSONValue] = [
            "payment_reference": .string(paymentReference), "amount_minor": .integer(amountMinor),
            "currency": .string(currency),
        ]
        if !succeeded { data["failure_reason"] = .string("The customer declined the payment at the sandbox checkout.") }
        return JSONWriter.bytes(
            .object([
                "id": .string(eventId), "type": .string(succeeded ? "payment.succeeded" : "payment.failed"),
                "data": .object(data),
            ]))
    }
}
