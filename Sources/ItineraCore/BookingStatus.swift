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
