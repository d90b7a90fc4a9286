package dev.twofa.auth.credential.totp;

import dev.twofa.config.TotpPolicy;
import dev.twofa.support.Totp;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TotpKeysTest {
  @Test
  void newSecretsAre160BitBase32() {
    TotpKeys keys = new TotpKeys(new TotpPolicy("pafin Inc.", "pafin", 6, 30, 1));
    String secret = keys.newSecret();
    assertEquals(20, new Base32().decode(secret).length);
    assertArrayEquals(new Base32().decode(secret), TotpKeys.bytes(secret));
    assertNotEquals(secret, keys.newSecret());
  }

  @Test
  void uriShowsPafinSlashPafinIncWithSpacesAsSpaces() {
    TotpKeys keys = new TotpKeys(new TotpPolicy("pafin Inc.", "pafin", 6, 30, 1));
    URI uri = URI.create(keys.uri("JBSWY3DPEHPK3PXP", "alice@example.com"));
    assertEquals("otpauth", uri.getScheme());
    assertEquals("totp", uri.getHost());
    assertEquals("/pafin Inc.:pafin", uri.getPath());
    assertTrue(uri.getQuery().contains("issuer=pafin Inc."), uri.getQuery());
    assertTrue(uri.getRawQuery().contains("issuer=pafin%20Inc."), uri.getRawQuery());
    assertTrue(uri.getQuery().contains("secret=JBSWY3DPEHPK3PXP"));
    assertTrue(uri.getQuery().contains("digits=6") && uri.getQuery().contains("period=30"));
  }

  @Test
  void accountNameCanBeTheUsersEmail() {
    TotpKeys keys = new TotpKeys(new TotpPolicy("pafin Inc.", TotpPolicy.EMAIL_PLACEHOLDER, 6, 30, 1));
    URI uri = URI.create(keys.uri("JBSWY3DPEHPK3PXP", "alice+2fa@example.com"));
    assertEquals("/pafin Inc.:alice+2fa@example.com", uri.getPath());
  }

  @Test
  void theIndependentImplementationAgreesWithTheVerifier() {
    var clock = new dev.twofa.support.MutableClock(java.time.Instant.parse("2026-03-01T12:00:15Z"));
    TotpVerifier verifier = new TotpVerifier(new TotpPolicy("i", "a", 6, 30, 1), clock);
    String secret = "JBSWY3DPEHPK3PXP";
    assertEquals(Totp.code(secret, clock.instant()), verifier.codeAt(TotpKeys.bytes(secret), verifier.currentStep()));
  }
}
