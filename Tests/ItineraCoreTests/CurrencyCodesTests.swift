import Testing

@testable import ItineraCore

@Suite struct CurrencyCodesTests {
    @Test func amountsAreWrittenWithTheCurrencysOwnDigits() {
        #expect(CurrencyCodes.amountText(125_050, "EUR") == "1250.50 EUR")
        #expect(CurrencyCodes.amountText(5, "EUR") == "0.05 EUR")
        #expect(CurrencyCodes.amountText(1250, "JPY") == "1250 JPY")
        #expect(CurrencyCodes.amountText(1234, "KWD") == "1.234 KWD")
        #expect(CurrencyCodes.amountText(-990, "USD") == "-9.90 USD")
        #expect(CurrencyCodes.amountText(0, "CHF") == "0.00 CHF")
    }

    @Test func minorDigitsFollowISO4217() {
        #expect(CurrencyCodes.minorDigits("EUR") == 2)
        #expect(CurrencyCodes.minorDigits("ISK") == 0)
        #expect(CurrencyCodes.minorDigits("BHD") == 3)
    }
}
