package dev.twofa.http;

import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import dev.twofa.cli.OidcClients;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `clients rotate-secret`: a new secret works at once, the old one stops at once; public clients have none. */
class OidcClientSecretRotationTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();

  @Test
  void theNewSecretWorksAndTheOldOneStopsAtOnce() throws Exception {
    RelyingParty app = RelyingParty.register(server, "rotating", false, true);
    assertEquals(200, revoke(app, app.secret), "the first secret works");

    JsonObject rotated = OidcClients.rotateSecret(server.databaseUrl(), app.clientId.getValue());
    assertEquals(app.clientId.getValue(), rotated.getString("client_id"));
    Secret fresh = new Secret(rotated.getString("client_secret"));
    assertNotEquals(app.secret.getValue(), fresh.getValue());
    assertTrue(fresh.getValue().length() >= 43, "256 random bits");

    assertEquals(401, revoke(app, app.secret), "the old secret is refused at once");
    assertEquals(200, revoke(app, fresh));
    byte[] stored = server.query("SELECT secret_hash FROM oidc_clients WHERE client_id = $1", app.clientId.getValue())
      .get(0).getBuffer("secret_hash").getBytes();
    assertArrayEquals(dev.twofa.auth.session.SessionTokens.hash(fresh.getValue()), stored, "stored only as its hash");
  }

  @Test
  void aPublicClientOrAnUnknownIdIsRefusedWithAClearMessage() {
    RelyingParty mobile = RelyingParty.register(server, "mobile", true, true);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
      () -> OidcClients.rotateSecret(server.databaseUrl(), mobile.clientId.getValue()));
    assertTrue(refused.getMessage().contains("public"), refused.getMessage());
    assertEquals(1, server.query("SELECT 1 FROM oidc_clients WHERE client_id = $1 AND secret_hash IS NULL",
      mobile.clientId.getValue()).size(), "still public");
    assertThrows(IllegalArgumentException.class, () -> OidcClients.rotateSecret(server.databaseUrl(), "no-such-client"));
  }

  private static int revoke(RelyingParty app, Secret secret) throws Exception {
    return new TokenRevocationRequest(app.provider.getRevocationEndpointURI(), new ClientSecretBasic(app.clientId, secret),
      new BearerAccessToken("unknown")).toHTTPRequest().send().getStatusCode();
  }
}
