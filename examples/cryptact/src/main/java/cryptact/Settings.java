package cryptact;

import java.net.URI;
import java.util.Map;

/**
 * Where twofa is and who this application is there, from the environment:
 * CRYPTACT_ISSUER (twofa's TWOFA_PUBLIC_URL), CRYPTACT_CLIENT_ID, CRYPTACT_CLIENT_SECRET (empty for a client
 * registered with --public), CRYPTACT_URL (this application's own address; its redirect URI is URL/callback)
 * and CRYPTACT_HOST (the address it listens on).
 */
public record Settings(String issuer, String clientId, String clientSecret, String url, String host, int port) {

  public static Settings from(Map<String, String> env) {
    String url = strip(env.getOrDefault("CRYPTACT_URL", "http://localhost:3000"));
    URI address = URI.create(url);
    int port = address.getPort() != -1 ? address.getPort() : "https".equals(address.getScheme()) ? 443 : 80;
    String secret = env.getOrDefault("CRYPTACT_CLIENT_SECRET", "");
    return new Settings(strip(env.getOrDefault("CRYPTACT_ISSUER", "http://localhost:8080")),
      env.getOrDefault("CRYPTACT_CLIENT_ID", "cryptact"), secret.isEmpty() ? null : secret, url,
      env.getOrDefault("CRYPTACT_HOST", "127.0.0.1"), Integer.parseInt(env.getOrDefault("CRYPTACT_PORT", String.valueOf(port))));
  }

  /** The redirect URI registered with twofa. */
  public String callback() {
    return url + "/callback";
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
