package dev.twofa.http;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The help article's story, end to end over HTTP against a real database. */
class AccountStoryTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void theWholeStoryWorksAndLeavesNoSecretInTheDatabase() throws Exception {
    ApiClient browser = server.newClient();
    assertEquals(new JsonObject().put("state", "anonymous").putNull("user"), browser.get("/api/session").json());

    // Sign up: emails are case-insensitive.
    Response signup = browser.post("/api/signup", credentials("Alice.Story@Example.COM", PASSWORD));
    assertEquals(201, signup.status(), signup.toString());
    assertEquals("authenticated", signup.json().getString("state"));
    JsonObject user = signup.json().getJsonObject("user");
    assertEquals("alice.story@example.com", user.getString("email"));
    assertEquals(false, user.getBoolean("twoFactorEnabled"));
    assertEquals(0, user.getInteger("recoveryCodesRemaining"));
    assertTrue(user.getString("createdAt").endsWith("Z"));

    // Set up from the QR code alone: decode it and take the secret from the URI.
    Response setup = browser.post("/api/2fa/setup", null);
    assertEquals(200, setup.status(), setup.toString());
    String uriFromQr = decodeQr(setup.json().getString("qrCode"));
    assertEquals(setup.json().getString("otpauthUri"), uriFromQr);
    Map<String, String> query = queryOf(URI.create(uriFromQr));
    assertEquals("/pafin Inc.:pafin", URI.create(uriFromQr).getPath(), "the app shows pafin / pafin Inc.");
    assertEquals("pafin Inc.", query.get("issuer"));
    String secret = query.get("secret");
    assertEquals(setup.json().getString("secret"), secret);

    // A wrong code is refused; the current one enables 2FA and returns 8 recovery codes.
    Response wrong = browser.post("/api/2fa/enable", code(wrongCode(secret)));
    assertEquals(401, wrong.status());
    assertEquals("invalid_code", wrong.error());
    Response enable = browser.post("/api/2fa/enable", code(Totp.code(secret, server.clock().instant())));
    assertEquals(200, enable.status(), enable.toString());
    List<String> codes = strings(enable.json().getJsonArray("recoveryCodes"));
    assertEquals(8, codes.size());
    codes.forEach(c -> assertTrue(c.matches("[a-hjkmnp-z2-9]{10}"), c));
    assertEquals(true, enable.json().getJsonObject("user").getBoolean("twoFactorEnabled"));
    assertEquals(8, enable.json().getJsonObject("user").getInteger("recoveryCodesRemaining"));
    assertEquals(409, browser.post("/api/2fa/setup", null).status(), "already enabled");

    assertEquals(204, browser.post("/api/logout", null).status());
    assertEquals("anonymous", browser.get("/api/session").json().getString("state"));

    // Log in with the app: the code used to enable is a step already spent, so move to the next step.
    accounts.nextStep();
    ApiClient second = server.newClient();
    Response password = second.post("/api/login", credentials("ALICE.story@example.com", PASSWORD));
    assertEquals(200, password.status(), password.toString());
    assertEquals(new JsonObject().put("state", "pending_2fa").putNull("user").put("pending", new JsonObject()
      .put("expiresAt", server.clock().instant().plusSeconds(300).toString()).put("secondsLeft", 300).put("triesLeft", 5)
      .put("email", "alice.story@example.com")), password.json());
    assertEquals("pending_2fa", second.get("/api/session").json().getString("state"));
    assertEquals(401, second.get("/api/account").status(), "pending_2fa is not signed in");
    Response totp = second.post("/api/login/totp", code(Totp.code(secret, server.clock().instant())));
    assertEquals(200, totp.status(), totp.toString());
    assertEquals("authenticated", totp.json().getString("state"));
    assertEquals(200, second.get("/api/account").status());
    assertEquals(204, second.post("/api/logout", null).status());

    // Log in with a recovery code typed loosely; the remaining count drops; the code works once.
    ApiClient third = server.newClient();
    third.post("/api/login", credentials("alice.story@example.com", PASSWORD));
    String loose = codes.get(0).toUpperCase().substring(0, 5) + "-" + codes.get(0).substring(5);
    Response recovery = third.post("/api/login/recovery", code(loose));
    assertEquals(200, recovery.status(), recovery.toString());
    assertEquals(7, recovery.json().getJsonObject("user").getInteger("recoveryCodesRemaining"));
    third.post("/api/logout", null);
    ApiClient fourth = server.newClient();
    fourth.post("/api/login", credentials("alice.story@example.com", PASSWORD));
    assertEquals(401, fourth.post("/api/login/recovery", code(codes.get(0))).status(), "used once");
    assertEquals(200, fourth.post("/api/login/recovery", code(codes.get(1))).status());

