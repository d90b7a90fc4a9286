package dev.twofa.auth.credential.recovery;

import dev.twofa.config.KeyRing;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryCodesTest {
  private final RecoveryCodes codes = new RecoveryCodes(KeyRing.of(new byte[32]));

  @Test
  void generatesEightDistinctCodesOfTenUnambiguousCharacters() {
    Set<Character> seen = new HashSet<>();
    for (int round = 0; round < 200; round++) {
      List<String> batch = codes.generate();
      assertEquals(8, batch.size());
      assertEquals(8, new HashSet<>(batch).size());
      for (String code : batch) {
        assertTrue(code.matches("[a-z0-9]{10}"), code);
        code.chars().forEach(c -> seen.add((char) c));
      }
    }
    for (char lookalike : new char[] {'0', 'o', '1', 'l', 'i'}) {
      assertFalse(seen.contains(lookalike), "look-alike " + lookalike);
    }
    assertEquals(RecoveryCodes.ALPHABET.length(), seen.size(), "every other character shows up");
  }

  @Test
  void acceptsCodesAsPeopleTypeThem() {
    assertEquals("abcde23456", RecoveryCodes.normalize("ABCDE-23456").orElseThrow());
    assertEquals("abcde23456", RecoveryCodes.normalize(" abcde 23456 ").orElseThrow());
    assertFalse(RecoveryCodes.normalize("abcde2345").isPresent());
    assertFalse(RecoveryCodes.normalize("abcde23450").isPresent(), "0 is not in the alphabet");
    assertFalse(RecoveryCodes.normalize(null).isPresent());
  }

  @Test
  void digestsAreKeyedDeterministicAndBindTheUser() {
    RecoveryCodes otherKey = new RecoveryCodes(KeyRing.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}));
    assertArrayEquals(codes.digest(7, "abcde23456"), codes.digest(7, "abcde23456"));
    assertFalse(java.util.Arrays.equals(codes.digest(7, "abcde23456"), otherKey.digest(7, "abcde23456")));
    assertFalse(java.util.Arrays.equals(codes.digest(7, "abcde23456"), codes.digest(8, "abcde23456")), "another user");
    assertEquals(32, codes.digest(7, "abcde23456").length);
    assertFalse(codes.candidateDigests(8, "abcde23456").stream()
      .anyMatch(d -> java.util.Arrays.equals(d, codes.digest(7, "abcde23456"))), "user 7's digest never matches for 8");
  }

  @Test
  void aCodeDigestedUnderAnOlderKeyOfTheRingStillMatches() {
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    b[0] = 9;
    byte[] underA = new RecoveryCodes(KeyRing.of(a)).digest(7, "abcde23456");
    RecoveryCodes ringBA = new RecoveryCodes(KeyRing.of(b, a));
    assertEquals(KeyRing.of(b).current().hexId(), ringBA.currentKeyId());
    assertTrue(ringBA.candidateDigests(7, "abcde23456").stream().anyMatch(d -> java.util.Arrays.equals(d, underA)));
    assertArrayEquals(ringBA.candidateDigests(7, "abcde23456").get(0), ringBA.digest(7, "abcde23456"), "current key first");
    assertFalse(new RecoveryCodes(KeyRing.of(b)).candidateDigests(7, "abcde23456").stream()
      .anyMatch(d -> java.util.Arrays.equals(d, underA)), "a key dropped from the ring no longer matches");
  }

  /** Version 1 rows (before digests bound the user) hold HMAC(recovery key, code); they must still match. */
  @Test
  void unboundDigestsStillMatch() throws Exception {
    byte[] key = new byte[32];
    key[3] = 5;
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(dev.twofa.config.ServerKeys.derive(key,
      dev.twofa.config.ServerKeys.Purpose.RECOVERY_CODE), "HmacSHA256"));
    byte[] unbound = mac.doFinal("abcde23456".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    RecoveryCodes ring = new RecoveryCodes(KeyRing.of(key));
    assertTrue(ring.candidateDigests(7, "abcde23456").stream().anyMatch(d -> java.util.Arrays.equals(d, unbound)));
    assertFalse(java.util.Arrays.equals(unbound, ring.digest(7, "abcde23456")), "new digests bind the user");
  }

  /** Rows from before key ids were digested with HMAC(HMAC(key, label || 1), code); they must still match. */
  @Test
  void digestsFromBeforeKeyIdsStillMatch() throws Exception {
    byte[] key = new byte[32];
    key[5] = 3;
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    mac.update("twofa recovery-code digest v1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] oldDigestKey = mac.doFinal(new byte[] {1});
    mac.init(new javax.crypto.spec.SecretKeySpec(oldDigestKey, "HmacSHA256"));
    byte[] oldDigest = mac.doFinal("abcde23456".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    RecoveryCodes ring = new RecoveryCodes(KeyRing.of(key));
    assertTrue(ring.candidateDigests(7, "abcde23456").stream().anyMatch(d -> java.util.Arrays.equals(d, oldDigest)));
    assertFalse(java.util.Arrays.equals(oldDigest, ring.digest(7, "abcde23456")), "new digests use the HKDF key");
  }
}
