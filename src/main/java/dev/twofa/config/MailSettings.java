package dev.twofa.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Where mail goes: an SMTP server ({@code TWOFA_SMTP_URL}) or, without one, {@code .eml} files in
 * {@code TWOFA_DATA_DIR/mail/}. {@code smtp://} requires STARTTLS unless the URL's {@code ?starttls=optional}
 * (or {@code disabled}) says otherwise; {@code smtps://} is TLS from the first byte. toString hides the password.
 */
public record MailSettings(Optional<Smtp> smtp, String from) {

  public enum StartTls { REQUIRED, OPTIONAL, DISABLED }

  /** An SMTP server; {@code username} and {@code password} are null when it takes mail without a login. */
  public record Smtp(String host, int port, boolean implicitTls, StartTls startTls, String username, String password) {
    @Override
    public String toString() {
      return "Smtp[" + (implicitTls ? "smtps" : "smtp") + "://" + host + ":" + port + ", starttls=" + startTls
        + ", login=" + (username != null) + "]";
    }
  }

  /**
   * The sender when TWOFA_MAIL_FROM is not set: the product's name, so a mail reads as from the product people signed
   * up to. A name that is not plain words (a comma, a dot, a quote, a bracket) is quoted, or it would read as two addresses.
   */
  static String defaultFrom(String productName) {
    String name = productName.matches("[\\p{L}\\p{N} '_-]+") ? productName
      : '"' + productName.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    return name + " <no-reply@localhost>";
  }

  static MailSettings parse(String variable, Optional<String> url, String fromVariable, String from) {
    if (from.isBlank() || from.contains("\r") || from.contains("\n") || !from.contains("@")) {
      throw new IllegalArgumentException(fromVariable + " must be an address such as twofa <no-reply@example.com>");
    }
    return new MailSettings(url.map(u -> smtp(variable, u)), from.strip());
  }

  private static Smtp smtp(String variable, String value) {
    String rule = variable + " must look like smtp://user:password@host:587 or smtps://user:password@host:465"
      + " (add ?starttls=optional only for a server on a trusted network without TLS)";
    URI uri = Settings.uri(value, rule);
    String scheme = Settings.scheme(uri);
    boolean implicitTls = scheme.equals("smtps");
    if (!(implicitTls || scheme.equals("smtp")) || uri.getHost() == null) {
      throw new IllegalArgumentException(rule);
    }
    StartTls startTls = implicitTls ? StartTls.DISABLED : StartTls.REQUIRED;
    String query = uri.getRawQuery();
    if (query != null) {
      if (implicitTls || !query.toLowerCase(Locale.ROOT).matches("starttls=(required|optional|disabled)")) {
        throw new IllegalArgumentException(rule);
      }
      startTls = StartTls.valueOf(query.substring("starttls=".length()).toUpperCase(Locale.ROOT));
    }
    String username = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      username = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
    }
    int port = uri.getPort() > 0 ? uri.getPort() : implicitTls ? 465 : 587;
    return new Smtp(uri.getHost(), port, implicitTls, startTls, username, password);
  }
}
