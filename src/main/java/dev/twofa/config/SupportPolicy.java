package dev.twofa.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The support desk's settings: how long a request to turn off 2FA waits before staff may act on it (the owner,
 * mailed at once, can cancel it meanwhile), and the external help desk the browser app sends people to instead
 * of its own request form, when there is one.
 */
public record SupportPolicy(Duration coolingOff, Optional<URI> helpDeskUrl) {

  /** Parses the help desk's address; only http(s) and mailto go into a link (never javascript: or data:). */
  public static Optional<URI> parseUrl(String variable, Optional<String> value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String rule = variable + " must be an absolute https://, http:// or mailto: URL, e.g. https://help.example.com/2fa";
    URI uri = Settings.uri(value.get(), rule);
    String scheme = Settings.scheme(uri);
    boolean web = (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null && uri.getRawUserInfo() == null;
    boolean mail = scheme.equals("mailto") && uri.getRawSchemeSpecificPart() != null
      && uri.getRawSchemeSpecificPart().contains("@");
    if (!web && !mail) {
      throw new IllegalArgumentException(rule);
    }
    return Optional.of(uri);
  }
}
