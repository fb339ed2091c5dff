import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Supplier users upload delivered work (photos, PDFs, archives) for a booking they are assigned
/// to; it is stored with the booking's documents and its customer is told it is ready.
enum DeliveredWorkHandlers {
    /// Accepted files, recognised by their first bytes as well as their declared type.
    static let kinds: [(type: String, magic: [UInt8], ext: String)] = [
        ("image/jpeg", [0xFF, 0xD8, 0xFF], "jpg"), ("image/png", [0x89, 0x50, 0x4E, 0x47], "png"),
        ("application/pdf", Array("%PDF".utf8), "pdf"), ("application/zip", [0x50, 0x4B, 0x03, 0x04], "zip"),
    ]

    /// Extensions that name what each kind of file is: `.jpeg` is a JPEG too, and office documents
    /// and e-books are ZIP containers.
    static let fittingExtensions: [String: Set<String>] = [
        "jpg": ["jpg", "jpeg"], "png": ["png"], "pdf": ["pdf"],
        "zip": ["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"],
    ]

    /// The uploader's file name with the extension of what the file is (`poly.html` holding a PNG is
    /// offered as `poly.html.png`), so a saved download opens as what it is; no name: `download.png`.
    static func downloadName(_ name: String?, ext: String) -> String {
        let base = (name ?? "").trimmingCharacters(in: .whitespaces).prefix(codePoints: 190)
        guard !base.isEmpty else { return "download.\(ext)" }
        let own = base.split(separator: ".", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
        let fits = base.contains(".") && (fittingExtensions[ext] ?? [ext]).contains(own)
        return fits ? base : "\(base).\(ext)"
    }

    /// `POST /api/supplier/bookings/{id}/work` (multipart: `file`, optional `work` label such as
    /// "photos") → 201 with the document; the booking's customer logins get `work_completed`.
    static func upload(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let bookingId = try scope.pathId("booking")
        let form = try Multipart(contentType: scope.request.headers["content-type"] ?? "", body: scope.request.body)
        guard let file = form["file"], !file.data.isEmpty else { throw APIError.validation(["file": "is required"]) }
        let maxFile = scope.context.config.maxUploadBytes
        guard file.data.count <= maxFile else {
            throw APIError(
                status: 413, code: "payload_too_large", message: "The file is larger than \(maxFile) bytes.",
                details: .object(["limitBytes": .number(Double(maxFile))]))
        }
        guard let kind = kinds.first(where: { file.data.starts(with: $0.magic) }),
            file.contentType == nil || file.contentType == kind.type || file.contentType == "application/octet-stream"
        else {
            throw APIError(
                status: 415, code: "unsupported_media_type", message: "Upload a JPEG, PNG, PDF or ZIP file.",
                details: .object(["declared": file.contentType.map(JSONValue.string) ?? .null]))
        }
        let label =
            form["work"].map {
                String(decoding: $0.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            .flatMap { $0.isEmpty ? nil : $0.prefix(codePoints: 60) } ?? "work"
        let documentId = UUID()
        let relative = "\(caller.teamId.lowercased)/\(bookingId.lowercased)/\(documentId.lowercased).\(kind.ext)"
        let path = (scope.context.config.uploadDirectory as NSString).appendingPathComponent(relative)
        let json = try scope.transaction { connection -> String in
            guard
                let booking = try connection.query(
                    "SELECT booking_reference, customer_id, status FROM bookings WHERE id = $1 FOR SHARE", [bookingId],
                    context: "finding the booking"
                ).rows.first
            else { throw APIError.notFound("No such booking.") }
            // Work delivered after the trip (photos sent once it is completed) is wanted; for a
            // booking called off there is no one to deliver to.
            if let status = booking[2].flatMap(BookingStatus.init(rawValue:)), [.cancelled, .refunded].contains(status)
            {
                throw APIError.bookingClosed(status, "A \(status.rawValue) booking takes no delivered work.")
            }
            try store(file.data, at: path)
            do {
                try connection.query(
                    """
                    INSERT INTO documents (id, team_id, booking_id, customer_id, kind, status, storage_path, filename,
                                           content_type, size_bytes, uploaded_by, label)
                    VALUES ($1, $2, $3, $4, 'delivered_work', 'ready', $5, $6, $7, $8, $9, $10)
                    """,
                    [
                        documentId, caller.teamId, bookingId, booking[1].flatMap(UUID.init(parsing:)), relative,
                        downloadName(file.filename, ext: kind.ext), kind.type, file.data.count,
                        caller.userId,
                        label,
                    ], context: "recording delivered work")
                let reference = booking[0] ?? ""
                Notifications.toCustomers(
                    .init(
                        type: "work_completed", title: "Ready: your \(label) for booking \(reference)",
                        linkPath: "/booking/\(bookingId.lowercased)", linkId: documentId,
                        metadata: [
                            "booking_id": .string(bookingId.lowercased),
                            "document_id": .string(documentId.lowercased),
                        ]),
                    bookingId: bookingId, teamId: caller.teamId, actor: caller.userId, connection)
                try Audit.record(
                    connection, scope, action: "booking.work_uploaded", table: "documents",
                    rowId: documentId.lowercased, bookingId: bookingId, details: ["work": .string(label)])
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
            return """
                {"id":"\(documentId.lowercased)","booking_id":"\(bookingId.lowercased)","kind":"delivered_work",\
                "label":\(String(decoding: JSONWriter.bytes(.string(label)), as: UTF8.self)),"content_type":"\(kind.type)",\
                "size_bytes":\(file.data.count)}
                """
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/documents/{id}/download`: the file, for whoever may see its booking.
    static func download(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("document")
        let row = try scope.transaction { connection in
            try connection.query(
                "SELECT storage_path, content_type, filename FROM documents WHERE id = $1 AND storage_path IS NOT NULL",
                [id], context: "finding a document"
            ).rows.first
        }
        guard let row, let relative = row[0],
            let data = FileManager.default.contents(
                atPath: (scope.context.config.uploadDirectory as NSString).appendingPathComponent(relative))
        else { throw APIError.notFound("No such document.") }
        let filename = (row[2] ?? "download").filter { $0.isLetter || $0.isNumber || ".-_ ".contains($0) }
        return Response(
            status: 200,
            headers: [
                ("Content-Type", row[1] ?? "application/octet-stream"),
                ("Content-Disposition", "attachment; filename=\"\(filename.isEmpty ? "download" : filename)\""),
                ("Cache-Control", "private, no-store"),
            ], body: Array(data))
    }

    private static func store(_ data: [UInt8], at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard
                FileManager.default.createFile(
                    atPath: path, contents: Data(data), attributes: [.posixPermissions: 0o640])
            else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw StorageFailure(description: "store: writing \(path): \(error)")
        }
    }

    struct StorageFailure: Error, CustomStringConvertible {
        let description: String
    }
}
