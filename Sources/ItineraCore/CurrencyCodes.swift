/// The ISO-4217 codes of money a booking can be priced in: the circulating currencies, without the
/// fund, precious-metal, test and "no currency" codes.
public enum CurrencyCodes {
    public static let all: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
        "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
        "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
        "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
        "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD",
        "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
        "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
        "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
        "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND",
        "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST",
        "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
    ]

    /// ISO-4217's minor-unit digits of `code`: 2 for most (EUR: cents), 0 for JPY, 3 for KWD. The
    /// portal (`www/ui.js`, `currencyDigits`) keeps the same table.
    public static func minorDigits(_ code: String) -> Int {
        zeroDigits.contains(code) ? 0 : threeDigits.contains(code) ? 3 : 2
    }

    private static let zeroDigits: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    private static let threeDigits: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    /// An amount as messages and history write it, exactly (no floating point): 125050 EUR →
    /// "1250.50 EUR", 1250 JPY → "1250 JPY".
    public static func amountText(_ minor: Int64, _ currency: String) -> String {
        let digits = minorDigits(currency)
        let sign = minor < 0 ? "-" : ""
        let value = minor.magnitude
        guard digits > 0 else { return "\(sign)\(value) \(currency)" }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(value % scale)
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return "\(sign)\(value / scale).\(padded) \(currency)"
    }
}