    // Regenerate: a fresh password and code are required ("confirm it's you") once the login is older than the
    // step-up window (the login itself counts as one), and every earlier code stops working.
    server.clock().advance(java.time.Duration.ofMinutes(11));
    assertEquals(403, fourth.post("/api/2fa/recovery-codes", null).status(), "step-up required");
    accounts.nextStep();   // the recovery login burned the current and the next step
    accounts.nextStep();
    assertEquals(401, fourth.post("/api/step-up", new JsonObject().put("password", "wrong-password-42")
      .put("code", Totp.code(secret, server.clock().instant()))).status());
    assertEquals(401, fourth.post("/api/step-up", new JsonObject().put("password", PASSWORD)).status(), "2FA needs a code");
    assertEquals(204, fourth.post("/api/step-up", new JsonObject().put("password", PASSWORD)
      .put("code", Totp.code(secret, server.clock().instant()))).status());
    Response regenerated = fourth.post("/api/2fa/recovery-codes", null);
    assertEquals(200, regenerated.status(), regenerated.toString());
    List<String> newCodes = strings(regenerated.json().getJsonArray("recoveryCodes"));
    assertEquals(8, newCodes.size());
    assertEquals(8, fourth.get("/api/account").json().getInteger("recoveryCodesRemaining"));
    ApiClient fifth = server.newClient();
    fifth.post("/api/login", credentials("alice.story@example.com", PASSWORD));
    assertEquals(401, fifth.post("/api/login/recovery", code(codes.get(2))).status(), "old codes are void");
    assertEquals(200, fifth.post("/api/login/recovery", code(newCodes.get(0))).status());

    // Activity lists each step, newest first, with address and browser.
    JsonArray events = fifth.get("/api/account/activity").json().getJsonArray("events");
    List<String> types = new ArrayList<>();
    for (int i = events.size() - 1; i >= 0; i--) {
      JsonObject e = events.getJsonObject(i);
      types.add(e.getString("type") + ":" + e.getBoolean("success"));
      assertEquals("127.0.0.1", e.getString("ip"));
      assertEquals(ApiClient.USER_AGENT, e.getString("userAgent"));
      assertEquals("Linux", e.getJsonObject("browser").getString("system"));
      assertTrue(e.getString("at").endsWith("Z"));
    }
    assertEquals(List.of("signup:true", "2fa.enabled:false", "2fa.enabled:true", "logout:true",
      "login.password:true", "login.totp:true", "logout:true",
      "login.password:true", "login.recovery_code:true", "logout:true",
      "login.password:true", "login.recovery_code:false", "login.recovery_code:true",
      "step_up:false", "step_up:true", "recovery_codes.regenerated:true",
      "login.password:true", "login.recovery_code:false", "login.recovery_code:true"), types);

