package dev.twofa.bus;

/** Where a request came from, as recorded in the activity list and the sessions list. */
public record ClientInfo(String ip, String userAgent) {
  private static final int MAX_USER_AGENT = 512;
  public static final ClientInfo UNKNOWN = new ClientInfo("", "");

  public ClientInfo {
    ip = ip == null ? "" : ip;
    userAgent = userAgent == null ? "" : userAgent.length() > MAX_USER_AGENT ? userAgent.substring(0, MAX_USER_AGENT) : userAgent;
  }
}
