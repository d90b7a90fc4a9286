package dev.twofa.config;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Separate keys for separate jobs, derived from the one configured server key with HMAC-SHA-256
 * (the HKDF-Expand step with a distinct label), so a key is never used for two purposes.
 */
public final class ServerKeys {
  private final byte[] totpSecretKey;
  private final byte[] recoveryCodeKey;
  private final byte[] csrfKey;

  public ServerKeys(byte[] masterKey) {
    this.totpSecretKey = derive(masterKey, "twofa totp-secret encryption v1");
    this.recoveryCodeKey = derive(masterKey, "twofa recovery-code digest v1");
    this.csrfKey = derive(masterKey, "twofa csrf-token signing v1");
  }

  /** Signs CSRF tokens; shared by every HTTP node so any of them accepts a token another issued. */
  public String csrfSecret() {
    return java.util.Base64.getEncoder().encodeToString(csrfKey);
  }

  public byte[] totpSecretKey() {
    return totpSecretKey.clone();
  }

  public byte[] recoveryCodeKey() {
    return recoveryCodeKey.clone();
  }

  private static byte[] derive(byte[] masterKey, String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
      mac.update(label.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(new byte[] {1});
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "ServerKeys[hidden]";
  }
}