    assertNoSecretsStored(secret, codes, newCodes);
  }

  @Test
  void passwordChangeEndsEveryOtherSessionAndKeepsThisOne() {
    String email = TestAccounts.uniqueEmail();
    ApiClient first = accounts.signedUp(email);
    ApiClient other = server.newClient();
    assertEquals(200, other.post("/api/login", credentials(email, PASSWORD)).status());
    String oldSessionId = first.cookie("twofa.session");
    // Without 2FA the current password typed on the form is the whole proof: no step-up first.

    Response weak = first.post("/api/account/password",
      new JsonObject().put("currentPassword", PASSWORD).put("newPassword", "password1"));
    assertEquals(400, weak.status());
    assertEquals("weak_password", weak.error());
    Response wrong = first.post("/api/account/password",
      new JsonObject().put("currentPassword", "not-the-password-9").put("newPassword", "new-harbor-plum-2031"));
    assertEquals(401, wrong.status());
    assertEquals("invalid_credentials", wrong.error());

    Response changed = first.post("/api/account/password",
      new JsonObject().put("currentPassword", PASSWORD).put("newPassword", "new-harbor-plum-2031"));
    assertEquals(204, changed.status(), changed.toString());
    assertNotEquals(oldSessionId, first.cookie("twofa.session"), "the session id changes");
    assertEquals(200, first.get("/api/account").status(), "this session goes on");
    assertEquals(401, other.get("/api/account").status(), "the other session has ended");
    assertEquals("anonymous", other.get("/api/session").json().getString("state"));
    assertEquals(401, server.newClient().post("/api/login", credentials(email, PASSWORD)).status());
    assertEquals(200, server.newClient().post("/api/login", credentials(email, "new-harbor-plum-2031")).status());
  }

  @Test
  void theSessionIdChangesWithEveryChangeOfLoginState() {
    TestAccounts.Enrolled account = accounts.enrolled();
    ApiClient client = server.newClient();
    client.get("/api/session");
    String anonymous = client.cookie("twofa.session");
    client.post("/api/login", credentials(account.email(), PASSWORD));
    String pending = client.cookie("twofa.session");
    client.post("/api/login/totp", code(accounts.currentCode(account)));
    String authenticated = client.cookie("twofa.session");
    assertNotEquals(pending, anonymous);
    assertNotEquals(authenticated, pending);

    // The pre-login id is worthless to whoever fixed or stole it.
    ApiClient attacker = server.newClient();
    attacker.setCookie("twofa.session", pending);
    assertEquals("anonymous", attacker.get("/api/session").json().getString("state"));
  }

  @Test
  void activityPagesContinueWithoutGapOrOverlap() {
    String email = TestAccounts.uniqueEmail();
    ApiClient client = accounts.signedUp(email);
    accounts.stepUp(client);
    for (int i = 0; i < 6; i++) {
      client.post("/api/account/password", new JsonObject().put("currentPassword", "wrong-" + i + "-password")
        .put("newPassword", "new-harbor-plum-2031"));
    }
    List<String> ids = new ArrayList<>();
    String next = null;
    do {
      Response page = client.get("/api/account/activity?limit=3" + (next == null ? "" : "&before=" + next));
      assertEquals(200, page.status(), page.toString());
      page.json().getJsonArray("events").forEach(e -> ids.add(((JsonObject) e).getString("id")));
      next = page.json().getString("next");
    } while (next != null);
    assertEquals(8, ids.size(), "signup + step-up + 6 failed password changes");
    assertEquals(8, ids.stream().distinct().count());
    List<Long> numeric = ids.stream().map(Long::valueOf).toList();
    for (int i = 1; i < numeric.size(); i++) {
      assertTrue(numeric.get(i) < numeric.get(i - 1), "newest first");
    }
    Response all = client.get("/api/account/activity");
    assertEquals(8, all.json().getJsonArray("events").size());
    assertNull(all.json().getString("next"));
  }

  private void assertNoSecretsStored(String secret, List<String> codes, List<String> newCodes) {
    String dump = server.query("""
        SELECT string_agg(t::text, E'\\n') AS dump FROM (
          SELECT u::text AS t FROM users u UNION ALL SELECT r::text FROM recovery_codes r
          UNION ALL SELECT p::text FROM pending_logins p UNION ALL SELECT e::text FROM security_events e) rows
        """).get(0).getString("dump");
    String hexDump = dump.toLowerCase();
    assertFalse(dump.contains(secret), "TOTP secret in plain text");
    assertFalse(hexDump.contains(hex(secret.getBytes(StandardCharsets.US_ASCII))), "TOTP secret as bytes");
    assertFalse(hexDump.contains(hex(new org.apache.commons.codec.binary.Base32().decode(secret))), "TOTP key bytes");
    for (String c : codes) {
      assertFalse(hexDump.contains(c) || hexDump.contains(hex(c.getBytes(StandardCharsets.US_ASCII))), "recovery code " + c);
    }
    for (String c : newCodes) {
      assertFalse(hexDump.contains(c) || hexDump.contains(hex(c.getBytes(StandardCharsets.US_ASCII))), "recovery code " + c);
    }
    assertFalse(dump.contains(PASSWORD), "password in plain text");
    Row user = server.query("SELECT password_hash FROM users WHERE email = $1", "alice.story@example.com").get(0);
    assertTrue(user.getString("password_hash").startsWith("$argon2id$v=19$"), "PHC string");
  }

  private static String decodeQr(String dataUri) throws Exception {
    byte[] png = Base64.getDecoder().decode(dataUri.substring("data:image/png;base64,".length()));
    var image = ImageIO.read(new ByteArrayInputStream(png));
    return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)))).getText();
  }

  private static Map<String, String> queryOf(URI uri) {
    return java.util.Arrays.stream(uri.getRawQuery().split("&")).map(p -> p.split("=", 2))
      .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
  }

  private String wrongCode(String secret) {
    String right = Totp.code(secret, server.clock().instant());
    return right.equals("000000") ? "000001" : "000000";
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(Object::toString).toList();
  }

  private static String hex(byte[] bytes) {
    return org.apache.commons.codec.binary.Hex.encodeHexString(bytes);
  }
}
