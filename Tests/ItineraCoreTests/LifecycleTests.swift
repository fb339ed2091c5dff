import Testing

@testable import ItineraCore

@Suite struct LifecycleTests {
    /// The rules exactly as the product documents give them.
    static let documented: [BookingStatus: Set<BookingStatus>] = [
        .leadCreated: [.quotationSent, .cancelled],
        .quotationSent: [.quotationApproved, .cancelled],
        .quotationApproved: [.bookingCreated, .cancelled],
        .bookingCreated: [.paymentPending, .cancelled],
        .paymentPending: [.paymentConfirmed, .cancelled, .refunded],
        .paymentConfirmed: [.supplierConfirmed, .cancelled, .refunded],
        .supplierConfirmed: [.documentsGenerated, .cancelled, .refunded],
        .documentsGenerated: [.completed, .cancelled, .refunded],
        .completed: [.refunded],
        .cancelled: [.refunded],
        .refunded: [],
    ]

    @Test(arguments: BookingStatus.allCases)
    func everyPairFromOneStatus(from: BookingStatus) {
        for to in BookingStatus.allCases {
            let expected = Self.documented[from]!.contains(to)
            #expect(Lifecycle.canMove(from: from, to: to) == expected, "\(from.rawValue) → \(to.rawValue)")
        }
    }

    @Test func theMatrixHas121PairsAnd22Permitted() {
        let pairs = BookingStatus.allCases.flatMap { from in BookingStatus.allCases.map { (from, $0) } }
        #expect(pairs.count == 121)
        #expect(pairs.filter { Lifecycle.canMove(from: $0.0, to: $0.1) }.count == 22)
    }

    @Test(arguments: BookingStatus.allCases)
    func sourcesAreExactlyTheDocumentedPredecessors(to: BookingStatus) {
        let expected = BookingStatus.allCases.filter { Self.documented[$0]!.contains(to) }
        #expect(Lifecycle.sources(of: to) == expected, "into \(to.rawValue)")
    }

    @Test func refundedIsTerminalAndNothingStaysInPlace() {
        #expect(Lifecycle.allowed(from: .refunded).isEmpty)
        #expect(BookingStatus.allCases.allSatisfy { !Lifecycle.canMove(from: $0, to: $0) })
    }

    @Test func statusesUseTheDocumentedNames() {
        #expect(BookingStatus(rawValue: "documents_generated") == .documentsGenerated)
        #expect(BookingStatus(rawValue: "Completed") == nil)
        #expect(BookingStatus.allCases.count == 11)
    }
}
