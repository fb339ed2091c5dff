/// The NOTIFY channel on which the API and the worker wake `itinera worker` after a COMMIT that
/// wrote outbox events; the workers LISTEN on it.
public enum OutboxWakeUp {
    public static let channel = "itinera_outbox"
}
