import Foundation

/// Who is calling, once authenticated.
public struct Principal: Sendable, Equatable {
    /// How the caller proved who they are.
    public enum Credential: Sendable, Equatable {
        case session(id: UUID, csrfToken: String)
        case token(id: UUID)
        case partner(keyId: String, allowedActions: [String])
        /// The server acting for a team on a verified outside event (a payment webhook, `source`).
        case system(source: String)
    }

    public let teamId: UUID
    /// The user behind a session or token; nil for partner systems.
    public let userId: UUID?
    public let role: Role?
    public let credential: Credential

    public init(teamId: UUID, userId: UUID?, role: Role?, credential: Credential) {
        self.teamId = teamId
        self.userId = userId
        self.role = role
        self.credential = credential
    }

    /// The `actor_type` this caller has in the audit log.
    var actorType: String {
        switch credential {
        case .session: "user"
        case .token: "token"
        case .partner: "partner"
        case .system: "system"
        }
    }
}
