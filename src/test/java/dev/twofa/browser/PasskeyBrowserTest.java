package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.Eventually;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.virtualauthenticator.Credential;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Passkeys in real Chromium with Selenium's virtual authenticator (CTAP2, internal transport, discoverable keys,
 * user verification on) against a server whose TWOFA_PUBLIC_URL is http://localhost:PORT (RP ID "localhost"):
 * add, list, rename and remove; a login's second step and a step-up with a passkey; a cloned authenticator (its
 * counter reset) refused and recorded; an assertion made for another RP ID and origin refused where the same
 * assertion made for ours passes.
 */
class PasskeyBrowserTest {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  @RegisterExtension
  static final TestServer server = new TestServer().atLocalhost();
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  private static final String OF_USER =
    "SELECT p.* FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = $1";
  private static final String EVENTS =
    "SELECT type FROM security_events WHERE user_id = (SELECT id FROM users WHERE email = $1)";
  private final List<String> problems = new ArrayList<>();

  /** These walks type the password with a passkey present: the login screen's autofill would log in first. */
  @BeforeEach
  void noAutofill() {
    browser.withoutPasskeyAutofill();
  }

  @Test
  void addRenameLogInWithAPasskeyStepUpWithItAndRemoveIt() throws Exception {
    walk(browser, "Passkey on Chrome / Linux", "Work laptop");
  }

  @Test
  void inJapaneseEveryWordIsJapanese() throws Exception {
    try (Browser ja = new Browser(server.baseUrl(), "ja")) {
      walk(ja, "Chrome / Linux のパスキー", "仕事用のパソコン");
    }
  }

