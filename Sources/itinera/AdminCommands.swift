import ArgumentParser
import Foundation
import ItineraAPI
import ItineraCrypto
import ItineraStore

/// `itinera team add`.
struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team", abstract: "Manage teams.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a team and print its id.")
        @Option(help: "The team's name.") var name: String

        func run() throws {
            try runAdministration("team add") {
                print(
                    try Administration(connection: ownerConnection("cli")).createTeam(name: name).uuidString
                        .lowercased())
            }
        }
    }
}

/// `itinera user add` and `itinera user passwd`.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.", subcommands: [Add.self, Passwd.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user (or update one) and give them a role in a team.")
        @Option(help: "E-mail address (the login).") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Team id or exact name.") var team: String
        @Option(help: "admin, staff, supplier or customer.") var role: Role
        @Flag(help: "Read the password from the first line of stdin instead of prompting or generating one.")
        var passwordStdin = false

        func run() throws {
            try runAdministration("user add") {
                let admin = Administration(connection: try ownerConnection("cli"))
                let teamId = try admin.team(team)
                let (password, generated) = try PasswordInput.read(fromStdin: passwordStdin)
                let user = try admin.upsertUser(email: email, name: name, password: password)
                try admin.setMembership(user: user, team: teamId, role: role)
                print("user \(email) is \(role.rawValue) of team \(teamId.uuidString.lowercased())")
                if generated { print("password: \(password)") }
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (and end their sessions).")
        @Option(help: "E-mail address of the user.") var email: String
        @Flag(help: "Read the password from the first line of stdin.") var passwordStdin = false

        func run() throws {
            try runAdministration("user passwd") {
                let (password, generated) = try PasswordInput.read(fromStdin: passwordStdin)
                try Administration(connection: try ownerConnection("cli")).setPassword(email: email, password: password)
                print("password changed for \(email)")
                if generated { print("password: \(password)") }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a user out of a team (their sessions and tokens there end, and their live streams).")
        @Option(help: "E-mail address of the user.") var email: String
        @Option(help: "Team id or exact name.") var team: String

        func run() throws {
            try runAdministration("user remove") {
                let admin = Administration(connection: try ownerConnection("cli"))
                try admin.removeMembership(email: email, team: try admin.team(team))
                print("user \(email) is no longer a member of that team")
            }
        }
    }
}

/// `itinera token create`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token and print it (once).")
        @Option(help: "E-mail of the user the token acts for.") var user: String
        @Option(help: "Team id or exact name.") var team: String
        @Option(help: "A label for the token.") var name: String = "cli"
        @Option(help: "Role of the token (default: the user's role in the team).") var role: Role?
        @Option(help: "Days until it expires (default: never).") var expiresInDays: Int?

        func run() throws {
            try runAdministration("token create") {
                let admin = Administration(connection: try ownerConnection("cli"))
                print(
                    try admin.createToken(
                        email: user, team: try admin.team(team), name: name, role: role, expiresInDays: expiresInDays))
            }
        }
    }
}

/// `itinera partner-key create` and `itinera partner-key rotate`.
struct PartnerKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner-key", abstract: "Manage keys for signed partner calls.",
        subcommands: [Create.self, Rotate.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a partner key; prints its id and secret once.")
        @Option(help: "Team id or exact name.") var team: String
        @Option(help: "A label for the key.") var name: String = "partner"
        @Option(help: "Comma-separated actions the key may call (empty: only /api/partner/verify).")
        var actions: String = ""

        func run() throws {
            try runAdministration("partner-key create") {
                let admin = Administration(connection: try ownerConnection("cli"))
                let list = actions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                let (id, secret) = try admin.createPartnerKey(team: try admin.team(team), name: name, actions: list)
                print("key id: \(id)")
                print("secret: \(secret)")
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new secret to a key; older secrets stay valid for the overlap, then expire.")
        @Option(help: "The key id (pk_…).") var key: String
        @Option(help: "Hours the older secrets stay valid.") var overlapHours: Int = 24

        func run() throws {
            try runAdministration("partner-key rotate") {
                let secret = try Administration(connection: try ownerConnection("cli")).rotatePartnerKey(
                    key, overlapHours: overlapHours)
                print("secret: \(secret)")
            }
        }
    }
}

extension Role: ExpressibleByArgument {}

/// Where a new password comes from: stdin, a prompt on a terminal, or a generated one.
enum PasswordInput {
    static func read(fromStdin: Bool) throws -> (password: String, generated: Bool) {
        if fromStdin {
            guard let line = readLine(strippingNewline: true), line.count >= 8 else {
                throw Administration.Failure("the password on stdin must be at least 8 characters")
            }
            return (line, false)
        }
        if isatty(0) == 1, let first = getpass("New password (empty: generate one): ").map({ String(cString: $0) }) {
            if first.isEmpty { return (generated(), true) }
            guard first.count >= 8 else { throw Administration.Failure("passwords need at least 8 characters") }
            let second = getpass("Again: ").map { String(cString: $0) }
            guard second == first else { throw Administration.Failure("the two passwords differ") }
            return (first, false)
        }
        return (generated(), true)
    }

    private static func generated() -> String {
        Base64URL.encode(SecureRandom.bytes(12))
    }
}
