import Foundation
import ItineraCrypto
import ItineraHTTP

/// Stripe: PaymentIntents (form-encoded, bearer secret key, `Idempotency-Key`), refunds, and
/// `Stripe-Signature` webhooks.
public struct StripeProvider: PaymentProvider {
    public let name = "stripe"
    let apiBase: String
    let secretKey: String?
    public let webhookSecrets: [String]
    let timeoutMilliseconds: Int

    public var canCharge: Bool { secretKey != nil }

    public init(apiBase: String, secretKey: String?, webhookSecrets: [String], timeoutMilliseconds: Int) {
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.secretKey = secretKey
        self.webhookSecrets = webhookSecrets
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public func createIntent(_ request: IntentRequest) throws -> ProviderIntent {
        let form = FormEncoding.encode([
            ("amount", String(request.amountMinor)), ("currency", request.currency.lowercased()),
            ("automatic_payment_methods[enabled]", "true"),
            // No per-attempt values (such as our payment id): a retry with the same Idempotency-Key
            // must send the same parameters, or Stripe refuses it.
            ("metadata[booking_reference]", request.bookingReference),
            ("description", "Booking \(request.bookingReference)"),
        ])
        let json = try post("/v1/payment_intents", form: form, idempotencyKey: request.idempotencyKey)
        guard let id = json["id"]?.string, let secret = json["client_secret"]?.string else {
            throw ProviderError.failed("stripe answered without a PaymentIntent id and client_secret")
        }
        return ProviderIntent(
            reference: id, payload: ["paymentIntentId": .string(id), "clientSecret": .string(secret)])
    }

    public func refund(_ request: RefundRequest) throws -> ProviderRefund {
        guard let intent = request.paymentReference else { throw ProviderError.failed("the payment has no intent") }
        var pairs = [("payment_intent", intent), ("amount", String(request.amountMinor))]
        pairs.append(("metadata[itinera_refund_id]", request.refundId.uuidString.lowercased()))
        let json = try post("/v1/refunds", form: FormEncoding.encode(pairs), idempotencyKey: request.idempotencyKey)
        guard let id = json["id"]?.string else { throw ProviderError.failed("stripe answered without a refund id") }
        let status = json["status"]?.string
        return ProviderRefund(reference: id, status: status == "succeeded" ? "succeeded" : "pending")
    }

    private func post(_ path: String, form: String, idempotencyKey: String) throws -> JSONValue {
        try ProviderHTTP.call(
            name, "POST", apiBase + path,
            headers: [
                "Authorization: Bearer \(secretKey ?? "")", "Content-Type: application/x-www-form-urlencoded",
                "Idempotency-Key: \(idempotencyKey)",
            ], body: Array(form.utf8), timeoutMilliseconds: timeoutMilliseconds)
    }

    public func verifyWebhook(headers: Headers, body: [UInt8], now: Int64) throws -> Int {
        try TimestampedSignature.verify(
            header: headers["stripe-signature"], body: body, secrets: webhookSecrets, now: now)
    }

    /// `payment_intent.succeeded` / `.payment_failed`, and refunds (`refund.created`, `refund.updated`,
    /// `refund.failed` and `charge.refund.updated` carry one; `charge.refunded` lists the charge's
    /// refunds on API versions that include them).
    public func parseEvent(headers: Headers, body: [UInt8]) throws -> ProviderEvent {
        let json = try ProviderHTTP.decode(body)
        guard let id = json["id"]?.string, let type = json["type"]?.string, let object = json["data"]?["object"] else {
            throw ProviderError.invalidPayload("A Stripe event needs id, type and data.object.")
        }
        let currency = object["currency"]?.string?.uppercased() ?? ""
        let effect: ProviderEvent.Effect
        switch type {
        case "payment_intent.succeeded":
            guard let intent = object["id"]?.string, let amount = (object["amount_received"] ?? object["amount"])?.int64
            else { throw ProviderError.invalidPayload("payment_intent.succeeded needs the intent's id and amount.") }
            effect = .succeeded(
                reference: intent, amountMinor: amount, currency: currency,
                providerPaymentId: object["latest_charge"]?.string)
        case "payment_intent.payment_failed":
            guard let intent = object["id"]?.string else {
                throw ProviderError.invalidPayload("payment_intent.payment_failed needs the intent's id.")
            }
            let reason = object["last_payment_error"]?["message"]?.string ?? "The payment failed."
            effect = .failed(reference: intent, reason: reason)
        case "charge.refunded":
            let refunds = (object["refunds"]?["data"]?.array ?? []).compactMap(Self.refund)
            effect = .refunded(
                reference: object["payment_intent"]?.string, providerPaymentId: object["id"]?.string,
                currency: currency, refunds: refunds)
        case "refund.created", "refund.updated", "refund.failed", "charge.refund.updated":
            effect = .refunded(
                reference: object["payment_intent"]?.string, providerPaymentId: object["charge"]?.string,
                currency: currency, refunds: Self.refund(object).map { [$0] } ?? [])
        default:
            // An intent's own events name it by id; a charge's or refund's by `payment_intent`.
            let intent =
                object["payment_intent"]?.string ?? object["id"]?.string.flatMap { $0.hasPrefix("pi_") ? $0 : nil }
            effect = .ignored(reference: intent)
        }
        return ProviderEvent(id: id, type: type, effect: effect)
    }

    /// One refund object: `succeeded`; `pending` or `requires_action` (not paid out yet); `failed` or
    /// `canceled`.
    private static func refund(_ object: JSONValue) -> ProviderEvent.Refund? {
        guard let id = object["id"]?.string, let amount = object["amount"]?.int64, amount > 0 else { return nil }
        let state: ProviderEvent.Refund.State =
            switch object["status"]?.string {
            case "succeeded": .succeeded
            case "failed", "canceled": .failed
            default: .pending
            }
        return ProviderEvent.Refund(
            reference: id, amountMinor: amount, itineraRefundId: object["metadata"]?["itinera_refund_id"]?.string,
            state: state)
    }
}
