import ItineraHTTP

/// Endpoints for partner systems calling with a signed request.
enum PartnerHandlers {
    struct Verified: Encodable {
        let keyId: String
        let teamId: String
        let allowedActions: [String]

        enum CodingKeys: String, CodingKey {
            case keyId = "key_id", teamId = "team_id", allowedActions = "allowed_actions"
        }
    }

    /// `POST /api/partner/verify`: answers 200 when the signature is good — for partners wiring up
    /// their signing code — naming the key's team and allowed actions.
    static func verify(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        guard case .partner(let keyId, let actions) = caller.credential else { throw APIError.forbidden }
        try scope.transaction { connection in
            try Audit.record(connection, scope, action: "partner.verify", table: "partner_keys", rowId: keyId)
        }
        return try scope.ok(
            Verified(keyId: keyId, teamId: caller.teamId.lowercased, allowedActions: actions))
    }
}
