/// The booking lifecycle: which status may follow which. The one place these rules live.
public enum Lifecycle {
    /// The statuses a booking in `status` may move to, in the documents' order.
    public static func allowed(from status: BookingStatus) -> [BookingStatus] {
        switch status {
        case .leadCreated: [.quotationSent, .cancelled]
        case .quotationSent: [.quotationApproved, .cancelled]
        case .quotationApproved: [.bookingCreated, .cancelled]
        case .bookingCreated: [.paymentPending, .cancelled]
        case .paymentPending: [.paymentConfirmed, .cancelled, .refunded]
        case .paymentConfirmed: [.supplierConfirmed, .cancelled, .refunded]
        case .supplierConfirmed: [.documentsGenerated, .cancelled, .refunded]
        case .documentsGenerated: [.completed, .cancelled, .refunded]
        case .completed: [.refunded]
        case .cancelled: [.refunded]
        case .refunded: []
        }
    }

    /// Whether `from` → `to` is a permitted transition (staying in place is not one).
    public static func canMove(from: BookingStatus, to: BookingStatus) -> Bool {
        allowed(from: from).contains(to)
    }

    /// The statuses a booking may move to `target` from, in the documents' order.
    public static func sources(of target: BookingStatus) -> [BookingStatus] {
        BookingStatus.allCases.filter { canMove(from: $0, to: target) }
    }

    /// States before a booking is paid for: what is sold may still change, and money refunded is
    /// owed again.
    public static let awaitingPayment: Set<BookingStatus> = [
        .leadCreated, .quotationSent, .quotationApproved, .bookingCreated, .paymentPending,
    ]

    /// States after the trip or instead of it: what was booked stays as it is.
    public static let closed: Set<BookingStatus> = [.completed, .cancelled, .refunded]

    /// States a customer sees in their portal and is told about.
    public static let customerVisible: Set<BookingStatus> = [
        .bookingCreated, .paymentPending, .paymentConfirmed, .supplierConfirmed, .documentsGenerated, .completed,
        .cancelled, .refunded,
    ]
}
