import Foundation

/// Strict ISO-8601 days and instants. Foundation's parser rolls impossible dates over (February 30
/// becomes March 2, 24:30 the next day) and lets year 0 through, which PostgreSQL then refuses: every
/// date an API caller sends is read here instead, so a wrong one is a 400 naming its field.
public enum ISODate {
    /// `YYYY-MM-DD`: a real calendar day in the years 1 to 9999.
    public static func day(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            (1...9999).contains(year), (1...12).contains(month), (1...days(in: month, of: year)).contains(day)
        else { return nil }
        return (year, month, day)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, optionally with a fraction of a second, then `Z` or an offset `±HH:MM`
    /// (PostgreSQL takes at most ±15:59), in the years 1900 to 9999: older instants would meet the
    /// Julian calendar in Foundation and year 0 on their way to SQL, and no booking needs them.
    public static func instant(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"),
            let date = day(String(decoding: bytes[0..<10], as: UTF8.self)), date.year >= 1900,
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]),
            let second = number(bytes[17..<19]), hour < 24, minute < 60, second < 60
        else { return nil }
        var rest = bytes[19...]
        var nanoseconds = 0
        if rest.first == UInt8(ascii: ".") {
            let digits = rest.dropFirst().prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            guard (1...9).contains(digits.count), let fraction = number(digits) else { return nil }
            nanoseconds = fraction
            for _ in digits.count..<9 { nanoseconds *= 10 }
            rest = rest.dropFirst(1 + digits.count)
        }
        guard let offset = offsetSeconds(Array(rest)) else { return nil }
        var components = DateComponents(
            year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second,
            nanosecond: nanoseconds)
        components.timeZone = TimeZone(identifier: "UTC")
        guard let local = utc.date(from: components) else { return nil }
        let instant = local.addingTimeInterval(TimeInterval(-offset))
        // The range holds for the instant in UTC too: 9999-12-31T23:59:59-15:00 is in the year 10000.
        guard instant >= earliest, instant < endOfRange else { return nil }
        return instant
    }

    private static let earliest = utc.date(from: DateComponents(year: 1900, month: 1, day: 1))!
    private static let endOfRange = utc.date(from: DateComponents(year: 10000, month: 1, day: 1))!

    /// The midnight UTC that starts day `text` (`YYYY-MM-DD`), as an instant.
    public static func midnight(of text: String) -> Date? {
        day(text) == nil ? nil : instant(text + "T00:00:00Z")
    }

    /// An instant, or a day taken as its midnight UTC (for filters such as `departureFrom=2027-03-01`).
    public static func instantOrDay(_ text: String) -> Date? {
        instant(text) ?? midnight(of: text)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `Z`, or `±HH:MM` within ±15:59, as seconds east of UTC.
    private static func offsetSeconds(_ bytes: [UInt8]) -> Int? {
        if bytes == [UInt8(ascii: "Z")] { return 0 }
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes[3] == UInt8(ascii: ":"), let hours = number(bytes[1..<3]), let minutes = number(bytes[4..<6]),
            hours <= 15, minutes < 60
        else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return bytes[0] == UInt8(ascii: "-") ? -seconds : seconds
    }

    private static func days(in month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Decimal digits only (no sign, no spaces).
    private static func number<S: Collection>(_ digits: S) -> Int? where S.Element == UInt8 {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
