package dev.twofa.ops;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The support desk: role from the command line, 2FA required of staff, disable with reason, all recorded. */
class SupportDeskTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_SUPPORT_MAX_RESETS_PER_HOUR", "3");
  private final TestAccounts accounts = new TestAccounts(server);

  private JsonObject disable(String email) {
    return new JsonObject().put("email", email).put("reason", "Lost phone and printed codes in a move")
      .put("verification", "Answered questions about documents uploaded in March; video call matched ID");
  }

  @Test
  void theRoleIsGrantedByEmailAndOnlyToExistingAccounts() throws Exception {
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    assertTrue(SupportRoles.set(server.databaseUrl(), email.toUpperCase(), true));
    assertFalse(SupportRoles.set(server.databaseUrl(), "nobody-" + email, true));
    assertTrue(server.query("SELECT support FROM users WHERE email = $1", email).get(0).getBoolean("support"));
  }

  @Test
  void nonSupportCallersAndSupportWithout2faAreRefused() throws Exception {
    Enrolled user = accounts.enrolled();
    ApiClient plain = accounts.signedUp(TestAccounts.uniqueEmail());
    assertError(plain.get("/api/support/users?email=" + user.email()), 403, "forbidden");
    assertError(plain.post("/api/support/users/disable-2fa", disable(user.email())), 403, "forbidden");
    assertError(server.newClient().get("/api/support/users?email=" + user.email()), 401, "unauthenticated");

    String staffEmail = TestAccounts.uniqueEmail();
    ApiClient staffWithout2fa = accounts.signedUp(staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);
    Response refused = staffWithout2fa.get("/api/support/users?email=" + user.email());
    assertError(refused, 403, "forbidden");
    assertTrue(refused.json().getString("message").contains("2FA"));
    assertError(staffWithout2fa.post("/api/support/users/disable-2fa", disable(user.email())), 403, "forbidden");
    assertTrue(server.query("SELECT totp_secret IS NOT NULL AS on FROM users WHERE email = $1", user.email())
      .get(0).getBoolean("on"), "nothing was disabled");
  }

  @Test
  void supportLooksUpAndDisables2faWhichEndsSessionsAndIsRecordedForBoth() throws Exception {
    Enrolled user = accounts.enrolled();
    ApiClient userSession = accounts.pendingLogin(user.email());
    assertEquals(200, userSession.post("/api/login/totp", TestAccounts.code(accounts.currentCode(user))).status());

    String staffEmail = TestAccounts.uniqueEmail();
    ApiClient staff = accounts.signedUp(staffEmail);
    Enrolled staffAccount = accounts.enrolled(staff, staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);
    assertEquals(true, staff.get("/api/account").json().getBoolean("support"));
    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the sign-up counts as
    assertError(staff.post("/api/support/users/disable-2fa", disable(user.email())), 403, "step_up_required");
    accounts.stepUp(staff, staffAccount);

    Response lookup = staff.get("/api/support/users?email=" + user.email().toUpperCase());
    assertEquals(200, lookup.status(), lookup.toString());
    assertEquals(true, lookup.json().getJsonObject("user").getBoolean("twoFactorEnabled"));
    assertEquals(8, lookup.json().getJsonObject("user").getInteger("recoveryCodesRemaining"));
    assertTrue(lookup.json().getJsonArray("activity").size() >= 3);
    assertError(staff.get("/api/support/users?email=nobody-" + user.email()), 404, "user_not_found");

    assertError(staff.post("/api/support/users/disable-2fa", disable(user.email()).put("reason", "   ")), 400, "invalid_request");
    assertError(staff.post("/api/support/users/disable-2fa", disable(user.email()).put("verification", "")), 400, "invalid_request");
    JsonObject missing = disable(user.email());
    missing.remove("verification");
    assertError(staff.post("/api/support/users/disable-2fa", missing), 400, "invalid_request");

    Response disabled = staff.post("/api/support/users/disable-2fa", disable(user.email()));
    assertEquals(200, disabled.status(), disabled.toString());
    assertEquals(false, disabled.json().getJsonObject("user").getBoolean("twoFactorEnabled"));
    assertEquals(0, disabled.json().getJsonObject("user").getInteger("recoveryCodesRemaining"));
    assertError(staff.post("/api/support/users/disable-2fa", disable(user.email())), 409, "not_enabled");

    assertError(userSession.get("/api/account"), 401, "unauthenticated");
    assertEquals(0, server.query("SELECT count(*)::int AS n FROM recovery_codes r JOIN users u ON u.id = r.user_id "
      + "WHERE u.email = $1", user.email()).get(0).getInteger("n"));
    assertNull(server.query("SELECT totp_secret FROM users WHERE email = $1", user.email()).get(0).getBuffer("totp_secret"));

    ApiClient back = server.newClient();
    Response login = back.post("/api/login", credentials(user.email(), PASSWORD));
    assertEquals("authenticated", login.json().getString("state"), "password alone now logs in");
    JsonObject userEvent = back.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(JsonObject.class::cast).filter(e -> e.getString("type").equals("2fa.disabled")).findFirst().orElseThrow();
    assertEquals("support", userEvent.getString("actor"), "the user sees that support acted");
    assertNull(userEvent.getValue("details"), "but not the staff's notes");

    JsonArray staffView = staff.get("/api/support/users?email=" + user.email()).json().getJsonArray("activity");
    JsonObject staffEvent = staffView.stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("type").equals("2fa.disabled")).findFirst().orElseThrow();
    assertEquals(staffEmail, staffEvent.getString("actor"), "staff see who acted");
    assertEquals("Lost phone and printed codes in a move", staffEvent.getJsonObject("details").getString("reason"));
    assertTrue(staffEvent.getJsonObject("details").getString("verification").contains("documents uploaded"));
  }

  @Test
  void staffNeedAFreshStepUpCannotTouchStaffAccountsAndAreCappedPerHour() throws Exception {
    TestAccounts.Staff desk = accounts.steppedUpStaff();
    ApiClient staff = desk.client();
    String staffEmail = desk.email();
    String colleagueEmail = TestAccounts.uniqueEmail();
    accounts.enrolled(accounts.signedUp(colleagueEmail), colleagueEmail);
    SupportRoles.set(server.databaseUrl(), colleagueEmail, true);

    assertError(staff.post("/api/support/users/disable-2fa", disable(staffEmail)), 403, "forbidden");
    assertError(staff.post("/api/support/users/disable-2fa", disable(colleagueEmail)), 403, "forbidden");
    for (int i = 0; i < 3; i++) {
      assertEquals(200, staff.post("/api/support/users/disable-2fa", disable(accounts.enrolled().email())).status());
    }
    Enrolled fourth = accounts.enrolled();
    Response capped = staff.post("/api/support/users/disable-2fa", disable(fourth.email()));
    assertError(capped, 429, "rate_limited");
    assertTrue(twoFactorOn(fourth.email()), "over the hourly cap nothing changes");

    // The step-up lasts 10 minutes.
    server.clock().advance(java.time.Duration.ofMinutes(11));
    assertError(staff.post("/api/support/users/disable-2fa", disable(fourth.email())), 403, "step_up_required");
  }

  @Test
  void theChangeAndItsSecurityEventCommitTogetherOrNotAtAll() throws Exception {
    ApiClient staff = accounts.steppedUpStaff().client();
    Enrolled user = accounts.enrolled();
    // A fault where the event is written: the change must not happen without it.
    server.query("""
        CREATE FUNCTION refuse_marked_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.event -> 'details' ->> 'reason' = 'fault injected' THEN RAISE EXCEPTION 'injected'; END IF;
          RETURN NEW;
        END $$""");
    server.query("CREATE TRIGGER refuse_marked_event BEFORE INSERT ON event_outbox FOR EACH ROW EXECUTE FUNCTION refuse_marked_event()");
    Response failed = staff.post("/api/support/users/disable-2fa", disable(user.email()).put("reason", "fault injected"));
    assertTrue(failed.status() >= 500, failed.toString());
    assertTrue(twoFactorOn(user.email()), "no event, no change");
    assertEquals(0, server.query("SELECT count(*)::int AS n FROM security_events e JOIN users u ON u.id = e.user_id "
      + "WHERE u.email = $1 AND e.type = '2fa.disabled'", user.email()).get(0).getInteger("n"));

    assertEquals(200, staff.post("/api/support/users/disable-2fa", disable(user.email())).status());
    assertFalse(twoFactorOn(user.email()));
    assertEquals(1, server.query("SELECT count(*)::int AS n FROM security_events e JOIN users u ON u.id = e.user_id "
      + "WHERE u.email = $1 AND e.type = '2fa.disabled'", user.email()).get(0).getInteger("n"));
    assertEquals(0, server.query("SELECT count(*)::int AS n FROM event_outbox").get(0).getInteger("n"), "relayed at once");
  }


  private boolean twoFactorOn(String email) {
    return server.query("SELECT totp_secret IS NOT NULL AS on FROM users WHERE email = $1", email).get(0).getBoolean("on");
  }
}
