package dev.twofa.bus;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Where a request came from, as recorded in the activity list and the sessions list. {@code device} names the
 * browser by its long-lived device cookie (null where there is none, e.g. a timer's own work); auth keeps only
 * its hash, and {@link SecurityEvent} drops it, so it never reaches Activity, the outbox or a log line.
 * {@code network} is what every per-address limit counts by: the address with an IPv6 one cut to its network
 * ({@link #network(String, int)}), since one home connection holds a whole /64; Activity keeps {@code ip}.
 */
public record ClientInfo(String ip, String userAgent, Device device, String network) {
  private static final int MAX_USER_AGENT = 512;
  /** TWOFA_IPV6_PREFIX's default: the /64 an ISP hands one customer. */
  public static final int DEFAULT_IPV6_PREFIX = 64;
  public static final ClientInfo UNKNOWN = new ClientInfo("", "");

  /**
   * The browser's device cookie value (256 random bits and the server's HMAC of them, base64url: the HTTP layer
   * passes on only values a node signed); {@code issued} is true when the browser
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
    // A sender that set none (an older node, a test) is counted by the default /64.
    network = network == null || network.isEmpty() ? network(ip, DEFAULT_IPV6_PREFIX) : network;
  }

  public ClientInfo(String ip, String userAgent, Device device) {
    this(ip, userAgent, device, null);
  }

  public ClientInfo(String ip, String userAgent) {
    this(ip, userAgent, null);
  }

  /** The same client without its device cookie: what is recorded about it. */
  public ClientInfo withoutDevice() {
    return device == null ? this : new ClientInfo(ip, userAgent, null, network);
  }

  /**
   * The one definition of "the same client address" for limits: an IPv6 address cut to its first
   * {@code ipv6Prefix} bits, written {@code 2001:db8:1:2:0:0:0:0/64}; anything else (IPv4, whose /32 is one
   * client, an IPv4-mapped IPv6 address, "") as it is. A text with a colon is parsed as an IPv6 literal only
   * (never a name lookup); one that is not stays as it is.
   */
  public static String network(String ip, int ipv6Prefix) {
    // The JDK parses a text that starts like a literal as one, and looks up only what does not.
    if (ip == null || ip.indexOf(':') < 0 || !(ip.charAt(0) == ':' || Character.digit(ip.charAt(0), 16) >= 0)) {
      return ip == null ? "" : ip;
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(ip);
    } catch (UnknownHostException | SecurityException e) {
      return ip;
    }
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] bytes = Arrays.copyOf(address.getAddress(), 16);
    for (int bit = ipv6Prefix; bit < 128; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + ipv6Prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are an IPv6 address", e);
    }
  }

  @Override
  public String toString() {
    return "ClientInfo[ip=" + ip + ", userAgent=" + userAgent + ", device=" + device + ", network=" + network + "]";
  }
}
