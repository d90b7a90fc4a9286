package dev.twofa.http;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.twofa.support.TestServer;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signing key: made by auth once, stored only sealed, and the same after a restart. */
class OidcSigningKeyTest {
  private static final String OLD = key();
  private static final String NEW = key();
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress().withSecretKeys(OLD);

  private static String key() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  @Test
  void theKeyIsSealedAtRestAndSurvivesARestart() throws Exception {
    JWKSet before = JWKSet.load(URI.create(server.baseUrl() + "/.well-known/jwks.json").toURL());
    RSAKey published = (RSAKey) before.getKeys().stream().filter(k -> k instanceof RSAKey).findFirst().orElseThrow();
    List<Row> rows = server.query("SELECT kid, sealed, public_jwk FROM oidc_signing_keys WHERE alg = 'RS256'");
    assertEquals(1, rows.size());
    assertEquals(2, server.query("SELECT kid FROM oidc_signing_keys").size(), "an RS256 and an ES256 key");
    String sealed = rows.get(0).getString("sealed");
    assertEquals(5, sealed.split("\\.", -1).length, "a compact JWE");
    for (String privatePart : List.of("\"d\"", "\"p\"", "\"q\"", published.getModulus().toString())) {
      assertFalse(sealed.contains(privatePart), privatePart);
    }
    assertFalse(rows.get(0).getString("public_jwk").contains("\"d\""));

    server.restart();
    JWKSet after = JWKSet.load(URI.create(server.baseUrl() + "/.well-known/jwks.json").toURL());
    assertEquals(before.toString(), after.toString(), "the same key after a restart");
    assertTrue(server.query("SELECT count(*) AS n FROM oidc_signing_keys").get(0).getLong("n") == 2L);

    // Rotating the ring: the next start seals the signing key under the new ring key, so the old one can go.
    server.restartWith("TWOFA_SECRET_KEYS", NEW + "," + OLD);
    String resealed = server.query("SELECT sealed FROM oidc_signing_keys WHERE alg = 'RS256'").get(0).getString("sealed");
    assertNotEquals(sealed, resealed);
    server.restartWith("TWOFA_SECRET_KEYS", NEW);
    assertEquals(before.toString(), JWKSet.load(URI.create(server.baseUrl() + "/.well-known/jwks.json").toURL()).toString());
  }
}
