/// The database schema this build was written against.
public enum Schema {
    /// The number of the newest file in `migrations/`; a test keeps the two in step.
    public static let requiredVersion = 27
}
