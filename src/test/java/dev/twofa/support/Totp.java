package dev.twofa.support;

import org.apache.commons.codec.binary.Base32;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.time.Instant;

/** An independent RFC 6238 implementation (JDK HMAC, commons-codec base32) that plays the authenticator app. */
public final class Totp {
  private Totp() {
  }

  public static String code(String base32Secret, Instant at) {
    return code(new Base32().decode(base32Secret), at.getEpochSecond() / 30, 6, "HmacSHA1");
  }

  public static String code(byte[] key, long step, int digits, String algorithm) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = hash[hash.length - 1] & 0xf;
      int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
        | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
      return String.format("%0" + digits + "d", binary % (int) Math.pow(10, digits));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
