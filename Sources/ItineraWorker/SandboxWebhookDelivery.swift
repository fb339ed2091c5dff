import Foundation
import ItineraHTTP
import ItineraPayments
import ItineraStore

/// Delivers the sandbox checkout's outcome the way a provider would: the event body the request
/// wrote, signed now (`X-Payment-Signature`, so a retry an hour later still passes the 300 s
/// window) and POSTed through nginx to Itinera's own webhook endpoint. Anything but a 2xx is a
/// failure the outbox retries; the endpoint's event-id dedupe makes a repeated delivery harmless.
struct SandboxWebhookDelivery: OutboxHandler {
    let name = "payments.sandbox_webhook"
    /// nginx's address, e.g. `http://127.0.0.1:8080`.
    let baseURL: String
    let secret: String

    func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        guard let body = event.payload["body"] else { throw HandlerFailure("the event carries no webhook body") }
        let bytes = Array(body.utf8)
        let signature = TimestampedSignature.header(
            secret: secret, timestamp: Int64(Date().timeIntervalSince1970), body: bytes)
        let reply: HTTPClient.Reply
        do {
            reply = try HTTPClient.shared.send(
                "POST", baseURL + "/api/payments/webhook?provider=sandbox",
                headers: [
                    "Content-Type: application/json", "X-Payment-Signature: \(signature)",
                    "User-Agent: Itinera-Sandbox/1",
                ], body: bytes, timeoutMilliseconds: 10_000)
        } catch {
            throw HandlerFailure("the webhook endpoint could not be reached: \(error)")
        }
        guard (200..<300).contains(reply.status) else {
            throw HandlerFailure("the webhook endpoint answered HTTP \(reply.status): \(reply.text.prefix(300))")
        }
    }
}
