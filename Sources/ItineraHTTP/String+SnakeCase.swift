extension String {
    /// `bookingId` → `booking_id`: the answers' spelling of a request member, which requests may use too.
    public var snakeCased: String {
        var out = ""
        for character in self {
            if character.isUppercase, !out.isEmpty {
                out += "_" + character.lowercased()
            } else {
                out += character.lowercased()
            }
        }
        return out
    }
}
