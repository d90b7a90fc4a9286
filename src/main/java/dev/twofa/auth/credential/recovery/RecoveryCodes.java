package dev.twofa.auth.credential.recovery;

import dev.twofa.config.KeyRing;
import dev.twofa.config.ServerKeys;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
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
 * <p>
 * A new digest binds the account: HMAC(k, user id (8 bytes, big-endian) || code), so a digest copied onto another
 * account's row opens nothing there. Rows made before that hold HMAC(k, code) (digest version 1, see V17) and are
 * still matched until their user gets new codes; the two messages differ in length, so they never meet.
 */
public final class RecoveryCodes {
  public static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  public static final int COUNT = dev.twofa.config.RecoveryCodePolicy.COUNT;
  public static final int LENGTH = dev.twofa.config.RecoveryCodePolicy.LENGTH;
  /** The digest version {@link #digest} writes (recovery_codes.digest_version): the user bound in. */
  public static final int DIGEST_VERSION = 2;
  private final SecureRandom random = new SecureRandom();
  private final String currentKeyId;
  private final SecretKeySpec currentKey;
  /** Every key a stored unbound (version 1) digest may have been made with, current first. */
  private final List<SecretKeySpec> candidateKeys = new ArrayList<>();
  /** Every key a bound digest may have been made with (only ever the HKDF ones), current first. */
  private final List<SecretKeySpec> boundKeys = new ArrayList<>();

  public RecoveryCodes(KeyRing ring) {
    this.currentKeyId = ring.current().hexId();
    this.currentKey = hmacKey(ServerKeys.derive(ring.current().material(), ServerKeys.Purpose.RECOVERY_CODE));
    for (KeyRing.Key key : ring.keys()) {
      candidateKeys.add(hmacKey(ServerKeys.derive(key.material(), ServerKeys.Purpose.RECOVERY_CODE)));
    }
    boundKeys.addAll(candidateKeys);
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

  /** The digest to store for {@code userId}'s code, under the current key. */
  public byte[] digest(long userId, String normalizedCode) {
    return digest(currentKey, bound(userId, normalizedCode));
  }

  /** The digests to store for {@code userId}'s new codes. */
  public List<byte[]> digests(long userId, List<String> normalizedCodes) {
    return normalizedCodes.stream().map(code -> digest(userId, code)).toList();
  }

  /**
   * Every digest a stored code of {@code userId} may have: bound to the user under each key of the ring, then
   * unbound (version 1 rows) under each key and its pre-HKDF derivation.
   */
  public List<byte[]> candidateDigests(long userId, String normalizedCode) {
    byte[] bound = bound(userId, normalizedCode);
    byte[] unbound = normalizedCode.getBytes(StandardCharsets.US_ASCII);
    List<byte[]> digests = new ArrayList<>(boundKeys.size() + candidateKeys.size());
    boundKeys.forEach(key -> digests.add(digest(key, bound)));
    candidateKeys.forEach(key -> digests.add(digest(key, unbound)));
    return digests;
  }

  private static byte[] bound(long userId, String normalizedCode) {
    byte[] code = normalizedCode.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(Long.BYTES + code.length).putLong(userId).put(code).array();
  }

  private static SecretKeySpec hmacKey(byte[] key) {
    return new SecretKeySpec(key, "HmacSHA256");
  }

  private static byte[] digest(SecretKeySpec key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
