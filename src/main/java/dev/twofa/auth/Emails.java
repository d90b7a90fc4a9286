package dev.twofa.auth;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Emails are compared case-insensitively: they are stored and looked up in one canonical form. */
final class Emails {
  // Deliberately loose (one @, a dot in the domain, no spaces): the address is proven by use, not by regex.
  private static final Pattern SHAPE = Pattern.compile("^[^\\s@]{1,64}@[^\\s@.]+(\\.[^\\s@.]+)+$");
  private static final int MAX_LENGTH = 254;

  private Emails() {
  }

  static Optional<String> canonical(String email) {
    if (email == null) {
      return Optional.empty();
    }
    String canonical = email.strip().toLowerCase(Locale.ROOT);
    return canonical.length() <= MAX_LENGTH && SHAPE.matcher(canonical).matches() ? Optional.of(canonical) : Optional.empty();
  }
}
