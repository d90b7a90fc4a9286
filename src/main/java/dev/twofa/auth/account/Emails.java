package dev.twofa.auth.account;

import dev.twofa.auth.Door;

import java.net.IDN;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one definition of an email address: the addr-spec a mail server delivers to, in one canonical form.
 * Only a dot-atom local part (RFC 5322 atext, plus letters, marks and digits of any script, RFC 6531) and a host
 * name (letters, digits and hyphens per label, IDN allowed, a top-level label that is not all digits): no quoted
 * or comment forms, no IP literals, no zero-width, bidi, space or control characters, so no two programs can read
 * one address two ways. Stored NFC (one account however the address was typed) and lower case (compared
 * case-insensitively, local part included, as people expect).
 */
@Door
public final class Emails {
  private static final String ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~\\p{L}\\p{M}\\p{N}-]+";
  private static final String LABEL = "[a-z0-9\\p{L}\\p{M}\\p{N}](?:[a-z0-9\\p{L}\\p{M}\\p{N}-]{0,61}[a-z0-9\\p{L}\\p{M}\\p{N}])?";
  private static final Pattern ADDR_SPEC = Pattern.compile(
    "^(?=.{1,64}@)" + ATOM + "(?:\\." + ATOM + ")*@" + LABEL + "(?:\\." + LABEL + ")*\\.(?=[^.]*\\p{L})" + LABEL + "$");
  private static final int MAX_LENGTH = 254;

  private Emails() {
  }

  public static Optional<String> canonical(String email) {
    if (email == null) {
      return Optional.empty();
    }
    String canonical = Normalizer.normalize(email.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    return canonical.length() <= MAX_LENGTH && ADDR_SPEC.matcher(canonical).matches() && deliverableHost(canonical)
      ? Optional.of(canonical) : Optional.empty();
  }

  /** The host as the DNS sees it (Punycode) must fit its limits too, and IDNA must accept it. */
  private static boolean deliverableHost(String address) {
    try {
      String ascii = IDN.toASCII(address.substring(address.indexOf('@') + 1), IDN.USE_STD3_ASCII_RULES);
      return ascii.length() <= 253 && Pattern.matches("[a-z0-9.-]+", ascii.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
