package dev.twofa.bus;

import io.vertx.core.json.Json;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A request's proof that it comes from a node holding the key ring (auth): an HMAC-SHA-256 of its address and its
 * JSON body under a key only auth and audit hold. Audit's operations that read or write a user's events require
 * it, so an edge node, which may ask auth anything a browser may, cannot ask audit directly.
 */
final class Seal {
  static final String HEADER = "twofa-seal";

  private Seal() {
  }

  static String of(byte[] key, String address, Object body) {
    return Base64.getEncoder().encodeToString(mac(key, address, body));
  }

  /** Constant-time check of {@code seal} against {@code body}, as the consumer decoded it. */
  static boolean holds(byte[] key, String address, Object body, String seal) {
    if (seal == null) {
      return false;
    }
    try {
      return MessageDigest.isEqual(mac(key, address, body), Base64.getDecoder().decode(seal));
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  private static byte[] mac(byte[] key, String address, Object body) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
      // The same mapper and the records' field order on both sides, so the decoded body encodes to the same text.
      return hmac.doFinal(("twofa sealed request v1\n" + address + "\n" + Json.encode(body)).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
