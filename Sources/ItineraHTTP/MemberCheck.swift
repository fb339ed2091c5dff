import Foundation

/// Finds the members of a JSON body that the type it is decoded into does not know. Decoding runs
/// through `MemberCheck.Decoder`, which notes, for every object a type opens, the members present and
/// the ones the type asked for (a synthesized `init(from:)` asks for each of its properties, present
/// or not). A member present and never asked for is a misspelt or unsupported field: reporting it
/// beats a 201 that silently left it out (`"travellers"` for `"travelers"`).
///
/// Each member may also be spelt in snake_case (`booking_id` for `bookingId`), so a client can send
/// back what it read; both spellings of one member in one object are noted as a conflict.
final class MemberCheck: @unchecked Sendable {  // one decode, on one thread
    /// More objects than any body of the API holds (a booking: 100 items, 50 travelers): the limit
    /// keeps the noting work of one request small whatever it sends.
    static let maxObjects = 1_000

    private struct Object {
        let path: [any CodingKey]
        let present: Set<String>
        var asked: Set<String> = []
    }
    private var objects: [Object] = []
    private var conflicts: [(name: String, path: String)] = []

    /// The first member sent in both spellings (`bookingId` and `booking_id`): its path.
    var firstConflict: String? { conflicts.first?.path }

    /// The first member nobody asked for, in the order objects were opened: its name and its path
    /// (`items[0].startAt`).
    var firstUnknown: (name: String, path: String)? {
        for object in objects {
            if let name = object.present.subtracting(object.asked).sorted().first {
                let path = Self.name(object.path)
                return (name, path.isEmpty ? name : "\(path).\(name)")
            }
        }
        return nil
    }

    /// The body decoded as `T` through the noting decoder; the check travels in `userInfo`.
    /// Types the JSON decoder treats itself (dates under its strategy, free-form `JSONValue`s) are
    /// decoded by it directly.
    struct Root<T: Decodable>: Decodable {
        static var checkKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "itinera.memberCheck")! }
        let value: T

        init(from decoder: any Swift.Decoder) throws {
            guard let check = decoder.userInfo[Self.checkKey] as? MemberCheck else {
                value = try T(from: decoder)
                return
            }
            value = try T(from: Decoder(base: decoder, check: check))
        }
    }

    static func isLeaf(_ type: Any.Type) -> Bool {
        type is JSONValue.Type || type is Date.Type || type is Data.Type || type is URL.Type || type is Decimal.Type
            || type is String.Type || type is UUID.Type
    }

    fileprivate func open(_ path: [any CodingKey], present: [String]) throws -> Int {
        guard objects.count < Self.maxObjects else {
            throw APIError.invalidJSON("it holds more than \(Self.maxObjects) objects.")
        }
        objects.append(Object(path: path, present: Set(present)))
        return objects.count - 1
    }

    fileprivate func asked(_ member: String, in object: Int) {
        objects[object].asked.insert(member)
        let snake = member.snakeCased
        guard snake != member else { return }
        objects[object].asked.insert(snake)
        if objects[object].present.contains(member), objects[object].present.contains(snake),
            !conflicts.contains(where: { $0.name == member })
        {
            let path = Self.name(objects[object].path)
            conflicts.append((member, path.isEmpty ? member : "\(path).\(member)"))
        }
    }

    static func name(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    fileprivate struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A class so that a type opening its object twice notes both into one record.
    fileprivate final class Decoder: Swift.Decoder {
        let base: any Swift.Decoder
        let check: MemberCheck
        private var object: Int?
        /// The same object by any name, for members sent in their snake_case spelling.
        private var aliases: KeyedDecodingContainer<AnyKey>?
        var codingPath: [any CodingKey] { base.codingPath }
        var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

        init(base: any Swift.Decoder, check: MemberCheck) {
            self.base = base
            self.check = check
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            let container = try base.container(keyedBy: type)
            let index: Int
            if let object {
                index = object
            } else {
                let everything = try base.container(keyedBy: AnyKey.self)
                index = try check.open(codingPath, present: everything.allKeys.map(\.stringValue))
                object = index
                aliases = everything
            }
            return KeyedDecodingContainer(Keyed(base: container, aliases: aliases, check: check, object: index))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            Unkeyed(base: try base.unkeyedContainer(), check: check)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            try base.singleValueContainer()
        }
    }

    fileprivate struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let base: KeyedDecodingContainer<Key>
        let aliases: KeyedDecodingContainer<AnyKey>?
        let check: MemberCheck
        let object: Int
        var codingPath: [any CodingKey] { base.codingPath }
        var allKeys: [Key] { base.allKeys }

        private func note(_ key: Key) { check.asked(key.stringValue, in: object) }

        /// The snake_case spelling under which `key` was sent, when it was sent only that way.
        private func alias(_ key: Key) -> AnyKey? {
            note(key)
            guard !base.contains(key), let aliases else { return nil }
            let snake = AnyKey(stringValue: key.stringValue.snakeCased)
            return snake.stringValue != key.stringValue && aliases.contains(snake) ? snake : nil
        }

        func contains(_ key: Key) -> Bool {
            alias(key) != nil || base.contains(key)
        }
        func decodeNil(forKey key: Key) throws -> Bool {
            if let snake = alias(key) { return try aliases!.decodeNil(forKey: snake) }
            return try base.decodeNil(forKey: key)
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try plain(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try plain(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try plain(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try plain(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try plain(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try plain(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try plain(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try plain(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try plain(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try plain(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try plain(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try plain(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try plain(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try plain(type, key) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if MemberCheck.isLeaf(type) { return try plain(type, key) }
            if let snake = alias(key) {
                if try aliases!.decodeNil(forKey: snake) { return try aliases!.decode(type, forKey: snake) }
                return try T(from: Decoder(base: try aliases!.superDecoder(forKey: snake), check: check))
            }
            // Missing and null keep the decoder's own errors ("is required", "must not be null").
            guard base.contains(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            if try base.decodeNil(forKey: key) { return try base.decode(type, forKey: key) }
            return try T(from: Decoder(base: try base.superDecoder(forKey: key), check: check))
        }

        private func plain<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            if let snake = alias(key) { return try aliases!.decode(type, forKey: snake) }
            return try base.decode(type, forKey: key)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try superDecoder(forKey: key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try superDecoder(forKey: key).unkeyedContainer()
        }
        func superDecoder() throws -> any Swift.Decoder {
            Decoder(base: try base.superDecoder(), check: check)
        }
        func superDecoder(forKey key: Key) throws -> any Swift.Decoder {
            if let snake = alias(key) { return Decoder(base: try aliases!.superDecoder(forKey: snake), check: check) }
            return Decoder(base: try base.superDecoder(forKey: key), check: check)
        }
    }

    fileprivate struct Unkeyed: UnkeyedDecodingContainer {
        var base: any UnkeyedDecodingContainer
        let check: MemberCheck
        var codingPath: [any CodingKey] { base.codingPath }
        var count: Int? { base.count }
        var isAtEnd: Bool { base.isAtEnd }
        var currentIndex: Int { base.currentIndex }

        mutating func decodeNil() throws -> Bool { try base.decodeNil() }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try base.decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if MemberCheck.isLeaf(type) { return try base.decode(type) }
            return try T(from: try superDecoder())
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try superDecoder().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try superDecoder().unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Swift.Decoder {
            Decoder(base: try base.superDecoder(), check: check)
        }
    }
}
