import ItineraCrypto
import Testing

@testable import ItineraHTTP
@testable import ItineraPayments

/// What each provider's webhook bodies mean for a payment.
@Suite struct ProviderEventTests {
    let stripe = StripeProvider(
        apiBase: "http://127.0.0.1:1", secretKey: nil, webhookSecrets: ["s"], timeoutMilliseconds: 100)
    let razorpay = RazorpayProvider(
        apiBase: "http://127.0.0.1:1", keyId: nil, keySecret: nil, webhookSecrets: ["s"], timeoutMilliseconds: 100)

    @Test func stripeSuccessFailureAndRefunds() throws {
        let succeeded = try stripe.parseEvent(
            headers: Headers(),
            body: Array(
                #"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":5000,"amount_received":5000,"currency":"eur","latest_charge":"ch_1"}}}"#
                    .utf8))
        #expect(
            succeeded
                == ProviderEvent(
                    id: "evt_1", type: "payment_intent.succeeded",
                    effect: .succeeded(reference: "pi_1", amountMinor: 5000, currency: "EUR", providerPaymentId: "ch_1")
                ))
        let failed = try stripe.parseEvent(
            headers: Headers(),
            body: Array(
                #"{"id":"evt_2","type":"payment_intent.payment_failed","data":{"object":{"id":"pi_1","last_payment_error":{"message":"Card declined"}}}}"#
                    .utf8))
        #expect(failed.effect == .failed(reference: "pi_1", reason: "Card declined"))
        let refunded = try stripe.parseEvent(
            headers: Headers(),
            body: Array(
                #"{"id":"evt_3","type":"charge.refunded","data":{"object":{"id":"ch_1","payment_intent":"pi_1","currency":"eur","refunds":{"data":[{"id":"re_1","amount":1000,"status":"succeeded"},{"id":"re_2","amount":500,"status":"failed"}]}}}}"#
                    .utf8))
        #expect(
            refunded.effect
                == .refunded(
                    reference: "pi_1", providerPaymentId: "ch_1", currency: "EUR",
                    refunds: [
                        ProviderEvent.Refund(reference: "re_1", amountMinor: 1000),
                        ProviderEvent.Refund(reference: "re_2", amountMinor: 500, state: .failed),
                    ]))
        let other = try stripe.parseEvent(
            headers: Headers(), body: Array(#"{"id":"evt_4","type":"customer.created","data":{"object":{}}}"#.utf8))
        #expect(other.effect == .ignored(reference: nil))
        let charge = try stripe.parseEvent(
            headers: Headers(),
            body: Array(
                #"{"id":"evt_5","type":"charge.succeeded","data":{"object":{"id":"ch_9","payment_intent":"pi_1"}}}"#
                    .utf8))
        #expect(charge.effect == .ignored(reference: "pi_1"))
    }

    @Test func razorpayEventsAreIdentifiedByTheirSignedBodyNotTheHeader() throws {
        let body = Array(
            #"{"event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_1","order_id":"order_1","amount":2500,"currency":"INR"}}}}"#
                .utf8)
        let event = try razorpay.parseEvent(headers: Headers([("X-Razorpay-Event-Id", "ev_9")]), body: body)
        let replayed = try razorpay.parseEvent(headers: Headers([("X-Razorpay-Event-Id", "ev_other")]), body: body)
        #expect(event.id == "sha256:" + SHA256.hex(body) && replayed.id == event.id)
        #expect(
            event.effect
                == .succeeded(reference: "order_1", amountMinor: 2500, currency: "INR", providerPaymentId: "pay_1"))
    }

    @Test func bodiesThatAreNotEventsAreRejected() {
        for body in ["", "[]", "{\"id\":\"evt\"}", "not json"] {
            #expect(throws: ProviderError.self) { try stripe.parseEvent(headers: Headers(), body: Array(body.utf8)) }
        }
        #expect(throws: ProviderError.self) {
            try SandboxProvider(webhookSecrets: ["s"]).parseEvent(
                headers: Headers(),
                body: Array(#"{"id":"e","type":"payment.succeeded","data":{"payment_reference":"p"}}"#.utf8))
        }
    }

    @Test func sandboxCheckoutEventsParseBack() throws {
        let sandbox = SandboxProvider(webhookSecrets: ["s"])
        let body = SandboxProvider.checkoutEvent(
            eventId: "evt_sbx_1", paymentReference: "p1", succeeded: true, amountMinor: 700, currency: "EUR")
        let event = try sandbox.parseEvent(headers: Headers(), body: body)
        #expect(event.effect == .succeeded(reference: "p1", amountMinor: 700, currency: "EUR", providerPaymentId: nil))
        let declined = try sandbox.parseEvent(
            headers: Headers(),
            body: SandboxProvider.checkoutEvent(
                eventId: "evt_sbx_2", paymentReference: "p1", succeeded: false, amountMinor: 700, currency: "EUR"))
        guard case .failed(let reference, _) = declined.effect else {
            Issue.record("a declined checkout is a failed payment")
            return
        }
        #expect(reference == "p1")
    }
}
