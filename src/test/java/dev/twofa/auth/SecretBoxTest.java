package dev.twofa.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SecretBoxTest {
  private final SecretBox box = new SecretBox(new byte[32]);
  private final byte[] secret = "JBSWY3DPEHPK3PXP".getBytes(StandardCharsets.US_ASCII);

  @Test
  void opensWhatItSealedForTheSameUser() {
    assertArrayEquals(secret, box.open(box.seal(secret, 7), 7));
  }

  @Test
  void sealsWithAFreshNonceAndNoPlaintext() {
    byte[] first = box.seal(secret, 7);
    byte[] second = box.seal(secret, 7);
    assertFalse(java.util.Arrays.equals(first, second));
    assertFalse(new String(first, StandardCharsets.ISO_8859_1).contains("JBSWY3DP"));
  }

  @Test
  void refusesTamperingAnotherUserAndAnotherKey() {
    byte[] sealed = box.seal(secret, 7);
    byte[] tampered = sealed.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThrows(IllegalArgumentException.class, () -> box.open(tampered, 7));
    assertThrows(IllegalArgumentException.class, () -> box.open(sealed, 8));
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThrows(IllegalArgumentException.class, () -> new SecretBox(otherKey).open(sealed, 7));
  }
}
