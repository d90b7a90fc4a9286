package dev.twofa.config;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import java.nio.charset.StandardCharsets;

/**
 * Separate keys for separate jobs, derived from a secret key with HKDF-SHA-256 (RFC 5869; fixed salt, the purpose
 * as info), so a key is never used for two purposes and a node can be handed one purpose key without the rest.
 */
public final class ServerKeys {
  /** Fixed, so every node derives the same purpose keys; it only separates these from the pre-HKDF ones. */
  private static final byte[] SALT = "twofa purpose keys v2".getBytes(StandardCharsets.UTF_8);

  public enum Purpose {
    TOTP_SECRET("twofa totp-secret encryption v1"),
    RECOVERY_CODE("twofa recovery-code digest v1"),
    CSRF("twofa csrf-token signing v1"),
    CLUSTER("twofa cluster CA key v2"),
    AUDIT("twofa audit channel v1"),
    /** Derived from the CSRF key, not the ring, so an HTTP-only node signs device cookies like every other. */
    DEVICE_COOKIE("twofa device-cookie signing v1"),
    OIDC_SIGNING_KEY("twofa oidc signing-key encryption v1");

    private final byte[] info;

    Purpose(String label) {
      this.info = label.getBytes(StandardCharsets.UTF_8);
    }
  }

  private ServerKeys() {
  }

  public static byte[] derive(byte[] secretKey, Purpose purpose) {
    return hkdf(new HKDFParameters(secretKey, SALT, purpose.info));
  }

  /**
   * The key data written before key ids used: HMAC(secret key, label || 0x01), which is HKDF-Expand alone.
   * Only for reading such data (id-less TOTP boxes, recovery-code rows without a key id); never for new data.
   */
  public static byte[] legacy(byte[] secretKey, Purpose purpose) {
    return hkdf(HKDFParameters.skipExtractParameters(secretKey, purpose.info));
  }

  private static byte[] hkdf(HKDFParameters parameters) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(parameters);
    byte[] key = new byte[KeyRing.KEY_BYTES];
    hkdf.generateBytes(key, 0, key.length);
    return key;
  }
}
