import Foundation

extension Request {
    /// Decodes the JSON body as `T`; a body that is not JSON, or not of the expected shape, is a 400
    /// `invalid_json` naming the field at fault; a body of another media type is a 415.
    public func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        if let mediaType, mediaType != "application/json", !mediaType.hasSuffix("+json") {
            throw APIError.unsupportedMediaType(expected: "application/json")
        }
        guard !body.isEmpty else { throw APIError.invalidJSON("the body is empty.") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw APIError.invalidJSON("it could not be parsed.")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw APIError.invalidJSON("\(Self.fieldName(context.codingPath)) must be \(Self.describe(expected)).")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.invalidJSON("\(Self.fieldName(context.codingPath)) must not be null.")
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.invalidJSON("\(Self.fieldName(context.codingPath + [key])) is required.")
        } catch let DecodingError.dataCorrupted(context) {
            throw APIError.invalidJSON("\(Self.fieldName(context.codingPath)) is not valid.")
        } catch {
            throw APIError.invalidJSON("it could not be parsed.")
        }
    }

    private static func fieldName(_ path: [CodingKey]) -> String {
        let name = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return name.isEmpty ? "the body" : "`\(name.replacingOccurrences(of: ".[", with: "["))`"
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
