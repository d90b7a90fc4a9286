package dev.twofa.config;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The server's secret keys, current first: new data is sealed under the current key, data made under any key of
 * the ring still opens, so a key can be replaced without a flag day.
 */
public final class KeyRing {
  public static final int KEY_BYTES = 32;
  public static final int ID_BYTES = 4;
  private final List<Key> keys;

  /**
   * One key with its id: the first 4 bytes of HMAC(key, "twofa key id"), so the id (stored next to data, printed in
   * logs) says nothing about the key and two keys' ids collide only by a 1 in 2^32 chance.
   */
  public record Key(byte[] id, byte[] material) {
    public String hexId() {
      return HexFormat.of().formatHex(id);
    }

    /** Never print the key. */
    @Override
    public String toString() {
      return "Key[" + hexId() + "]";
    }
  }

  private KeyRing(List<Key> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a key ring needs at least one key");
    }
    Set<String> ids = new HashSet<>();
    for (Key key : keys) {
      if (!ids.add(key.hexId())) {
        throw new IllegalArgumentException("the key ring holds the key " + key.hexId() + " twice");
      }
    }
    this.keys = List.copyOf(keys);
  }

  public static KeyRing of(byte[]... materials) {
    List<Key> keys = new ArrayList<>();
    for (byte[] material : materials) {
      if (material.length != KEY_BYTES) {
        throw new IllegalArgumentException("a secret key is " + KEY_BYTES + " bytes, got " + material.length);
      }
      keys.add(new Key(id(material), material.clone()));
    }
    return new KeyRing(keys);
  }

  /** Comma-separated base64 keys as in {@code variable}, whose name goes into every error. */
  static KeyRing parse(String variable, String commaSeparated) {
    List<byte[]> materials = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      if (!part.isBlank()) {
        materials.add(decode(variable, part));
      }
    }
    if (materials.isEmpty()) {
      throw new IllegalArgumentException(variable + " holds no key");
    }
    return of(materials.toArray(byte[][]::new));
  }

  /** One base64 32-byte key; the message names the variable, never the value. */
  static byte[] decode(String variable, String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(variable + " must be base64 (e.g. `openssl rand -base64 32`)");
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(variable + " must hold keys of exactly " + KEY_BYTES + " bytes, got " + key.length);
    }
    return key;
  }

  public Key current() {
    return keys.get(0);
  }

  /** Every key, current first. */
  public List<Key> keys() {
    return keys;
  }

  public static byte[] id(byte[] material) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(material, "HmacSHA256"));
      byte[] full = mac.doFinal("twofa key id".getBytes(StandardCharsets.UTF_8));
      return java.util.Arrays.copyOf(full, ID_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Ids only: they are safe to print. */
  @Override
  public String toString() {
    return "KeyRing" + keys.stream().map(Key::hexId).toList();
  }
}
