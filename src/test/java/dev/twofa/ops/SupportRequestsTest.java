package dev.twofa.ops;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import static dev.twofa.support.ApiAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests to turn off 2FA over real HTTP, PostgreSQL and SMTP: asked at a login's code step only, one open per
 * account, the owner's single-use cancel link, the cooling-off staff wait out or override with a note, declines
 * mailed with their reason, and every step in Activity.
 */
class SupportRequestsTest {
  static final MailCatcher MAIL = new MailCatcher();
  static final String HELP_DESK = "https://help.example.com/2fa";

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL).with("TWOFA_SUPPORT_URL", HELP_DESK);
  private final TestAccounts accounts = new TestAccounts(server);

  private static JsonObject request(String reason) {
    return new JsonObject().put("reason", reason).put("contact", "+81 90-1234-5678, evenings")
      .put("message", "Changed phones last week and the old one was wiped.");
  }

  private static Response ask(ApiClient client) {
    return client.post("/api/support/requests", request("lost_phone"));
  }

  /** An account with 2FA whose address is verified: its mails so far are the sign-up link (1) and "2FA on" (2). */
  private Enrolled verifiedWith2fa() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String token = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
    assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", token)).status());
    Enrolled account = accounts.enrolled(browser, email);
    assertEquals(2, MAIL.mailsTo(email, 2).size());
    return account;
  }

  private static MimeMessage mailNumber(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "mails to " + email);
    assertEquals("[cryptact] " + subject, mails.get(n - 1).getSubject());
    return mails.get(n - 1);
  }

  private static String cancelToken(MimeMessage mail) {
    return MailCatcher.linkToken(mail, "/support/cancel");
  }

  private static JsonObject disable(String email) {
    return new JsonObject().put("email", email).put("reason", "Lost phone").put("verification", "Video call matched ID");
  }


  private String status(String email) {
    return server.query("SELECT r.status FROM support_requests r JOIN users u ON u.id = r.user_id WHERE u.email = $1 "
      + "ORDER BY r.id DESC LIMIT 1", email).get(0).getString("status");
  }

  private boolean twoFactorOn(String email) {
    return server.query("SELECT totp_secret IS NOT NULL AS on FROM users WHERE email = $1", email).get(0).getBoolean("on");
  }

  /** The account's Activity as staff see it (who acted, and the details). */
  private static JsonObject staffEvent(ApiClient staff, String email, String type) {
    JsonArray activity = staff.get("/api/support/users?email=" + email).json().getJsonArray("activity");
    return activity.stream().map(JsonObject.class::cast).filter(e -> e.getString("type").equals(type)).findFirst()
      .orElseThrow(() -> new AssertionError(type + " not in " + activity.encodePrettily()));
  }

  @Test
  void onlyAPendingLoginMayAskAndTheAnswerSaysWhenSupportReplies() throws Exception {
    Enrolled user = accounts.enrolled();
    assertError(ask(server.newClient()), 409, "no_pending_login");
    ApiClient signedIn = accounts.pendingLogin(user.email());
    assertEquals(200, signedIn.post("/api/login/totp", TestAccounts.code(accounts.currentCode(user))).status());
    assertError(ask(signedIn), 409, "no_pending_login");
    assertError(ask(accounts.signedUp(TestAccounts.uniqueEmail())), 409, "no_pending_login");
    assertEquals(0, server.query("SELECT count(*)::int AS n FROM support_requests r JOIN users u ON u.id = r.user_id "
      + "WHERE u.email = $1", user.email()).get(0).getInteger("n"));

    ApiClient pending = accounts.pendingLogin(user.email());
    Response asked = ask(pending);
    assertEquals(201, asked.status(), asked.toString());
    Instant created = Instant.parse(asked.json().getString("createdAt"));
    assertEquals(server.clock().instant(), created);
    assertEquals(created.plus(Duration.ofHours(24)), Instant.parse(asked.json().getString("replyAfter")));
    assertEquals(24, asked.json().getInteger("coolingOffHours"));
    assertEquals("pending_2fa", pending.get("/api/session").json().getString("state"), "the login goes on");
    // An unverified address is mailed too: the cancel link is the owner's only defence (after the link and "2FA on").
    assertTrue(MailCatcher.body(mailNumber(user.email(), 3, "A request to turn off 2FA was made")).contains("/support/cancel?token="));

    JsonObject config = server.newClient().get("/api/config").json().getJsonObject("support");
    assertEquals(HELP_DESK, config.getString("url"));
    assertEquals(24, config.getInteger("coolingOffHours"));
  }

  @Test
  void badReasonsAndOversizedFieldsAreRefusedWith400() {
    Enrolled user = accounts.enrolled();
    ApiClient pending = accounts.pendingLogin(user.email());
    List<JsonObject> bad = List.of(
      request("other"), request("LOST_PHONE"), new JsonObject().put("contact", "me@example.org"),
      request("lost_phone").put("contact", "   "), request("lost_phone").put("contact", "x".repeat(201)),
      request("lost_phone").put("message", "x".repeat(2001)), request("lost_phone").put("reason", 1),
      request("lost_phone").put("extra", "field"), request("lost_phone").putNull("contact"),
      request("lost_phone").put("message", "two\nlines"));
    for (JsonObject body : bad) {
      assertError(pending.post("/api/support/requests", body), 400, "invalid_request");
    }
    assertEquals(0, server.query("SELECT count(*)::int AS n FROM support_requests r JOIN users u ON u.id = r.user_id "
      + "WHERE u.email = $1", user.email()).get(0).getInteger("n"));
    Response longest = pending.post("/api/support/requests", request("never_enabled").put("contact", "c".repeat(200))
      .put("message", "日".repeat(2000)));
    assertEquals(201, longest.status(), longest.toString());
    Response noMessage = accounts.pendingLogin(accounts.enrolled().email()).post("/api/support/requests",
      new JsonObject().put("reason", "deleted_app").put("contact", "line: @someone"));
    assertEquals(201, noMessage.status(), noMessage.toString());
  }

  @Test
  void oneOpenRequestPerAccountEvenWhenSubmittedManyTimesAtOnce() throws Exception {
    Enrolled user = accounts.enrolled();
    List<ApiClient> logins = List.of(accounts.pendingLogin(user.email()), accounts.pendingLogin(user.email()));
    List<CompletableFuture<Response>> sent = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      sent.add(logins.get(i % 2).postAsync("/api/support/requests", request("lost_phone")));
    }
    List<Response> answers = sent.stream().map(CompletableFuture::join).toList();
    assertEquals(1, answers.stream().filter(r -> r.status() == 201).count(), answers.toString());
    answers.stream().filter(r -> r.status() != 201).forEach(r -> assertError(r, 409, "support_request_open"));
    assertEquals(1, server.query("SELECT count(*)::int AS n FROM support_requests r JOIN users u ON u.id = r.user_id "
      + "WHERE u.email = $1", user.email()).get(0).getInteger("n"));
    assertError(ask(logins.get(0)), 409, "support_request_open");
  }

  @Test
  void theOwnerIsMailedALinkThatCancelsTheRequestOnceAndRequestsAreCappedPerDay() throws Exception {
    Enrolled user = verifiedWith2fa();
    ApiClient pending = accounts.pendingLogin(user.email());
    assertEquals(201, ask(pending).status());
    MimeMessage mail = mailNumber(user.email(), 3, "A request to turn off 2FA was made");
    String body = MailCatcher.body(mail);
    assertTrue(body.contains("This wasn't me: cancel it") && body.contains("new or lost phone"), body);
    // An English account without a time zone reads UTC.
    String after = DateTimeFormatter.ofPattern("MMM d, uuuu, h:mm a z", Locale.ENGLISH).withZone(ZoneId.of("UTC"))
      .format(server.clock().instant().plus(Duration.ofHours(24)));
    assertTrue(body.contains("will not act on it before " + after), "says when support may act: " + body);
    assertFalse(body.contains("90-1234") || body.contains("wiped"), "a stranger's words never reach the owner: " + body);
    String token = cancelToken(mail);
    assertEquals(1, server.query("SELECT 1 FROM support_requests WHERE cancel_token_hash = sha256(convert_to($1, 'UTF8'))",
      token).size(), "only the token's hash is stored");
    assertEquals(0, server.query("SELECT 1 FROM mail_outbox WHERE text_body LIKE '%' || $1 || '%'", token).size());

    // Several clicks at once (two mail programs prefetching, say): exactly one cancels.
    List<CompletableFuture<Response>> clicks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clicks.add(server.newClient().postAsync("/api/support/requests/cancel", new JsonObject().put("token", token)));
    }
    List<Response> answers = clicks.stream().map(CompletableFuture::join).toList();
    assertEquals(1, answers.stream().filter(r -> r.status() == 204).count(), answers.toString());
    answers.stream().filter(r -> r.status() != 204).forEach(r -> assertError(r, 400, "invalid_token"));
    assertEquals("cancelled", status(user.email()));
    assertError(server.newClient().post("/api/support/requests/cancel", new JsonObject().put("token", token)), 400,
      "invalid_token");
    assertError(server.newClient().post("/api/support/requests/cancel", new JsonObject().put("token", "")), 400,
      "invalid_token");

    // The owner sees both in Activity.
    ApiClient owner = accounts.pendingLogin(user.email());
    accounts.nextStep();
    assertEquals(200, owner.post("/api/login/totp", TestAccounts.code(accounts.currentCode(user))).status());
    List<String> types = owner.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(e -> ((JsonObject) e).getString("type")).toList();
    assertTrue(types.indexOf("support.cancelled") < types.indexOf("support.requested") && types.contains("support.cancelled"),
      types.toString());

    // A new request may follow a cancelled one; three a day at most, each mailing the owner (after the mail
    // about the owner's own login just now, from a browser new to the account).
    mailNumber(user.email(), 4, "New login to your account");
    for (int n = 2; n <= 3; n++) {
      assertEquals(201, ask(pending).status());
      String next = cancelToken(mailNumber(user.email(), 3 + n, "A request to turn off 2FA was made"));
      assertEquals(204, server.newClient().post("/api/support/requests/cancel", new JsonObject().put("token", next)).status());
    }
    Response capped = ask(pending);
    assertError(capped, 429, "rate_limited");
    assertTrue(Long.parseLong(capped.header("Retry-After")) > 0);
    assertEquals(6, MAIL.mailsTo(user.email()).size(), "no mail for a refused request");
  }

  @Test
  void theCoolingOffRefusesADisableUntilAStaffNoteOverridesItAndDisablingCompletesTheRequest() throws Exception {
    Enrolled user = verifiedWith2fa();
    assertEquals(201, ask(accounts.pendingLogin(user.email())).status());
    String token = cancelToken(mailNumber(user.email(), 3, "A request to turn off 2FA was made"));
    TestAccounts.Staff staff = accounts.steppedUpStaff();

    JsonObject open = staff.client().get("/api/support/requests").json().getJsonArray("requests").stream()
      .map(JsonObject.class::cast).filter(r -> r.getString("email").equals(user.email())).findFirst().orElseThrow();
    assertEquals("lost_phone", open.getString("reason"));
    assertEquals("+81 90-1234-5678, evenings", open.getString("contact"));
    assertTrue(open.getString("message").contains("wiped"));
    assertTrue(open.getLong("ageSeconds") >= 0 && open.getLong("coolingOffSecondsLeft") > 23 * 3600, open.encode());
    JsonObject lookedUp = staff.client().get("/api/support/users?email=" + user.email()).json().getJsonObject("request");
    assertEquals(open.getString("id"), lookedUp.getString("id"));

    Response refused = staff.client().post("/api/support/users/disable-2fa", disable(user.email()).put("requestId", open.getString("id")));
    assertError(refused, 409, "cooling_off");
    assertError(staff.client().post("/api/support/users/disable-2fa", disable(user.email()).put("override", "   ")), 409,
      "cooling_off");
    assertTrue(twoFactorOn(user.email()));
    assertEquals("open", status(user.email()));

    Response overridden = staff.client().post("/api/support/users/disable-2fa", disable(user.email())
      .put("requestId", open.getString("id")).put("override", "Called back on the number on file; travelling today"));
    assertEquals(200, overridden.status(), overridden.toString());
    assertFalse(twoFactorOn(user.email()));
    assertEquals("done", status(user.email()));
    JsonObject event = staffEvent(staff.client(), user.email(), "2fa.disabled");
    assertEquals("Called back on the number on file; travelling today", event.getJsonObject("details").getString("override"));
    assertEquals(open.getString("id"), event.getJsonObject("details").getString("requestId"));
    assertEquals(staff.email(), event.getString("actor"));
    mailNumber(user.email(), 4, "The support desk turned off two-factor authentication");
    assertError(server.newClient().post("/api/support/requests/cancel", new JsonObject().put("token", token)), 400,
      "invalid_token");
    JsonObject done = staff.client().get("/api/support/requests?status=done").json().getJsonArray("requests").stream()
      .map(JsonObject.class::cast).filter(r -> r.getString("email").equals(user.email())).findFirst().orElseThrow();
    assertEquals(staff.email(), done.getString("closedBy"));
    assertEquals(0, done.getLong("coolingOffSecondsLeft"));
  }

  @Test
  void afterTheCoolingOffTheDisableNeedsNoNoteButACancelledRequestCannotBeActedOn() throws Exception {
    Enrolled waited = verifiedWith2fa();
    Enrolled changedTheirMind = verifiedWith2fa();
    assertEquals(201, ask(accounts.pendingLogin(waited.email())).status());
    assertEquals(201, ask(accounts.pendingLogin(changedTheirMind.email())).status());
    String token = cancelToken(mailNumber(changedTheirMind.email(), 3, "A request to turn off 2FA was made"));
    String cancelledId = server.query("SELECT r.id FROM support_requests r JOIN users u ON u.id = r.user_id WHERE u.email = $1",
      changedTheirMind.email()).get(0).getLong("id").toString();
    assertEquals(204, server.newClient().post("/api/support/requests/cancel", new JsonObject().put("token", token)).status());

    server.clock().advance(Duration.ofHours(24).plusMinutes(1));
    TestAccounts.Staff staff = accounts.steppedUpStaff();
    Response disabled = staff.client().post("/api/support/users/disable-2fa", disable(waited.email()));
    assertEquals(200, disabled.status(), disabled.toString());
    assertEquals("done", status(waited.email()));
    assertNull(staffEvent(staff.client(), waited.email(), "2fa.disabled").getJsonObject("details").getString("override"));

    assertError(staff.client().post("/api/support/users/disable-2fa", disable(changedTheirMind.email())
      .put("requestId", cancelledId)), 409, "request_not_open");
    assertTrue(twoFactorOn(changedTheirMind.email()), "a cancelled request is never carried out");
    assertError(staff.client().post("/api/support/users/disable-2fa", disable(changedTheirMind.email())
      .put("requestId", "12x")), 400, "invalid_request");
  }

  @Test
  void declineNeedsAStepUpAndAReasonThatTheOwnerIsMailed() throws Exception {
    Enrolled user = verifiedWith2fa();
    assertEquals(201, ask(accounts.pendingLogin(user.email())).status());
    mailNumber(user.email(), 3, "A request to turn off 2FA was made");
    String id = server.query("SELECT r.id FROM support_requests r JOIN users u ON u.id = r.user_id WHERE u.email = $1",
      user.email()).get(0).getLong("id").toString();
    JsonObject decline = new JsonObject().put("id", id).put("reason", "We could not verify who you are: call us from the number on file.");

    String staffEmail = TestAccounts.uniqueEmail();
    ApiClient staff = accounts.signedUp(staffEmail);
    Enrolled staffAccount = accounts.enrolled(staff, staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);
    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the sign-up counts as
    assertError(staff.post("/api/support/requests/decline", decline), 403, "step_up_required");
    accounts.stepUp(staff, staffAccount);
    assertError(staff.post("/api/support/requests/decline", decline.copy().put("reason", " ")), 400, "invalid_request");
    assertError(staff.post("/api/support/requests/decline", decline.copy().put("id", "999999999")), 404, "not_found");
    assertError(staff.post("/api/support/requests/decline", decline.copy().put("reason", "x".repeat(1001))), 400,
      "invalid_request");
    assertEquals("open", status(user.email()));

    assertEquals(204, staff.post("/api/support/requests/decline", decline).status());
    assertEquals("declined", status(user.email()));
    String body = MailCatcher.body(mailNumber(user.email(), 4, "Your request to turn off 2FA was declined"));
    assertTrue(body.contains("call us from the number on file"), body);
    assertFalse(body.contains(staffEmail), body);
    assertError(staff.post("/api/support/requests/decline", decline), 409, "request_not_open");
    assertTrue(twoFactorOn(user.email()));

    JsonObject declined = staff.get("/api/support/requests?status=declined").json().getJsonArray("requests").stream()
      .map(JsonObject.class::cast).filter(r -> r.getString("id").equals(id)).findFirst().orElseThrow();
    assertTrue(declined.getString("declineReason").startsWith("We could not verify"));
    JsonObject event = staffEvent(staff, user.email(), "support.declined");
    assertEquals(staffEmail, event.getString("actor"));
    assertTrue(event.getJsonObject("details").getString("reason").startsWith("We could not verify"));
    assertEquals("lost_phone", staffEvent(staff, user.email(), "support.requested").getJsonObject("details").getString("reason"));

    // The owner sees that the desk declined, not the staff member's address.
    ApiClient owner = accounts.pendingLogin(user.email());
    assertEquals(200, owner.post("/api/login/totp", TestAccounts.code(accounts.currentCode(user))).status());
    JsonObject seen = owner.get("/api/account/activity").json().getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("type").equals("support.declined")).findFirst().orElseThrow();
    assertEquals("support", seen.getString("actor"));
    assertNull(seen.getValue("details"));
  }

  @Test
  void onlyStaffSeeTheRequestsAndTheDeskNeverActsOnAStaffAccount() throws Exception {
    assertError(server.newClient().get("/api/support/requests"), 401, "unauthenticated");
    assertError(accounts.signedUp(TestAccounts.uniqueEmail()).get("/api/support/requests"), 403, "forbidden");
    TestAccounts.Staff staff = accounts.steppedUpStaff();
    assertError(staff.client().get("/api/support/requests?status=closed"), 400, "invalid_request");
    for (String status : List.of("open", "done", "declined", "cancelled")) {
      assertEquals(200, staff.client().get("/api/support/requests?status=" + status).status());
    }

    String colleagueEmail = TestAccounts.uniqueEmail();
    accounts.enrolled(accounts.signedUp(colleagueEmail), colleagueEmail);
    SupportRoles.set(server.databaseUrl(), colleagueEmail, true);
    assertEquals(201, ask(accounts.pendingLogin(colleagueEmail)).status());
    String id = server.query("SELECT r.id FROM support_requests r JOIN users u ON u.id = r.user_id WHERE u.email = $1",
      colleagueEmail).get(0).getLong("id").toString();
    assertError(staff.client().post("/api/support/requests/decline", new JsonObject().put("id", id).put("reason", "no")),
      403, "forbidden");
    assertError(staff.client().post("/api/support/users/disable-2fa", disable(colleagueEmail).put("override", "urgent")),
      403, "forbidden");
    assertEquals("open", status(colleagueEmail));
  }
}
