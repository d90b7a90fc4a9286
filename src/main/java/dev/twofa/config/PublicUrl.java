package dev.twofa.config;

import io.netty.util.NetUtil;

import java.net.URI;

/**
 * The address users type (scheme, host, port; no path). When it is https, cookies are {@code Secure} with the
 * {@code __Host-} prefix (the browser then refuses them unless Secure, Path=/ and without Domain, so a sibling
 * subdomain cannot plant or shadow them) and every answer asks for HSTS.
 */
public record PublicUrl(URI uri) {
  public static final String HOST_PREFIX = "__Host-";

  /** Parses {@code value}; a bad value fails naming {@code variable}. */
  public static PublicUrl parse(String variable, String value) {
    String rule = variable + " must be an absolute http:// or https:// URL without a path, e.g. https://login.example.com";
    URI uri = Settings.uri(value, rule);
    String scheme = Settings.scheme(uri);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
      || !(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(rule);
    }
    return new PublicUrl(uri);
  }

  public boolean https() {
    return uri.getScheme().equalsIgnoreCase("https");
  }

  /** The name a cookie must have: {@code __Host-base} over https, {@code base} otherwise. */
  public String cookieName(String base) {
    return https() ? HOST_PREFIX + base : base;
  }

  /**
   * True when users reach the server in plaintext and it listens beyond this machine (no DNS lookup: a host name
   * other than {@code localhost} counts as reachable from outside).
   */
  public boolean plaintextBeyondLoopback(String listenHost) {
    if (https()) {
      return false;
    }
    if (listenHost.equalsIgnoreCase("localhost")) {
      return false;
    }
    java.net.InetAddress address = NetUtil.createInetAddressFromIpAddressString(listenHost);
    return address == null || !address.isLoopbackAddress();
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
