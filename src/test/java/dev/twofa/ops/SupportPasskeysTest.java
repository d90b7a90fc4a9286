package dev.twofa.ops;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.SoftwarePasskey;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The support desk and passkeys: the user view lists them (name, added, last used), and staff remove one (a lost
 * device) under the guards of turning 2FA off: step-up, never a staff account, the hourly cap, a reason and how
 * identity was verified; the owner's sessions end, Activity and a mail say so, and the last second factor gone
 * turns 2FA off with its recovery codes.
 */
class SupportPasskeysTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress().with("TWOFA_SUPPORT_MAX_RESETS_PER_HOUR", "3");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void staffSeeThePasskeysAndRemoveOneThenTheLastWhichTurns2faOff() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    add(owner, new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV), "Phone");
    server.clock().advance(Duration.ofSeconds(1));   // listed oldest first
    add(owner, new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV), "Laptop");
    TestAccounts.Staff desk = accounts.steppedUpStaff();

    JsonArray passkeys = desk.client().get("/api/support/users?email=" + email).json().getJsonArray("passkeys");
    assertEquals(List.of("Phone", "Laptop"), passkeys.stream().map(p -> ((JsonObject) p).getString("name")).toList());
    JsonObject phone = passkeys.getJsonObject(0);
    assertNotNull(phone.getString("createdAt"));
    assertNull(phone.getValue("lastUsedAt"), "never used yet");

    assertError(desk.client().post("/api/support/users/remove-passkey", removal(email, "no-such-id")), 404, "not_found");
    Response removed = desk.client().post("/api/support/users/remove-passkey", removal(email, phone.getString("id")));
    assertEquals(200, removed.status(), removed.toString());
    assertEquals(true, removed.json().getJsonObject("user").getBoolean("twoFactorEnabled"), "the laptop's passkey is left");
    assertEquals(8, removed.json().getJsonObject("user").getInteger("recoveryCodesRemaining"));
    assertError(owner.get("/api/account"), 401, "unauthenticated");
    JsonObject event = desk.client().get("/api/support/users?email=" + email).json().getJsonArray("activity").stream()
      .map(JsonObject.class::cast).filter(e -> e.getString("type").equals("passkey.removed")).findFirst().orElseThrow();
    assertEquals(desk.email(), event.getString("actor"), "staff see who acted");
    assertEquals("Phone", event.getJsonObject("details").getString("passkey"));
    assertEquals("Lost the phone on a train", event.getJsonObject("details").getString("reason"));
    assertEquals(1, server.query("SELECT 1 FROM mail_outbox m JOIN users u ON u.id = m.user_id"
      + " WHERE u.email = $1 AND kind = 'passkey.removed'", email).size(), "the owner is mailed");

    String laptop = desk.client().get("/api/support/users?email=" + email).json().getJsonArray("passkeys")
      .getJsonObject(0).getString("id");
    Response last = desk.client().post("/api/support/users/remove-passkey", removal(email, laptop));
    assertEquals(200, last.status(), last.toString());
    assertEquals(false, last.json().getJsonObject("user").getBoolean("twoFactorEnabled"), "no second factor left");
    assertEquals(0, last.json().getJsonObject("user").getInteger("recoveryCodesRemaining"), "its recovery codes went too");
    assertError(desk.client().post("/api/support/users/remove-passkey", removal(email, laptop)), 409, "not_enabled");
  }

  @Test
  void theGuardsOfTurning2faOff() throws Exception {
    TestAccounts.Staff desk = accounts.steppedUpStaff();
    String colleague = TestAccounts.uniqueEmail();
    ApiClient colleagueSession = accounts.signedUp(colleague);
    String colleaguePasskey = add(colleagueSession, new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV), "Key");
    SupportRoles.set(server.databaseUrl(), colleague, true);
    assertError(desk.client().post("/api/support/users/remove-passkey", removal(colleague, colleaguePasskey)),
      403, "forbidden");

    JsonObject blank = removal(colleague, colleaguePasskey).put("verification", " ");
    assertError(desk.client().post("/api/support/users/remove-passkey", blank), 400, "invalid_request");

    // The hourly cap is the one disable-2fa spends.
    for (int i = 0; i < 3; i++) {
      String email = TestAccounts.uniqueEmail();
      String id = add(accounts.signedUp(email), new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV), "Key");
      assertEquals(200, desk.client().post("/api/support/users/remove-passkey", removal(email, id)).status());
    }
    String fourth = TestAccounts.uniqueEmail();
    String id = add(accounts.signedUp(fourth), new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV), "Key");
    assertError(desk.client().post("/api/support/users/remove-passkey", removal(fourth, id)), 429, "rate_limited");
    assertEquals(1, server.query("SELECT 1 FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
      fourth).size(), "over the cap nothing changes");

    server.clock().advance(Duration.ofMinutes(11));
    assertError(desk.client().post("/api/support/users/remove-passkey", removal(fourth, id)), 403, "step_up_required");
  }

  /** Adds a passkey in this (just signed up, so stepped up) session; its id. */
  private static String add(ApiClient owner, SoftwarePasskey device, String name) throws Exception {
    JsonObject options = owner.post("/api/passkeys/options", null).json().getJsonObject("publicKey");
    Response added = owner.post("/api/passkeys", new JsonObject().put("credential", device.create(options)).put("name", name));
    assertEquals(201, added.status(), added.toString());
    JsonArray list = added.json().getJsonArray("passkeys");
    return list.getJsonObject(list.size() - 1).getString("id");
  }

  private static JsonObject removal(String email, String passkeyId) {
    return new JsonObject().put("email", email).put("passkeyId", passkeyId).put("reason", "Lost the phone on a train")
      .put("verification", "Video call, matched the photo ID on file");
  }
}
