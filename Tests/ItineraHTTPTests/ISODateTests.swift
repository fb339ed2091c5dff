import Foundation
import Testing

@testable import ItineraHTTP

@Suite struct ISODateTests {
    @Test func realDaysPassAndImpossibleOnesDoNot() {
        #expect(ISODate.day("2027-03-01")! == (2027, 3, 1))
        #expect(ISODate.day("2028-02-29") != nil)
        #expect(ISODate.day("2000-02-29") != nil)
        for wrong in [
            "2027-02-29", "1900-02-29", "2027-02-30", "2027-04-31", "2027-13-01", "2027-00-10", "0000-01-01",
            "2027-3-1", "2027-03-01T00:00:00Z", "27-03-01", "２０２７-03-01", "",
        ] {
            #expect(ISODate.day(wrong) == nil, "\(wrong)")
        }
    }

    @Test func instantsKeepTheirOffsetAndFraction() throws {
        let utc = try #require(ISODate.instant("2027-03-01T09:00:00Z"))
        #expect(utc.timeIntervalSince1970 == 1_803_891_600)
        #expect(ISODate.instant("2027-03-01T10:30:00+01:30") == utc)
        #expect(ISODate.instant("2027-03-01T04:00:00-05:00") == utc)
        #expect(ISODate.instant("2027-03-01T00:01:00-08:59") == utc)
        #expect(ISODate.instant("2027-03-01T23:30:00+14:30") == utc)
        let fraction = try #require(ISODate.instant("2027-03-01T09:00:00.25Z"))
        #expect(abs(fraction.timeIntervalSince(utc) - 0.25) < 0.000_001)
        #expect(ISODate.instant("2026-12-03T12:00:00.123456+00:00") != nil)  // PostgreSQL's to_json form
    }

    @Test func impossibleTimesAreRefused() {
        for wrong in [
            "2027-02-30T10:00:00Z", "2027-01-01T24:30:00Z", "2027-01-01T23:60:00Z", "2027-01-01T23:59:60Z",
            "0000-06-01T00:00:00Z", "2027-03-01T09:00:00", "2027-03-01 09:00:00Z", "2027-03-01T09:00Z",
            "2027-03-01T09:00:00+16:00", "0001-01-01T00:00:00+01:00", "1899-12-31T23:59:59Z", "2027-03-01T09:00:00.Z",
            "2027-03-01T09:00:00.1234567890Z",
            "2027-03-01T09:00:00Zjunk", "2027-03-01",
        ] {
            #expect(ISODate.instant(wrong) == nil, "\(wrong)")
        }
    }

    @Test func aDayIsItsMidnightUTCWhereATimeIsExpected() {
        #expect(ISODate.instantOrDay("2027-03-01") == ISODate.instant("2027-03-01T00:00:00Z"))
        #expect(ISODate.instantOrDay("2027-02-30") == nil)
    }

    @Test func theRangeHoldsForTheInstantInUTC() {
        // Written in 9999 or 1900, but in UTC outside the years 1900 to 9999 that PostgreSQL answers in.
        #expect(ISODate.instant("9999-12-31T23:59:59-15:00") == nil)
        #expect(ISODate.instant("1900-01-01T00:00:00+15:00") == nil)
        #expect(ISODate.instant("9999-12-31T23:59:59Z") != nil)
        #expect(ISODate.instant("1900-01-01T00:00:00Z") != nil)
    }
}
