import Testing

@testable import ItineraAPI

@Suite struct DownloadNameTests {
    @Test func theNameEndsInWhatTheFileIs() {
        #expect(DeliveredWorkHandlers.downloadName("photo.png", ext: "png") == "photo.png")
        #expect(DeliveredWorkHandlers.downloadName("Photo.JPEG", ext: "jpg") == "Photo.JPEG")
        #expect(DeliveredWorkHandlers.downloadName("report.docx", ext: "zip") == "report.docx")
        #expect(DeliveredWorkHandlers.downloadName("poly.html", ext: "png") == "poly.html.png")
        #expect(DeliveredWorkHandlers.downloadName("png", ext: "png") == "png.png")
        #expect(DeliveredWorkHandlers.downloadName(nil, ext: "pdf") == "download.pdf")
        #expect(DeliveredWorkHandlers.downloadName("  ", ext: "pdf") == "download.pdf")
    }
}
