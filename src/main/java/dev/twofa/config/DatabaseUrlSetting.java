package dev.twofa.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code TWOFA_DB_URL} checked for its shape before anything uses it, so a malformed value stops the server with a
 * message of our own: the drivers' messages quote the whole URL, password included. The message never holds the
 * value. What the parameters mean is the database package's business; here only that they can be read.
 */
final class DatabaseUrlSetting {
  private DatabaseUrlSetting() {
  }

  static Optional<String> parse(String variable, Optional<String> value) {
    return value.map(url -> checked(variable, url));
  }

  /** TWOFA_DB_MIGRATE_URL: the schema owner's URL, only beside the TWOFA_DB_URL of the role that serves. */
  static Optional<String> migrator(String variable, Optional<String> value, Optional<String> dbUrl) {
    if (value.isPresent() && dbUrl.isEmpty()) {
      throw new IllegalArgumentException(variable + " is the schema owner's URL for migrations and needs "
        + TwofaConfig.PREFIX + "DB_URL, the role the nodes serve with (the embedded database has one role)");
    }
    return parse(variable, value);
  }

  private static String checked(String variable, String url) {
    String rule = variable + " must look like postgresql://user:password@host:5432/twofa (optionally"
      + " ?sslmode=verify-full&sslrootcert=/path/ca.pem); the value is not shown, it may hold a password";
    URI uri = Settings.uri(url, rule);
    String scheme = Settings.scheme(uri);
    boolean postgres = scheme.equals("postgresql") || scheme.equals("postgres");
    boolean portOk = uri.getPort() == -1 || (uri.getPort() > 0 && uri.getPort() <= 65535);
    boolean database = uri.getRawPath() != null && uri.getRawPath().matches("/[^/]+");
    if (!postgres || uri.getHost() == null || !portOk || !database || !decodable(uri.getRawUserInfo())
      || !decodable(uri.getRawQuery())) {
      throw new IllegalArgumentException(rule);
    }
    return url.trim();
  }

  private static boolean decodable(String raw) {
    try {
      if (raw != null) {
        URLDecoder.decode(raw, StandardCharsets.UTF_8);
      }
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