  private void walk(Browser browser, String defaultName, String newName) throws Exception {
    browser.withoutPasskeyAutofill();
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    try {
      String email = signUp(browser);
      // A verified address gets the security mails (an unproven one may be a stranger's typo).
      server.query("UPDATE users SET email_verified_at = created_at WHERE email = $1", email);
      addFirstPasskey(browser);
      assertEquals(browser.t("twofa.on"), browser.settingValue(browser.t("twofa.security")));
      assertEquals(List.of(defaultName), browser.texts(".passkey-name"), "named after the browser and system");
      assertEquals(1, server.query("SELECT 1 FROM users WHERE email = $1 AND security_hold_until IS NULL", email).size(),
        "the first passkey turns 2FA on: no security hold (SecurityHoldTest)");
      screen(browser, "account-passkey-added");

      browser.click(browser.t("passkeys.rename"));
      browser.fill(browser.t("passkeys.name"), newName);
      browser.click(browser.t("passkeys.save"));
      browser.waitForText(browser.t("passkeys.renamed"));
      assertEquals(List.of(newName), browser.texts(".passkey-name"));
      assertEquals(1, server.query(OF_USER + " AND p.name = $2", email, newName).size());

      browser.logOut();
      logIn(browser, email);
      browser.waitForHeading(browser.t("totp.title"));
      screen(browser, "login-passkey-step");
      browser.click(browser.t("passkey.use"));
      browser.waitForHeading(browser.t("account.title"));
      browser.waitForText(browser.t("activity.login.passkey"));
      assertNotNull(server.query(OF_USER, email).get(0).getValue("last_used_at"), "last used recorded");

      // Past the step-up window, removing the passkey asks "Confirm it's you", answered with the passkey.
      server.clock().advance(Duration.ofMinutes(11));
      browser.click(browser.t("passkeys.remove"));
      assertEquals(browser.t("passkeys.removeLast"), browser.answerDialog(true), "the last second factor asks first");
      browser.waitForDialog(browser.t("stepUp.title"));
      browser.fill(browser.t("stepUp.password"), TestAccounts.PASSWORD);
      screen(browser, "step-up-passkey");
      browser.click(browser.t("stepUp.usePasskey"));
      browser.waitForText(browser.t("passkeys.removed"));
      assertEquals(0, server.query(OF_USER, email).size());
      assertEquals(browser.t("twofa.off"), browser.settingValue(browser.t("twofa.security")));
      assertEquals(0, server.query("SELECT 1 FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1", email).size(), "2FA off: its recovery codes went with it");
      assertEquals(1, server.query("SELECT 1 FROM users WHERE email = $1 AND security_hold_until = $2", email,
        server.clock().instant().plus(Duration.ofHours(24)).atOffset(java.time.ZoneOffset.UTC)).size(),
        "removing a passkey starts the security hold");
      Eventually.eventually(() -> server.query(EVENTS + " AND type LIKE 'passkey.%' AND success", email)
        .size() == 3, "added, renamed, removed in Activity");
      List<String> mails = server.query("SELECT kind FROM mail_outbox m JOIN users u ON u.id = m.user_id"
        + " WHERE u.email = $1 AND kind LIKE 'passkey.%' ORDER BY m.id", email).stream()
        .map(row -> row.getString("kind")).toList();
      assertEquals(List.of("passkey.added", "passkey.renamed", "passkey.removed"), mails, "each change mailed");
      assertEquals(3, server.query("SELECT 1 FROM account_links l JOIN users u ON u.id = l.user_id"
        + " WHERE u.email = $1 AND purpose = 'secure_account'", email).size(), "each with its \"This wasn't me\" link");
      browser.assertCleanWalk(problems);
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
  }

  @Test
  void aClonedAuthenticatorWhoseCounterWentBackIsRefusedAndRecorded() throws Exception {
    VirtualAuthenticator original = browser.addPasskeyAuthenticator();
    String email;
    try {
      email = signUpAndAddPasskey();
    } catch (RuntimeException | Error failed) {
      browser.removePasskeyAuthenticator(original);
      throw failed;
    }
    browser.logOut();
    logIn(email);
    browser.click(browser.t("passkey.use"));
    browser.waitForHeading(browser.t("account.title"));
    Credential key = original.getCredentials().get(0);
    long counter = server.query(OF_USER, email).get(0).getLong("sign_count");
    assertTrue(counter >= 1, "the authenticator counts its signatures");
    browser.removePasskeyAuthenticator(original);

    // The same private key in another authenticator whose counter starts again from 0.
    VirtualAuthenticator clone = browser.addPasskeyAuthenticator();
    try {
      clone.addCredential(Credential.createResidentCredential(key.getId(), "localhost", key.getPrivateKey(),
        key.getUserHandle(), 0));
      browser.logOut();
      logIn(email);
      browser.click(browser.t("passkey.use"));
      browser.waitForText(browser.t("error.passkey_refused"));
      assertEquals("/login/2fa", browser.path());
      Eventually.eventually(() -> server.query(
        EVENTS + " AND type = 'passkey.clone_suspected' AND NOT success", email).size() == 1,
        "the possible clone is in Activity");
      assertEquals(counter, server.query(OF_USER, email).get(0).getLong("sign_count"),
        "the stored counter did not move back");
    } finally {
      browser.removePasskeyAuthenticator(clone);
    }
  }

  @Test
  void anAssertionForAnotherRelyingPartyIsRefusedWhereTheSameForOursPasses() throws Exception {
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    try {
      String email = signUpAndAddPasskey();
      Credential key = authenticator.getCredentials().get(0);
      PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(key.getPrivateKey());
      browser.logOut();
      logIn(email);
      browser.waitForHeading(browser.t("totp.title"));

      // What a phishing page at evil.example would relay: signed by the real key, for its own RP ID and origin.
      JsonObject relayed = assertion(key.getId(), privateKey, loginChallenge(), "evil.example", "https://evil.example", 1000);
      assertEquals(401, browser.postFromPage("/api/login/passkey", new JsonObject().put("credential", relayed)).getInteger("status"));
      assertEquals("/login/2fa", browser.path());

      String origin = URI.create(server.baseUrl()).getScheme() + "://" + URI.create(server.baseUrl()).getAuthority();
      JsonObject ours = assertion(key.getId(), privateKey, loginChallenge(), "localhost", origin, 1001);
      JsonObject answer = browser.postFromPage("/api/login/passkey", new JsonObject().put("credential", ours));
      assertEquals(200, answer.getInteger("status"), "the same key, for our RP ID and origin: " + answer);
      assertEquals("authenticated", new JsonObject(answer.getString("body")).getString("state"));

      // One step-up assertion sent twice at once: its challenge is spent by exactly one of them.
      JsonObject stepUpOptions = new JsonObject(browser.postFromPage("/api/step-up/passkey/options", null).getString("body"));
      byte[] stepUpChallenge = Base64.getUrlDecoder().decode(stepUpOptions.getJsonObject("publicKey").getString("challenge"));
      JsonObject twice = assertion(key.getId(), privateKey, stepUpChallenge, "localhost", origin, 1002);
      List<Object> statuses = browser.postTwiceFromPage("/api/step-up",
        new JsonObject().put("password", TestAccounts.PASSWORD).put("passkey", twice));
      assertEquals(List.of(204L, 401L), statuses.stream().map(n -> ((Number) n).longValue()).sorted().toList(),
        "one step-up per challenge");
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
  }

  /**
   * A passkey added in the undo window before "This wasn't me" may be a stranger's (who had the password and a
   * session): it goes, and with no second factor left the recovery codes go too, as for an authenticator app.
   */
  @Test
  void thisWasntMeRemovesAPasskeyAddedJustBefore() throws Exception {
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    try {
      String email = signUpAndAddPasskey();
      // The link of a security notice, as Mailer stores it (the mail itself goes only to verified addresses).
      String token = "passkey-test-" + java.util.UUID.randomUUID();
      server.query("INSERT INTO account_links (token_hash, user_id, purpose, email, created_at, expires_at)"
          + " SELECT $1, id, 'secure_account', email, $2, $3 FROM users WHERE email = $4",
        io.vertx.core.buffer.Buffer.buffer(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8))),
        dev.twofa.db.SqlTime.utc(server.clock().instant()),
        dev.twofa.db.SqlTime.utc(server.clock().instant().plus(Duration.ofDays(7))), email);
      assertEquals(204, browser.postFromPage("/api/secure-account", new JsonObject().put("token", token)).getInteger("status"));
      assertEquals(0, server.query(OF_USER, email).size(), "the passkey added just before is gone");
      assertEquals(0, server.query("SELECT 1 FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1",
        email).size(), "no second factor left: its recovery codes went too");
      Eventually.eventually(() -> server.query(EVENTS + " AND type = '2fa.reverted'", email).size() == 1,
        "2fa.reverted in Activity");
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
  }

  /**
   * The support desk turning 2FA off (the owner lost every device) removes the passkeys too: else the owner,
   * without their passkey, would still be asked for it.
   */
  @Test
  void theSupportDeskTurningOff2faRemovesThePasskeys() throws Exception {
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    try {
      String email = signUpAndAddPasskey();
      TestAccounts.Staff staff = new TestAccounts(server).steppedUpStaff();
      var answer = staff.client().post("/api/support/users/disable-2fa", new JsonObject().put("email", email)
        .put("reason", "Lost the phone that held the passkey").put("verification", "Video call matched ID"));
      assertEquals(200, answer.status(), answer.text());
      assertEquals(0, server.query(OF_USER, email).size(), "the passkeys went with 2FA");
      assertEquals(false, new JsonObject(answer.text()).getJsonObject("user").getBoolean("twoFactorEnabled"));
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
  }

  /** The device with the passkey is gone: the code step still leads to a recovery code, which logs in. */
  @Test
  void withThePasskeyGoneARecoveryCodeLogsIn() throws Exception {
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    String email;
    List<String> codes;
    try {
      email = signUp(browser);
      browser.click(browser.t("passkeys.add"));
      browser.waitForHeading(browser.t("codes.title"));
      codes = browser.texts(".recovery-codes code");
      browser.find("#codes-saved").click();
      browser.click(browser.t("codes.done"));
      browser.waitForHeading(browser.t("account.title"));
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
    assertEquals(8, codes.size());
    browser.logOut();
    logIn(email);
    browser.click(browser.t("totp.lost"));
    browser.waitForHeading(browser.t("recovery.title"));
    browser.fill(browser.t("recovery.codeLabel"), codes.get(0));
    browser.click(browser.t("recovery.submit", "product", "cryptact"));
    browser.waitForHeading(browser.t("account.title"));
    assertEquals(7, server.query("SELECT 1 FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1 AND r.used_at IS NULL",
      email).size());
  }

  private String signUpAndAddPasskey() throws Exception {
    return signUpAndAddPasskey(browser);
  }

  static String signUpAndAddPasskey(Browser browser) throws Exception {
    String email = signUp(browser);
    addFirstPasskey(browser);
    return email;
  }

  static String signUp(Browser browser) {
    String email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("signup.submit"));
    browser.click(browser.t("welcome.skip"));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("passkeys.none"));
    return email;
  }

  static void addFirstPasskey(Browser browser) {
    browser.click(browser.t("passkeys.add"));
    // The account's first second factor: its recovery codes, shown once.
    try {
      browser.waitForHeading(browser.t("codes.title"));
    } catch (RuntimeException notThere) {
      throw new AssertionError("no recovery codes after adding a passkey; the page says: " + browser.bodyText()
        + " console: " + browser.drainConsole(), notThere);
    }
    browser.find("#codes-saved").click();
    browser.click(browser.t("codes.done"));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("passkeys.neverUsed"));
  }

