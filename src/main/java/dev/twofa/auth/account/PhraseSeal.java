package dev.twofa.auth.account;

import dev.twofa.auth.Door;
import dev.twofa.auth.credential.totp.SecretBox;
import dev.twofa.config.KeyRing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An anti-phishing phrase sealed at rest like a TOTP secret (SecretBox: AES-256-GCM under the key ring, bound to
 * the user id), with a prefix of its own inside the box so that a phrase box copied into a TOTP column (or back)
 * does not open as the other. The mail outbox keeps the same box and opens it only as a mail goes out.
 */
@Door
public final class PhraseSeal {
  private static final byte[] PREFIX = "twofa.phrase:".getBytes(StandardCharsets.US_ASCII);
  private final SecretBox box;

  public PhraseSeal(SecretBox box) {
    this.box = box;
  }

  public static PhraseSeal create(KeyRing keys) {
    return new PhraseSeal(new SecretBox(keys));
  }

  public byte[] seal(long userId, String phrase) {
    byte[] text = phrase.getBytes(StandardCharsets.UTF_8);
    byte[] plain = Arrays.copyOf(PREFIX, PREFIX.length + text.length);
    System.arraycopy(text, 0, plain, PREFIX.length, text.length);
    return box.seal(plain, userId);
  }

  /** @throws IllegalArgumentException when the box is not a phrase of this user under a key of the ring */
  public String open(long userId, byte[] sealed) {
    byte[] plain = box.open(sealed, userId);
    if (plain.length < PREFIX.length || !Arrays.equals(Arrays.copyOf(plain, PREFIX.length), PREFIX)) {
      throw new IllegalArgumentException("not an anti-phishing phrase");
    }
    return new String(plain, PREFIX.length, plain.length - PREFIX.length, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "PhraseSeal[hidden]";
  }
}
