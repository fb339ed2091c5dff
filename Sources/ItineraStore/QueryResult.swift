import CPostgres

/// The rows of one statement, copied out of libpq (text format).
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows affected by INSERT/UPDATE/DELETE.
    public let affectedRows: Int

    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The value of `column` in the first row, or nil.
    public func first(_ column: String) -> String? {
        guard let index = columns.firstIndex(of: column), let row = rows.first else { return nil }
        return row[index]
    }
}
