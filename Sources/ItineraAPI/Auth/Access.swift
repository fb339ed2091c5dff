/// Who may call a route; every route of the table declares one.
public enum Access: Sendable, Equatable {
    /// Anyone, signed in or not.
    case everyone
    /// A signed-in user (session cookie or API token) whose role in the current team is one of these.
    case members(Set<Role>)
    /// Like `members`, for a route a browser calls again by itself (the event stream): the session's
    /// idle timeout applies, but the call does not count as activity.
    case listening(Set<Role>)
    /// A signed partner call whose key allows `action` (nil: any valid key).
    case partner(action: String?)

    /// Any signed-in user.
    public static let signedIn = Access.members(Set(Role.allCases))
}
