import ItineraCore
import ItineraHTTP

extension APIError {
    /// 409 `booking_closed`: booking `status` takes no more of the change `message` describes
    /// ("A cancelled booking takes no delivered work."); `details.status` names the status.
    static func bookingClosed(_ status: BookingStatus, _ message: String) -> APIError {
        APIError(
            status: 409, code: "booking_closed", message: message,
            details: .object(["status": .string(status.rawValue)]))
    }
}
