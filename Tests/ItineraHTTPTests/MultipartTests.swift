import Testing

@testable import ItineraHTTP

@Suite struct MultipartTests {
    let body =
        Array(
            ("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"work\"\r\n\r\nphotos\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\n"
                + "Content-Type: image/PNG\r\n\r\n").utf8) + [0x89, 0x50, 0x0D, 0x0A, 0x00]
        + Array("\r\n--XyZ--\r\n".utf8)

    @Test func partsKeepNamesFilenamesTypesAndExactBytes() throws {
        let form = try Multipart(contentType: "multipart/form-data; boundary=XyZ", body: body)
        #expect(form.parts.map(\.name) == ["work", "file"])
        #expect(form["work"]?.data == Array("photos".utf8))
        #expect(form["file"]?.filename == "a b.png")
        #expect(form["file"]?.contentType == "image/png")
        #expect(form["file"]?.data == [0x89, 0x50, 0x0D, 0x0A, 0x00])
    }

    @Test func quotedBoundaryAndBadBodies() throws {
        #expect(try Multipart(contentType: "multipart/form-data; boundary=\"XyZ\"", body: body).parts.count == 2)
        #expect(throws: APIError.self) { try Multipart(contentType: "application/json", body: body) }
        #expect(throws: APIError.self) { try Multipart(contentType: "multipart/form-data; boundary=Nope", body: body) }
        #expect(throws: APIError.self) {
            try Multipart(
                contentType: "multipart/form-data; boundary=XyZ", body: Array("--XyZ\r\nno header end--XyZ--".utf8))
        }
    }
}
