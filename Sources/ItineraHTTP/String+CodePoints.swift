extension StringProtocol {
    /// The first `limit` Unicode code points: what PostgreSQL's `char_length`, and so a column's
    /// CHECK on its length, counts (a character such as 👍🏽 is two of them).
    public func prefix(codePoints limit: Int) -> String {
        String(String.UnicodeScalarView(unicodeScalars.prefix(limit)))
    }
}
