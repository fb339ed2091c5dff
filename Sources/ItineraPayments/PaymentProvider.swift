import Foundation
import ItineraHTTP

/// One payment provider behind the four things Itinera asks of it. Adapters hold their base URL
/// and secrets; the API decides what happens to bookings.
public protocol PaymentProvider: Sendable {
    /// `stripe`, `razorpay`, `sandbox`: the value of `payments.provider`.
    var name: String { get }
    /// Whether intents and refunds can be made (API credentials present).
    var canCharge: Bool { get }
    /// The webhook secrets in force, newest first; empty: webhooks cannot be verified.
    var webhookSecrets: [String] { get }

    func createIntent(_ request: IntentRequest) throws -> ProviderIntent
    /// Throws `WebhookSignatureError` unless one of `webhookSecrets` signed the raw `body`; returns
    /// the index of that secret.
    func verifyWebhook(headers: Headers, body: [UInt8], now: Int64) throws -> Int
    /// Throws `ProviderError.invalidPayload` for a body that is not one of the provider's events.
    func parseEvent(headers: Headers, body: [UInt8]) throws -> ProviderEvent
    func refund(_ request: RefundRequest) throws -> ProviderRefund
}

public struct IntentRequest: Sendable {
    public let paymentId: UUID
    public let bookingReference: String
    public let amountMinor: Int64
    public let currency: String
    /// Sent to providers that support it, so a retried creation returns the first intent.
    public let idempotencyKey: String

    public init(paymentId: UUID, bookingReference: String, amountMinor: Int64, currency: String, idempotencyKey: String)
    {
        self.paymentId = paymentId
        self.bookingReference = bookingReference
        self.amountMinor = amountMinor
        self.currency = currency
        self.idempotencyKey = idempotencyKey
    }
}

public struct ProviderIntent: Sendable {
    /// What webhooks name the payment by: a PaymentIntent id, an Order id, the sandbox payment id.
    public let reference: String
    /// What the client needs to pay (client secret, order id, checkout URL).
    public let payload: [String: JSONValue]
}

public struct RefundRequest: Sendable {
    public let refundId: UUID
    /// The intent/order reference, and the provider's own payment id where it has one.
    public let paymentReference: String?
    public let providerPaymentId: String?
    public let amountMinor: Int64
    public let currency: String
    public let reason: String?
    public let idempotencyKey: String

    public init(
        refundId: UUID, paymentReference: String?, providerPaymentId: String?, amountMinor: Int64, currency: String,
        reason: String?, idempotencyKey: String
    ) {
        self.refundId = refundId
        self.paymentReference = paymentReference
        self.providerPaymentId = providerPaymentId
        self.amountMinor = amountMinor
        self.currency = currency
        self.reason = reason
        self.idempotencyKey = idempotencyKey
    }
}

public struct ProviderRefund: Sendable {
    public let reference: String
    /// `succeeded` or `pending` (the provider confirms later by webhook).
    public let status: String
}

/// A verified webhook, reduced to what it means for a payment.
public struct ProviderEvent: Sendable, Equatable {
    public let id: String
    public let type: String
    public let effect: Effect

    public struct Refund: Sendable, Equatable {
        public let reference: String
        public let amountMinor: Int64
        /// The Itinera refund this is, when Itinera asked for it (sent as metadata with the request).
        public let itineraRefundId: String?
        public let state: State

        public enum State: Sendable, Equatable {
            /// The money went back.
            case succeeded
            /// The provider has the refund but has not paid it out yet.
            case pending
            /// It did not happen: no money went back.
            case failed
        }

        public init(
            reference: String, amountMinor: Int64, itineraRefundId: String? = nil, state: State = .succeeded
        ) {
            self.reference = reference
            self.amountMinor = amountMinor
            self.itineraRefundId = itineraRefundId
            self.state = state
        }
    }

    public enum Effect: Sendable, Equatable {
        /// Money captured. `providerPaymentId` is the provider's own id for refunds (Razorpay `pay_…`).
        case succeeded(reference: String, amountMinor: Int64, currency: String, providerPaymentId: String?)
        case failed(reference: String, reason: String)
        /// Refunds the provider reports, each by its own id (a report may repeat earlier ones).
        case refunded(reference: String?, providerPaymentId: String?, currency: String, refunds: [Refund])
        /// A type Itinera does not act on: stored (with the payment it names, when it names one, so
        /// the team's admins see it) and answered 200.
        case ignored(reference: String?)
    }

    public init(id: String, type: String, effect: Effect) {
        self.id = id
        self.type = type
        self.effect = effect
    }
}

public enum ProviderError: Error, CustomStringConvertible, Equatable {
    /// The provider could not be reached, timed out or failed (5xx): trying again later may work.
    case failed(String)
    /// The provider answered 4xx: the request itself is refused, trying again will not help.
    case refused(String)
    /// A verified webhook whose body is not an event Itinera can read.
    case invalidPayload(String)

    public var description: String {
        switch self {
        case .failed(let reason): reason
        case .refused(let reason): reason
        case .invalidPayload(let reason): reason
        }
    }
}

/// Helpers the adapters share for calling a provider and reading its JSON.
enum ProviderHTTP {
    static func call(
        _ provider: String, _ method: String, _ url: String, headers: [String], body: [UInt8]?,
        basicAuth: (String, String)? = nil, timeoutMilliseconds: Int
    ) throws -> JSONValue {
        let reply: HTTPClient.Reply
        do {
            reply = try HTTPClient.shared.send(
                method, url, headers: headers, body: body, basicAuth: basicAuth,
                timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw ProviderError.failed("\(provider) could not be reached: \(error)")
        }
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(reply.body))
        guard (200..<300).contains(reply.status) else {
            let message = json?["error"]?["message"]?.string ?? json?["error"]?["description"]?.string ?? ""
            let reason =
                "\(provider) answered HTTP \(reply.status)" + (message.isEmpty ? "" : ": \(message.prefix(300))")
            // 408 (timeout), 409 (the same key still in progress) and 429 (rate limit) pass with time.
            let refused = (400..<500).contains(reply.status) && ![408, 409, 429].contains(reply.status)
            throw refused ? ProviderError.refused(reason) : ProviderError.failed(reason)
        }
        guard let json else { throw ProviderError.failed("\(provider) answered with something that is not JSON") }
        return json
    }

    static func decode(_ body: [UInt8]) throws -> JSONValue {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body)), case .object = json else {
            throw ProviderError.invalidPayload("The webhook body is not a JSON object.")
        }
        return json
    }
}

extension JSONValue {
    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int64: Int64? {
        switch self {
        case .integer(let value): value
        case .number(let value) where value == value.rounded(): Int64(exactly: value)
        default: nil
        }
    }

    var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }
}
