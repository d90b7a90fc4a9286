package dev.twofa.auth.session;

import dev.twofa.auth.Door;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session cookie values: 256 random bits, base64url. The database keeps only their SHA-256 (a fast hash is
 * enough for a random 256-bit value), so a dump of it opens no session.
 */
@Door
public final class SessionTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BYTES = 32;

  private SessionTokens() {
  }

  public static String newToken() {
    byte[] token = new byte[BYTES];
    RANDOM.nextBytes(token);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /** The stored form of a presented token; null or blank tokens hash to a value no row has. */
  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest((token == null ? "" : token).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
