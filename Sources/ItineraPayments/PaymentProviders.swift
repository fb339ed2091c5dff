import Foundation

/// The providers this server is configured for, from the environment:
///
/// - `STRIPE_API_BASE` (default `https://api.stripe.com`), `STRIPE_SECRET_KEY`,
///   `STRIPE_WEBHOOK_SECRET` (comma-separated while rotating, newest first)
/// - `RAZORPAY_API_BASE` (default `https://api.razorpay.com`), `RAZORPAY_KEY_ID`,
///   `RAZORPAY_KEY_SECRET`, `RAZORPAY_WEBHOOK_SECRET`
/// - `ITINERA_SANDBOX_PAYMENTS=1` and `ITINERA_SANDBOX_WEBHOOK_SECRET`: the offline checkout
/// - `ITINERA_PROVIDER_TIMEOUT_MS` (default 10000): the whole of one provider call
public struct PaymentProviders: Sendable {
    public let providers: [String: any PaymentProvider]

    public static let names = ["stripe", "razorpay", "sandbox"]

    public init(_ providers: [any PaymentProvider]) {
        self.providers = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
    }

    public subscript(name: String) -> (any PaymentProvider)? { providers[name] }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> PaymentProviders
    {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func secrets(_ name: String) -> [String] {
            (value(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        let timeout = value("ITINERA_PROVIDER_TIMEOUT_MS").flatMap(Int.init).map { max(100, $0) } ?? 10_000
        var list: [any PaymentProvider] = [
            StripeProvider(
                apiBase: value("STRIPE_API_BASE") ?? "https://api.stripe.com", secretKey: value("STRIPE_SECRET_KEY"),
                webhookSecrets: secrets("STRIPE_WEBHOOK_SECRET"), timeoutMilliseconds: timeout),
            RazorpayProvider(
                apiBase: value("RAZORPAY_API_BASE") ?? "https://api.razorpay.com", keyId: value("RAZORPAY_KEY_ID"),
                keySecret: value("RAZORPAY_KEY_SECRET"), webhookSecrets: secrets("RAZORPAY_WEBHOOK_SECRET"),
                timeoutMilliseconds: timeout),
        ]
        if value("ITINERA_SANDBOX_PAYMENTS") == "1" {
            list.append(SandboxProvider(webhookSecrets: secrets("ITINERA_SANDBOX_WEBHOOK_SECRET")))
        }
        return PaymentProviders(list)
    }
}
