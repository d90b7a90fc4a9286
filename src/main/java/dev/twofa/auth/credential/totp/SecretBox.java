package dev.twofa.auth.credential.totp;

import dev.twofa.auth.Door;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.KeyRing;
import dev.twofa.config.ServerKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * AES-256-GCM for TOTP secrets at rest, under the key ring's TOTP purpose keys. A box is
 * {@code 0x02 || key id (4) || nonce (12) || ciphertext+tag}; the version byte and key id are bound into the
 * associated data with the user id, so a box copied onto another account, or relabelled, does not decrypt.
 * <p>
 * Boxes written before key ids ({@code nonce || ciphertext+tag}) still open: their first byte is random, so it
 * can equal the version byte; the header is therefore only a hint. A box is read as versioned when its id names a
 * key of the ring and it authenticates as such; otherwise it is tried as an id-less box under each key's
 * pre-HKDF derivation in ring order. GCM's tag makes a wrong reading fail, never decrypt to something else.
 */
@Door
public final class SecretBox {
  private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
  private static final byte VERSION = 2;
  private static final int HEADER_BYTES = 1 + KeyRing.ID_BYTES;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private final List<RingKey> keys;
  private final SecureRandom random = new SecureRandom();

  private record RingKey(byte[] id, SecretKeySpec key, SecretKeySpec legacyKey) {
  }

  /** What opened a box: the plaintext, and whether it is already sealed the way {@link #seal} would seal it now. */
  public record Opened(byte[] plaintext, boolean current) {
  }

  public SecretBox(KeyRing ring) {
    List<RingKey> keys = new ArrayList<>();
    for (KeyRing.Key key : ring.keys()) {
      keys.add(new RingKey(key.id(),
        new SecretKeySpec(ServerKeys.derive(key.material(), ServerKeys.Purpose.TOTP_SECRET), "AES"),
        new SecretKeySpec(ServerKeys.legacy(key.material(), ServerKeys.Purpose.TOTP_SECRET), "AES")));
    }
    this.keys = List.copyOf(keys);
  }

  /** Seals under the ring's current key. */
  public byte[] seal(byte[] plaintext, long userId) {
    RingKey current = keys.get(0);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] header = ByteBuffer.allocate(HEADER_BYTES).put(VERSION).put(current.id()).array();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, current.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(header, userId));
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(HEADER_BYTES + NONCE_BYTES + sealed.length).put(header).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /** @throws IllegalArgumentException when the box was tampered with, belongs to another user, or no key of the ring made it */
  public byte[] open(byte[] box, long userId) {
    return openWithKeyInfo(box, userId).plaintext();
  }

  /** Like {@link #open}, also telling whether the box needs sealing again under the current key. */
  public Opened openWithKeyInfo(byte[] box, long userId) {
    if (box.length > HEADER_BYTES + NONCE_BYTES && box[0] == VERSION) {
      byte[] id = Arrays.copyOfRange(box, 1, HEADER_BYTES);
      for (int i = 0; i < keys.size(); i++) {
        if (Arrays.equals(keys.get(i).id(), id)) {
          Optional<byte[]> plain = decrypt(keys.get(i).key(), box, HEADER_BYTES, associatedData(Arrays.copyOf(box, HEADER_BYTES), userId));
          if (plain.isPresent()) {
            return new Opened(plain.get(), i == 0);
          }
        }
      }
    }
    if (box.length > NONCE_BYTES) {
      for (RingKey key : keys) {
        Optional<byte[]> plain = decrypt(key.legacyKey(), box, 0, legacyAssociatedData(userId));
        if (plain.isPresent()) {
          return new Opened(plain.get(), false);
        }
      }
    }
    throw new IllegalArgumentException("sealed secret does not authenticate under any key of the ring");
  }

  /** Opens a sealed base32 TOTP secret into its HMAC key bytes; see {@link #openBase32} for a box that does not open. */
  public byte[] openTotpSecret(byte[] box, long userId) {
    return TotpKeys.bytes(openBase32(box, userId));
  }

  /**
   * Opens a sealed base32 TOTP secret. A box no key of the ring opens (its key left the ring, or the row was
   * altered) fails the request with {@code totp_unavailable} (503: the operator can put the key back) and one ERROR
   * naming the user and the box's key id, never with an internal error.
   */
  String openBase32(byte[] box, long userId) {
    try {
      return new String(open(box, userId), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      LOG.error("event=totp.secret_unreadable user={} key_id={} message=\"no key of the ring opens this TOTP secret:"
        + " its key is missing from TWOFA_SECRET_KEYS, or the row was altered\"", userId, keyId(box).orElse("none"));
      throw new BusFailure(ErrorCode.TOTP_UNAVAILABLE);
    }
  }

  /** The key id a box names in its header (8 hex digits), if it has one; safe to print. */
  public static Optional<String> keyId(byte[] box) {
    return box.length > HEADER_BYTES + NONCE_BYTES && box[0] == VERSION
      ? Optional.of(HexFormat.of().formatHex(box, 1, HEADER_BYTES)) : Optional.empty();
  }

  /** The header a box sealed under each key of the ring starts with ({@link #seal}'s), current first. */
  public List<byte[]> ringHeaders() {
    return keys.stream().map(key -> ByteBuffer.allocate(HEADER_BYTES).put(VERSION).put(key.id()).array()).toList();
  }

  private static Optional<byte[]> decrypt(SecretKeySpec key, byte[] box, int offset, byte[] aad) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, box, offset, NONCE_BYTES));
      cipher.updateAAD(aad);
      return Optional.of(cipher.doFinal(box, offset + NONCE_BYTES, box.length - offset - NONCE_BYTES));
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  private static byte[] associatedData(byte[] header, long userId) {
    byte[] user = legacyAssociatedData(userId);
    return ByteBuffer.allocate(header.length + user.length).put(header).put(user).array();
  }

  /** What id-less boxes bound: the user id alone. */
  private static byte[] legacyAssociatedData(long userId) {
    return ("twofa-user:" + userId).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SecretBox[hidden]";
  }
}
