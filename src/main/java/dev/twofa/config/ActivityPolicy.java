package dev.twofa.config;

/**
 * How long Activity (security_events) is kept: a nightly purge removes older events. The floor is the database's:
 * its trigger never lets a row younger than {@link #MIN_DAYS} days go (V25), whatever is configured here.
 */
public record ActivityPolicy(int retentionDays) {
  public static final int DEFAULT_DAYS = 400;
  public static final int MIN_DAYS = 90;
  public static final int MAX_DAYS = 3650;

  static ActivityPolicy from(Settings s) {
    return new ActivityPolicy(s.integer("ACTIVITY_RETENTION_DAYS", DEFAULT_DAYS, MIN_DAYS, MAX_DAYS));
  }
}
