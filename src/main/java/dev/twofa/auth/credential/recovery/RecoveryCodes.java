package dev.twofa.auth.credential.recovery;

import dev.twofa.config.KeyRing;
import dev.twofa.config.ServerKeys;

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
 * CSPRNG. Only keyed digests (HMAC-SHA-256) are stored, with the id of the ring key that made them; a code is
 * matched by recomputing its digest under every key of the ring (and under each key's pre-HKDF derivation, for
 * rows stored before key ids), so codes made under an older key keep working while that key stays in the ring.
 */
public final class RecoveryCodes {
  public static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  public static final int COUNT = dev.twofa.config.RecoveryCodePolicy.COUNT;
  public static final int LENGTH = dev.twofa.config.RecoveryCodePolicy.LENGTH;
  private final SecureRandom random = new SecureRandom();
  private final String currentKeyId;
  private final SecretKeySpec currentKey;
  /** Every key a stored digest may have been made with, current first. */
  private final List<SecretKeySpec> candidateKeys = new ArrayList<>();

  public RecoveryCodes(KeyRing ring) {
    this.currentKeyId = ring.current().hexId();
    this.currentKey = hmacKey(ServerKeys.derive(ring.current().material(), ServerKeys.Purpose.RECOVERY_CODE));
    for (KeyRing.Key key : ring.keys()) {
      candidateKeys.add(hmacKey(ServerKeys.derive(key.material(), ServerKeys.Purpose.RECOVERY_CODE)));
    }
    for (KeyRing.Key key : ring.keys()) {
      candidateKeys.add(hmacKey(ServerKeys.legacy(key.material(), ServerKeys.Purpose.RECOVERY_CODE)));
    }
  }

  /** The id stored with digests made by {@link #digest}. */
  public String currentKeyId() {
    return currentKeyId;
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

  /** The digest to store, under the current key. */
  public byte[] digest(String normalizedCode) {
    return digest(currentKey, normalizedCode);
  }

  /** Every digest a stored code may have, one per key of the ring and derivation. */
  public List<byte[]> candidateDigests(String normalizedCode) {
    return candidateKeys.stream().map(key -> digest(key, normalizedCode)).toList();
  }

  private static SecretKeySpec hmacKey(byte[] key) {
    return new SecretKeySpec(key, "HmacSHA256");
  }

  private static byte[] digest(SecretKeySpec key, String normalizedCode) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(normalizedCode.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
