/// The release of this build, reported by `/api/health` and `itinera --version`.
public enum ItineraVersion {
    public static let current = "0.1.0"
}
