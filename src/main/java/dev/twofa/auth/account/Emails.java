package dev.twofa.auth.account;

import dev.twofa.auth.Door;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Emails are stored and looked up in one canonical form: Unicode NFC (so the same address typed on two keyboards
 * is one account) and lower case (compared case-insensitively, local part included, as people expect).
 */
@Door
public final class Emails {
  // Deliberately loose (one @, a dot in the domain, no spaces): the address is proven by use, not by regex.
  private static final Pattern SHAPE = Pattern.compile("^[^\\s@]{1,64}@[^\\s@.]+(\\.[^\\s@.]+)+$");
  private static final int MAX_LENGTH = 254;

  private Emails() {
  }

  public static Optional<String> canonical(String email) {
    if (email == null) {
      return Optional.empty();
    }
    String canonical = Normalizer.normalize(email.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    return canonical.length() <= MAX_LENGTH && SHAPE.matcher(canonical).matches() ? Optional.of(canonical) : Optional.empty();
  }
}
