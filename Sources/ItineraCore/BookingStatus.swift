/// Where a booking is in its life, exactly as the product documents name the states.
public enum BookingStatus: String, CaseIterable, Codable, Sendable {
    case leadCreated = "lead_created"
    case quotationSent = "quotation_sent"
    case quotationApproved = "quotation_approved"
    case bookingCreated = "booking_created"
    case paymentPending = "payment_pending"
    case paymentConfirmed = "payment_confirmed"
    case supplierConfirmed = "supplier_confirmed"
    case documentsGenerated = "documents_generated"
    case completed
    case cancelled
    case refunded
}

extension BookingStatus {
    /// What people call the status, in notification titles and anywhere a person reads it; the
    /// portal's labels are the same words.
    public var label: String {
        switch self {
        case .leadCreated: "Lead"
        case .quotationSent: "Quotation sent"
        case .quotationApproved: "Quotation approved"
        case .bookingCreated: "Booked"
        case .paymentPending: "Awaiting payment"
        case .paymentConfirmed: "Paid"
        case .supplierConfirmed: "Confirmed by suppliers"
        case .documentsGenerated: "Documents ready"
        case .completed: "Completed"
        case .cancelled: "Cancelled"
        case .refunded: "Refunded"
        }
    }
}
