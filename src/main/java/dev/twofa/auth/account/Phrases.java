package dev.twofa.auth.account;

import java.text.Normalizer;
import java.util.Optional;

/**
 * What an anti-phishing phrase may be: 4 to 20 characters (Unicode code points, after NFC normalisation, so 「ねこ」
 * typed with combining marks counts like the precomposed one), English or Japanese text, no control, format or
 * line-break characters (a phrase is one line, in a fixed place of every mail) and nothing unassigned or private.
 */
public final class Phrases {
  public static final int MIN = 4;
  public static final int MAX = 20;

  private Phrases() {
  }

  /** The phrase as stored (NFC, outer spaces removed), or empty when it is not one. */
  public static Optional<String> clean(String typed) {
    if (typed == null || typed.length() > 4 * MAX) {
      return Optional.empty();
    }
    String phrase = Normalizer.normalize(typed, Normalizer.Form.NFC).strip();
    int count = phrase.codePointCount(0, phrase.length());
    if (count < MIN || count > MAX || !phrase.codePoints().allMatch(Phrases::allowed)) {
      return Optional.empty();
    }
    return Optional.of(phrase);
  }

  private static boolean allowed(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
           Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
      default -> true;
    };
  }
}
