import Foundation

extension Request {
    /// What to do with object members the body's type does not know.
    public enum UnknownMembers: Sendable {
        /// 400 naming the first one: the API's own bodies, where one is a misspelt field.
        case refuse
        /// Partner systems' bodies, which may carry more than we read.
        case ignore
    }

    /// Decodes the JSON body as `T`; a body that is not JSON, not of the expected shape, with a
    /// name twice in one object or (unless `unknownMembers` is `.ignore`) with a member `T` does not
    /// know, is a 400 `invalid_json` naming the field at fault; a body of another media type is a 415.
    public func decodeJSON<T: Decodable>(_ type: T.Type, unknownMembers: UnknownMembers = .refuse) throws -> T {
        if let mediaType, mediaType != "application/json", !mediaType.hasSuffix("+json") {
            throw APIError.unsupportedMediaType(expected: "application/json")
        }
        guard !body.isEmpty else { throw APIError.invalidJSON("the body is empty.") }
        // JSON text holds no NUL byte in UTF-8; one means another encoding (UTF-16/32), which
        // Foundation would accept and the duplicate-name check could not read.
        guard !body.contains(0) else { throw APIError.invalidJSON("the body must be UTF-8.") }
        // Foundation would replace broken sequences and then blame whichever field held them.
        guard String(validating: body, as: UTF8.self) != nil else {
            throw APIError.invalidJSON("the body is not valid UTF-8.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            guard let date = ISODate.instant(try container.decode(String.self)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.timeRule)
            }
            return date
        }
        let value: T
        let check = MemberCheck()
        do {
            if unknownMembers == .refuse && !MemberCheck.isLeaf(T.self) {
                decoder.userInfo[MemberCheck.Root<T>.checkKey] = check
                value = try decoder.decode(MemberCheck.Root<T>.self, from: Data(body)).value
            } else {
                value = try decoder.decode(T.self, from: Data(body))
            }
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            // Foundation reports a number that does not fit its field (1.5 or 20 digits for an
            // integer) like broken JSON, without a path: find the number in the parsed body.
            if let path = Self.firstNonInteger(in: body) {
                throw Self.fieldError(path, "must be a whole number that fits in 64 bits")
            }
            throw APIError.invalidJSON("it could not be parsed.")
        } catch let DecodingError.dataCorrupted(context) where context.debugDescription == Self.timeRule {
            throw Self.fieldError(context.codingPath, Self.timeRule)
        } catch let DecodingError.typeMismatch(expected, context) {
            throw Self.fieldError(context.codingPath, "must be \(Self.describe(expected))")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Self.fieldError(context.codingPath, "must not be null")
        } catch let DecodingError.keyNotFound(key, context) {
            throw Self.fieldError(context.codingPath + [key], "is required")
        } catch let DecodingError.dataCorrupted(context) {
            throw Self.fieldError(context.codingPath, "is not valid")
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidJSON("it could not be parsed.")
        }
        if let path = DuplicateKeyScan.firstDuplicate(in: body) {
            throw Self.fieldError(
                path.map { step in
                    switch step {
                    case .member(let name): PathKey(name)
                    case .index(let index): PathKey(index)
                    }
                }, "appears more than once in its object")
        }
        if let both = check.firstConflict {
            throw APIError.invalidJSON(field: both, "is sent in both spellings (camelCase and snake_case); send one")
        }
        if let unknown = check.firstUnknown {
            guard !unknown.name.isEmpty else {
                throw APIError.invalidJSON("a member with an empty name is not a field of this request.")
            }
            throw APIError.invalidJSON(field: unknown.path, "is not a field of this request")
        }
        return value
    }

    static let timeRule = "must be an ISO-8601 time such as 2027-03-01T09:00:00Z"

    /// The path of the first number in `body` (valid JSON) that is not an Int64, if any, outside
    /// `metadata` (the one free-form member of the API's bodies, where any number is fine).
    private static func firstNonInteger(in body: [UInt8]) -> [CodingKey]? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else { return nil }
        func search(_ value: JSONValue, _ path: [CodingKey]) -> [CodingKey]? {
            switch value {
            case .number: return path
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    if let found = search(element, path + [PathKey(index)]) { return found }
                }
            case .object(let members):
                for key in members.keys.sorted() where key != "metadata" {
                    if let found = search(members[key]!, path + [PathKey(key)]) { return found }
                }
            default: break
            }
            return nil
        }
        return search(value, [])
    }

    private struct PathKey: CodingKey {
        let stringValue: String
        let intValue: Int?
        init(_ name: String) { (stringValue, intValue) = (name, nil) }
        init(_ index: Int) { (stringValue, intValue) = ("\(index)", index) }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { self.init(intValue) }
    }

    /// The error about the value at `path` (`items[0].quantity`; the whole body when empty).
    private static func fieldError(_ path: [CodingKey], _ rule: String) -> APIError {
        let name = MemberCheck.name(path)
        return name.isEmpty ? APIError.invalidJSON("the body \(rule).") : APIError.invalidJSON(field: name, rule)
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
