import Foundation
import ItineraCore
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// `POST /api/payments/webhook?provider=…`: providers tell Itinera what happened to a payment.
/// The signature is checked on the raw body before anything is parsed; a bad one answers 400
/// and writes nothing. A verified event is applied at most once: its (provider, event id) row is
/// written in the transaction of its effect.
enum PaymentWebhookHandlers {
    /// Request headers kept with each event (never `Authorization` or cookies).
    static let headersOfInterest = [
        "content-type", "user-agent", "stripe-signature", "x-razorpay-signature", "x-razorpay-event-id",
        "x-payment-signature", "x-request-id",
    ]

    static func receive(_ scope: RequestScope) throws -> Response {
        let name = scope.request.query["provider"] ?? ""
        guard PaymentProviders.names.contains(name) else {
            throw APIError(
                status: 400, code: "unknown_provider",
                message: "provider must be one of \(PaymentProviders.names.joined(separator: ", ")).")
        }
        guard let provider = scope.context.payments[name], !provider.webhookSecrets.isEmpty else {
            throw APIError.providerNotConfigured(name)
        }
        let request = scope.request
        let secretIndex: Int
        do {
            secretIndex = try provider.verifyWebhook(
                headers: request.headers, body: request.body, now: Int64(Date().timeIntervalSince1970))
        } catch let error as WebhookSignatureError {
            throw APIError(status: 400, code: "invalid_signature", message: error.description)
        }
        let event: ProviderEvent
        do {
            event = try provider.parseEvent(headers: request.headers, body: request.body)
        } catch let error as ProviderError {
            throw APIError(status: 400, code: "invalid_payload", message: error.description)
        }
        guard (1...255).contains(event.id.count), (1...200).contains(event.type.count) else {
            throw APIError(status: 400, code: "invalid_payload", message: "The event id or type is too long.")
        }
        if case .refunded(_, _, _, let refunds) = event.effect, refunds.contains(where: { $0.amountMinor <= 0 }) {
            throw APIError(
                status: 400, code: "invalid_payload",
                message: "A refund's amount must be a positive number of minor units.")
        }
        let receipt = WebhookReceipt(
            provider: name, event: event,
            verification: "verified with secret \(secretIndex + 1) of \(provider.webhookSecrets.count)",
            headers: headersOfInterest.reduce(into: [:]) { kept, header in
                if let value = request.headers[header] { kept[header] = .string(value.prefix(codePoints: 500)) }
            },
            body: String(decoding: request.body, as: UTF8.self))
        let result = try PaymentWebhookEffects.apply(receipt, scope)
        return try scope.ok(
            [
                "received": JSONValue.bool(true), "duplicate": .bool(result.duplicate),
                "outcome": .string(result.outcome),
            ])
    }

    /// What the handling of a received webhook can come to (the CHECK of `payment_webhook_events`).
    static let outcomes: Set<String> = [
        "received", "applied", "partially_paid", "already_applied", "ignored_out_of_order", "amount_mismatch",
        "ignored_unknown_type", "payment_not_found", "refund_exceeds_captured",
    ]

    /// `GET /api/admin/payment-webhooks?provider=&outcome=&limit=&cursor=`: the team's received
    /// webhooks of the last 30 days, newest first, cursor-paginated on (received_at, id).
    static func list(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        check.check(
            query["provider"].map(PaymentProviders.names.contains) ?? true, "provider",
            "must be one of \(PaymentProviders.names.joined(separator: ", "))")
        check.check(
            query["outcome"].map(outcomes.contains) ?? true, "outcome",
            "must be one of \(outcomes.sorted().joined(separator: ", "))")
        let page = ListPage(query, &check, key: [ListPage.instant, ListPage.uuid])
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object(
                    'id', w.id, 'provider', w.provider, 'event_id', w.event_id, 'event_type', w.event_type,
                    'payment_id', w.payment_id, 'headers', w.headers, 'body', w.body,
                    'verification', w.verification, 'outcome', w.outcome, 'detail', w.detail,
                    'received_at', w.received_at)::text AS json,
                    to_json(w.received_at) #>> '{}' AS received_at, w.id
                FROM payment_webhook_events w
                WHERE w.team_id = itinera_current_team() AND ($1::text IS NULL OR w.provider = $1)
                  AND ($2::text IS NULL OR w.outcome = $2)
                  AND \(page.condition("w.received_at, w.id", descending: true, ["$3::timestamptz", "$4::uuid"]))
                ORDER BY w.received_at DESC, w.id DESC
                LIMIT $5
                """,
                [query["provider"], query["outcome"], page.after(0), page.after(1), page.fetch],
                context: "listing payment webhooks"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }
}

/// A verified webhook, ready to be stored with its outcome.
struct WebhookReceipt {
    let provider: String
    let event: ProviderEvent
    let verification: String
    let headers: [String: JSONValue]
    let body: String
}
