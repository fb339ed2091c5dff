/// What a member of a team is: the internal portal's `admin` and `staff`, `supplier` users
/// (operators, photographers, guides, drivers) and `customer` users (the client portal).
public enum Role: String, Codable, CaseIterable, Sendable {
    case admin, staff, supplier, customer

    /// People who work in the internal portal.
    public static let staffSide: Set<Role> = [.admin, .staff]

    /// The roles an API token of a member with this role may carry: admins any, others their own.
    public var tokenRoles: Set<Role> { self == .admin ? Set(Role.allCases) : [self] }
}
