package dev.twofa.auth.credential.totp;

import dev.twofa.config.KeyRing;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretBoxTest {
  private static final byte[] KEY_A = key(0);
  private static final byte[] KEY_B = key(1);
  private final SecretBox box = new SecretBox(KeyRing.of(KEY_A));
  private final byte[] secret = "JBSWY3DPEHPK3PXP".getBytes(StandardCharsets.US_ASCII);

  @Test
  void aBoxNoKeyOpensIsTotpUnavailableAndNamesItsKeyIdOnly() {
    byte[] underA = box.seal(secret, 7);
    SecretBox ringB = new SecretBox(KeyRing.of(KEY_B));
    dev.twofa.bus.BusFailure failure = assertThrows(dev.twofa.bus.BusFailure.class, () -> ringB.openTotpSecret(underA, 7));
    assertEquals(dev.twofa.bus.ErrorCode.TOTP_UNAVAILABLE, failure.code());
    assertEquals(503, failure.code().status());
    assertEquals(KeyRing.of(KEY_A).current().hexId(), SecretBox.keyId(underA).orElseThrow());
    assertArrayEquals(Arrays.copyOf(underA, 5), box.ringHeaders().get(0), "a box starts with its ring key's header");
    assertFalse(ringB.ringHeaders().stream().anyMatch(h -> Arrays.equals(h, Arrays.copyOf(underA, 5))));
  }

  @Test
  void opensWhatItSealedForTheSameUser() {
    assertArrayEquals(secret, box.open(box.seal(secret, 7), 7));
  }

  @Test
  void sealsWithAFreshNonceAndNoPlaintext() {
    byte[] first = box.seal(secret, 7);
    byte[] second = box.seal(secret, 7);
    assertFalse(Arrays.equals(first, second));
    assertFalse(new String(first, StandardCharsets.ISO_8859_1).contains("JBSWY3DP"));
  }

  @Test
  void refusesTamperingAnotherUserAndAnotherKey() {
    byte[] sealed = box.seal(secret, 7);
    byte[] tampered = sealed.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThrows(IllegalArgumentException.class, () -> box.open(tampered, 7));
    assertThrows(IllegalArgumentException.class, () -> box.open(sealed, 8));
    assertThrows(IllegalArgumentException.class, () -> new SecretBox(KeyRing.of(KEY_B)).open(sealed, 7));
  }

  @Test
  void sealsUnderTheCurrentKeyAndRecordsItsId() {
    byte[] sealed = new SecretBox(KeyRing.of(KEY_B, KEY_A)).seal(secret, 7);
    assertEquals(2, sealed[0], "version byte");
    assertArrayEquals(KeyRing.of(KEY_B).current().id(), Arrays.copyOfRange(sealed, 1, 5));
    assertEquals(1 + 4 + 12 + secret.length + 16, sealed.length);
    assertArrayEquals(secret, new SecretBox(KeyRing.of(KEY_B)).open(sealed, 7), "opens with B alone");
    assertThrows(IllegalArgumentException.class, () -> box.open(sealed, 7), "A alone cannot open it");
  }

  @Test
  void opensBoxesOfAnOlderKeyAndSaysTheyAreNotCurrent() {
    byte[] underA = box.seal(secret, 7);
    SecretBox ring = new SecretBox(KeyRing.of(KEY_B, KEY_A));
    SecretBox.Opened opened = ring.openWithKeyInfo(underA, 7);
    assertArrayEquals(secret, opened.plaintext());
    assertFalse(opened.current());
    assertTrue(ring.openWithKeyInfo(ring.seal(secret, 7), 7).current());
  }

  @Test
  void relabellingABoxWithAnotherKeyIdDoesNotOpenIt() {
    byte[] sealed = new SecretBox(KeyRing.of(KEY_B, KEY_A)).seal(secret, 7);
    byte[] relabelled = sealed.clone();
    System.arraycopy(KeyRing.of(KEY_A).current().id(), 0, relabelled, 1, 4);
    assertThrows(IllegalArgumentException.class, () -> new SecretBox(KeyRing.of(KEY_A, KEY_B)).open(relabelled, 7));
  }

  /** Rows written before key ids: nonce || AES-GCM under HMAC(key, label || 1), the user id as associated data. */
  @Test
  void opensIdLessBoxesWithEveryKeyOfTheRingInOrder() throws Exception {
    for (int firstByte : new int[] {0x02, 0x00, 0x7f}) {
      byte[] old = oldFormat(KEY_A, secret, 7, (byte) firstByte);
      SecretBox ring = new SecretBox(KeyRing.of(KEY_B, KEY_A));
      SecretBox.Opened opened = ring.openWithKeyInfo(old, 7);
      assertArrayEquals(secret, opened.plaintext(), "first nonce byte " + firstByte);
      assertFalse(opened.current());
      assertArrayEquals(secret, box.open(old, 7));
      assertThrows(IllegalArgumentException.class, () -> new SecretBox(KeyRing.of(KEY_B)).open(old, 7));
      assertThrows(IllegalArgumentException.class, () -> ring.open(old, 8));
    }
  }

  /** An id-less box whose nonce starts with the version byte and then the current key's id still opens. */
  @Test
  void anIdLessBoxThatLooksVersionedStillOpens() throws Exception {
    byte[] nonce = new byte[12];
    nonce[0] = 2;
    System.arraycopy(KeyRing.of(KEY_A).current().id(), 0, nonce, 1, 4);
    byte[] old = oldFormat(KEY_A, secret, 7, nonce);
    assertArrayEquals(secret, box.open(old, 7));
  }

  private static byte[] oldFormat(byte[] masterKey, byte[] plaintext, long userId, byte firstNonceByte) throws Exception {
    byte[] nonce = new byte[12];
    new java.security.SecureRandom().nextBytes(nonce);
    nonce[0] = firstNonceByte;
    return oldFormat(masterKey, plaintext, userId, nonce);
  }

  private static byte[] oldFormat(byte[] masterKey, byte[] plaintext, long userId, byte[] nonce) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
    mac.update("twofa totp-secret encryption v1".getBytes(StandardCharsets.UTF_8));
    byte[] oldKey = mac.doFinal(new byte[] {1});
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(oldKey, "AES"), new GCMParameterSpec(128, nonce));
    cipher.updateAAD(("twofa-user:" + userId).getBytes(StandardCharsets.UTF_8));
    byte[] sealed = cipher.doFinal(plaintext);
    return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
  }

  private static byte[] key(int seed) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) (seed * 37 + 1));
    return key;
  }
}
