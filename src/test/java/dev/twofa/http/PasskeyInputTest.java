package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Base64;
import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Malformed WebAuthn JSON over real HTTP: every answer is a 4xx with its error code, never a 500; a refused
 * assertion at the code step is a wrong code (it spends a try); an account without passkeys is offered none.
 */
class PasskeyInputTest {
  @RegisterExtension
  static final TestServer server = new TestServer().atLocalhost();
  private final TestAccounts accounts = new TestAccounts(server);

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes());
  }

  private static final List<JsonObject> MALFORMED = List.of(
    new JsonObject(),
    new JsonObject().put("id", "AA").put("type", "public-key"),
    new JsonObject().put("id", "AA").put("rawId", "AA").put("type", "public-key")
      .put("response", new JsonObject().put("clientDataJSON", b64("{}")).put("authenticatorData", "AA").put("signature", "AA")),
    new JsonObject().put("id", "AA").put("rawId", "AA").put("type", "public-key")
      .put("response", new JsonObject().put("clientDataJSON", "%%%").put("attestationObject", "oA")),
    new JsonObject().put("id", "AA").put("rawId", "AA").put("type", "public-key").put("clientExtensionResults", new JsonObject())
      .put("response", new JsonObject().put("clientDataJSON", b64("{\"type\":\"webauthn.create\",\"challenge\":\"AA\"}"))
        .put("attestationObject", "oA")));

  @Test
  void malformedAssertionsAtTheCodeStepAreWrongCodes() throws Exception {
    String email = accounts.enrolled().email();
    ApiClient pending = accounts.pendingLogin(email);
    assertEquals(new JsonObject(), pending.post("/api/login/passkey/options", null).json(), "no passkey, no options");
    for (JsonObject credential : MALFORMED.subList(0, 3)) {
      assertError(pending.post("/api/login/passkey", new JsonObject().put("credential", credential)), 401, "invalid_code");
    }
    assertEquals(2, pending.get("/api/session").json().getJsonObject("pending").getInteger("triesLeft"),
      "each refused passkey cost a try, like a wrong code");
    assertError(pending.post("/api/login/passkey", new JsonObject().put("credential", "text")), 400, "invalid_request");
  }

  @Test
  void malformedRegistrationsAreRefusedWith400() throws Exception {
    ApiClient session = accounts.signedUp(TestAccounts.uniqueEmail());
    assertEquals(200, session.post("/api/passkeys/options", null).status());
    for (JsonObject credential : MALFORMED) {
      assertError(session.post("/api/passkeys", new JsonObject().put("credential", credential)), 400, "passkey_refused");
    }
    assertError(session.post("/api/passkeys/rename", new JsonObject().put("id", "not-an-id").put("name", "x")), 404, "not_found");
    assertError(session.post("/api/passkeys/remove", new JsonObject().put("id", "not-an-id")), 404, "not_found");
    assertEquals(List.of(), session.get("/api/passkeys").json().getJsonArray("passkeys").getList());
    assertError(server.newClient().get("/api/passkeys"), 401, "unauthenticated");
  }
}
