package dev.twofa.auth.credential.totp;

import dev.twofa.config.TotpPolicy;
import io.vertx.ext.auth.otp.OtpKey;
import io.vertx.ext.auth.otp.OtpKeyGenerator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * New TOTP secrets (160 bits from vertx-auth-otp's generator, base32 through its {@link OtpKey}) and the
 * otpauth:// URI an authenticator app reads. The URI is built here because {@code TotpAuth.generateUri}
 * form-encodes a space as '+', which apps show literally ("pafin+Inc.").
 */
final class TotpKeys {
  private static final int SECRET_BITS = 160;
  private final TotpPolicy policy;
  private final OtpKeyGenerator generator = OtpKeyGenerator.create();

  public TotpKeys(TotpPolicy policy) {
    this.policy = policy;
  }

  /** A new secret, base32 as apps and people read it. */
  public String newSecret() {
    synchronized (generator) {
      return generator.generate(SECRET_BITS).getKey();
    }
  }

  /** The HMAC key bytes of a base32 secret. */
  public static byte[] bytes(String base32) {
    return new OtpKey().setKey(base32).getKeyBytes();
  }

  public String uri(String base32, String email) {
    String issuer = encode(policy.issuer());
    String label = issuer + ":" + encode(policy.accountNameFor(email));
    return "otpauth://totp/" + label
      + "?secret=" + base32
      + "&issuer=" + issuer
      + "&algorithm=SHA1&digits=" + policy.digits()
      + "&period=" + policy.periodSeconds();
  }

  /** RFC 3986 percent-encoding: URLEncoder's form encoding with '+' turned back into %20. */
  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
