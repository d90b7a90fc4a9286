package dev.twofa.bus;

/** What auth asks of audit beyond recording a {@link SecurityEvent}. Only auth calls audit with a user id. */
public final class AuditRequests {
  private AuditRequests() {
  }

  /** A page of a user's events before {@code before} (null: newest); {@code staffView} shows who acted and why. */
  public record ActivityQuery(long userId, int limit, Long before, boolean staffView) {
  }

  /** Events relayed from auth's outbox, each with its id (recorded once however often it comes). */
  public record EventBatch(java.util.List<SecurityEvent> events) {
  }
}