  private void logIn(String email) {
    logIn(browser, email);
  }

  static void logIn(Browser browser, String email) {
    browser.open("/login");
    browser.fill(browser.t("field.email"), email);
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("totp.title"));
  }

  /** The challenge of fresh login options for this browser's pending login. */
  private byte[] loginChallenge() {
    JsonObject answer = browser.postFromPage("/api/login/passkey/options", null);
    assertEquals(200, answer.getInteger("status"));
    String challenge = new JsonObject(answer.getString("body")).getJsonObject("publicKey").getString("challenge");
    return Base64.getUrlDecoder().decode(challenge);
  }


  /** An ES256 WebAuthn assertion (AuthenticationResponseJSON) signed with {@code key}, built by hand. */
  static JsonObject assertion(byte[] credentialId, PrivateKey key, byte[] challenge, String rpId, String origin,
                              int counter) throws Exception {
    return assertion(credentialId, key, challenge, rpId, origin, counter, 0x05, null);
  }

  /** The same with the authenticator data's {@code flags} (0x01 user present, 0x04 user verified) and a user handle. */
  static JsonObject assertion(byte[] credentialId, PrivateKey key, byte[] challenge, String rpId, String origin,
                              int counter, int flags, byte[] userHandle) throws Exception {
    byte[] clientData = new JsonObject().put("type", "webauthn.get").put("challenge", B64URL.encodeToString(challenge))
      .put("origin", origin).put("crossOrigin", false).encode().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream authenticatorData = new ByteArrayOutputStream();
    authenticatorData.write(MessageDigest.getInstance("SHA-256").digest(rpId.getBytes(StandardCharsets.UTF_8)));
    authenticatorData.write(flags);
    authenticatorData.write(ByteBuffer.allocate(4).putInt(counter).array());
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(authenticatorData.toByteArray());
    signer.update(MessageDigest.getInstance("SHA-256").digest(clientData));
    String id = B64URL.encodeToString(credentialId);
    JsonObject response = new JsonObject()
      .put("clientDataJSON", B64URL.encodeToString(clientData))
      .put("authenticatorData", B64URL.encodeToString(authenticatorData.toByteArray()))
      .put("signature", B64URL.encodeToString(signer.sign()));
    if (userHandle != null) {
      response.put("userHandle", B64URL.encodeToString(userHandle));
    }
    return new JsonObject().put("id", id).put("rawId", id).put("type", "public-key").put("response", response)
      .put("clientExtensionResults", new JsonObject());
  }

  private void screen(Browser browser, String name) throws Exception {
    problems.addAll(browser.inspect("passkeys-" + name));
  }
}
