package dev.twofa.bus;

/**
 * Where a request came from, as recorded in the activity list and the sessions list. {@code device} names the
 * browser by its long-lived device cookie (null where there is none, e.g. a timer's own work); auth keeps only
 * its hash, and {@link SecurityEvent} drops it, so it never reaches Activity, the outbox or a log line.
 */
public record ClientInfo(String ip, String userAgent, Device device) {
  private static final int MAX_USER_AGENT = 512;
  public static final ClientInfo UNKNOWN = new ClientInfo("", "");

  /**
   * The browser's device cookie value (256 random bits, base64url); {@code issued} is true when the browser
   * presented none and the HTTP layer set this one with its answer (a browser that keeps no cookies looks like
   * this every time). The value is as secret as a session's, so {@code toString()} leaves it out.
   */
  public record Device(String id, boolean issued) {
    @Override
    public String toString() {
      return "Device[issued=" + issued + "]";
    }
  }

  public ClientInfo {
    ip = ip == null ? "" : ip;
    userAgent = userAgent == null ? "" : userAgent.length() > MAX_USER_AGENT ? userAgent.substring(0, MAX_USER_AGENT) : userAgent;
  }

  public ClientInfo(String ip, String userAgent) {
    this(ip, userAgent, null);
  }

  /** The same client without its device cookie: what is recorded about it. */
  public ClientInfo withoutDevice() {
    return device == null ? this : new ClientInfo(ip, userAgent, null);
  }

  @Override
  public String toString() {
    return "ClientInfo[ip=" + ip + ", userAgent=" + userAgent + ", device=" + device + "]";
  }
}
