package dev.twofa.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Recovery codes: 8 codes of 10 characters from an alphabet without the look-alikes 0 o 1 l i, drawn from a
 * CSPRNG. Only keyed digests (HMAC-SHA-256) are stored; a code is matched by recomputing its digest.
 */
public final class RecoveryCodes {
  public static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  public static final int COUNT = dev.twofa.config.RecoveryCodePolicy.COUNT;
  public static final int LENGTH = dev.twofa.config.RecoveryCodePolicy.LENGTH;
  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec digestKey;

  public RecoveryCodes(byte[] digestKey) {
    this.digestKey = new SecretKeySpec(digestKey, "HmacSHA256");
  }

  public List<String> generate() {
    List<String> codes = new ArrayList<>(COUNT);
    while (codes.size() < COUNT) {
      StringBuilder code = new StringBuilder(LENGTH);
      for (int i = 0; i < LENGTH; i++) {
        code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      if (!codes.contains(code.toString())) {
        codes.add(code.toString());
      }
    }
    return codes;
  }

  /** The canonical form of what a person typed (case, spaces and hyphens ignored), if it can be a code at all. */
  public static Optional<String> normalize(String typed) {
    if (typed == null) {
      return Optional.empty();
    }
    String code = typed.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
    if (code.length() != LENGTH || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      return Optional.empty();
    }
    return Optional.of(code);
  }

  public byte[] digest(String normalizedCode) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(digestKey);
      return mac.doFinal(normalizedCode.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
