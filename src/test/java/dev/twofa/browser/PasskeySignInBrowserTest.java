package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.Eventually;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.virtualauthenticator.Credential;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;

import java.net.URI;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.twofa.browser.PasskeyBrowserTest.assertion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Logging in with a passkey alone, in Chromium with its virtual authenticator (CTAP2, internal transport, resident
 * keys, user verification): "Log in with a passkey" on the login screen, the email field offered for autofill
 * (conditional mediation); an assertion without user verification refused for it (while the same passes as the
 * second factor after a password); the challenge bound to the browser and spent once; the account's locks and
 * the address's and account's budgets.
 */
class PasskeySignInBrowserTest {
  private static final int BUDGET = 4;
  @RegisterExtension
  static final TestServer server = new TestServer().atLocalhost()
    .with("TWOFA_SECOND_FACTOR_MAX_ATTEMPTS", String.valueOf(BUDGET));
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  private static final String EVENTS =
    "SELECT type, success, details FROM security_events WHERE user_id = (SELECT id FROM users WHERE email = $1)";
  private static final String SESSIONS =
    "SELECT s.second_factor_method, s.second_factor_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1";
  private final List<String> problems = new ArrayList<>();

  /**
   * Every test starts with full budgets (they all come from 127.0.0.1), and without autofill (Chromium's virtual
   * authenticator answers a conditional request at once: the login screen would log in by itself).
   */
  @BeforeEach
  void freshBudgetsNoAutofill() {
    server.query("DELETE FROM throttle_attempts");
    browser.withoutPasskeyAutofill();
  }

  @Test
  void logInWithAPasskeyAloneFromTheLoginScreen() throws Exception {
    walk(browser);
  }

  @Test
  void inJapanese() throws Exception {
    try (Browser ja = new Browser(server.baseUrl(), "ja")) {
      walk(ja);
    }
  }

  private void walk(Browser browser) throws Exception {
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    try {
      // Autofill: where the browser offers passkeys among the email field's suggestions, picking one logs in
      // (the virtual authenticator picks its one at once, so leaving the account ends on the account again).
      browser.withPasskeyAutofill();
      String email = PasskeyBrowserTest.signUpAndAddPasskey(browser);
      browser.byAriaLabel(browser.t("shell.accountMenu")).click();
      browser.click(browser.t("shell.logout"));
      browser.waitForText(browser.t("activity.login.passkeySignIn"));
      assertEquals("/account", browser.path());
      Eventually.eventually(() -> server.query(EVENTS + " AND type = 'login.passkey_sign_in' AND success", email)
        .size() == 1, "in Activity");

      // "Log in with a passkey", in a browser without autofill.
      browser.withoutPasskeyAutofill();
      browser.open("/account");
      browser.waitForHeading(browser.t("account.title"));
      browser.logOut();
      assertEquals("username webauthn", browser.input(browser.t("field.email")).getAttribute("autocomplete"),
        "the email field offers passkeys among its suggestions");
      problems.addAll(browser.inspect("passkeys-login-screen"));
      browser.click(browser.t("login.withPasskey"));
      browser.waitForHeading(browser.t("account.title"));
      browser.waitForText(browser.t("activity.login.passkeySignIn"));
      var session = server.query(SESSIONS, email).get(0);  // logging out ended the first
      assertEquals("passwordless_hwk", session.getString("second_factor_method"),
        "both factors, a key that cannot leave the authenticator (no backup-eligible flag)");
      assertNotNull(session.getValue("second_factor_at"));
      Eventually.eventually(() -> server.query(EVENTS + " AND type = 'login.passkey_sign_in' AND success", email)
        .size() == 2, "in Activity");
      problems.addAll(browser.inspect("passkeys-signed-in-with-passkey"));
      browser.assertCleanWalk(problems);
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
  }

  /**
   * An authenticator that did not verify its owner (UV flag clear) proves only possession: refused as a login on
   * its own, counted against the account, while the very same kind of assertion completes a login after the
   * password, and with UV set the same key logs in alone.
   */
  @Test
  void withoutUserVerificationAPasskeyIsOnlyASecondFactor() throws Exception {
    Key key = signUpWithPasskey();
    browser.logOut();

    JsonObject noUv = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 10, 0x01, key.userHandle());
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(noUv)), 401, "passkey_user_not_verified");
    assertEquals(1, server.query("SELECT 1 FROM throttle_attempts WHERE key = 'second-factor:' || "
      + "(SELECT id FROM users WHERE email = $1)", key.email()).size(), "spent from the account's second-factor budget");
    Eventually.eventually(() -> server.query(EVENTS + " AND type = 'login.passkey_sign_in' AND NOT success"
      + " AND details->>'reason' = 'user_not_verified'", key.email()).size() == 1, "the refusal in Activity");
    assertEquals(0, server.query(SESSIONS, key.email()).size(), "no session");

    // After the password, the same (no UV) is a second factor.
    PasskeyBrowserTest.logIn(browser, key.email());
    JsonObject second = assertion(key.id(), key.privateKey(), pendingLoginChallenge(), "localhost", origin(), 11, 0x01, null);
    assertEquals(200, browser.postFromPage("/api/login/passkey", body(second)).getInteger("status"));
    assertEquals("passkey_hwk", server.query(SESSIONS, key.email()).get(0).getString("second_factor_method"));

    browser.open("/account");
    browser.logOut();
    JsonObject withUv = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 12, 0x05, key.userHandle());
    JsonObject answer = browser.postFromPage("/api/login/passkey-sign-in", body(withUv));
    assertEquals(200, answer.getInteger("status"), answer.encode());
    assertEquals("authenticated", new JsonObject(answer.getString("body")).getString("state"));
  }

  /**
   * The challenge works for the browser it was made for (its device cookie), once: another browser's answer is
   * refused, and one answer sent twice at once logs in exactly once.
   */
  @Test
  void theChallengeIsThisBrowsersAndSpentOnce() throws Exception {
    Key key = signUpWithPasskey();
    browser.logOut();
    JsonObject made = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 10, 0x05, key.userHandle());
    browser.deleteCookie("twofa.device");
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(made)), 400, "passkey_refused");

    JsonObject twice = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 11, 0x05, key.userHandle());
    assertEquals(List.of(200L, 400L), browser.postTwiceFromPage("/api/login/passkey-sign-in", body(twice)).stream()
      .map(n -> ((Number) n).longValue()).sorted().toList(), "one login per challenge");
    assertEquals(1, server.query(SESSIONS, key.email()).size());
  }

  /**
   * Without a password too: an assertion made for another RP ID and origin (what a phishing page would relay) is
   * refused, and so is a clone's, whose counter went back (recorded as a possible clone).
   */
  @Test
  void aForeignOrClonedAssertionIsRefused() throws Exception {
    Key key = signUpWithPasskey();
    browser.logOut();
    JsonObject relayed = assertion(key.id(), key.privateKey(), signInChallenge(), "evil.example", "https://evil.example", 50,
      0x05, key.userHandle());
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(relayed)), 400, "passkey_refused");

    JsonObject ours = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 50, 0x05, key.userHandle());
    assertEquals(200, browser.postFromPage("/api/login/passkey-sign-in", body(ours)).getInteger("status"));
    browser.open("/account");
    browser.logOut();
    JsonObject clone = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 7, 0x05, key.userHandle());
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(clone)), 400, "passkey_refused");
    Eventually.eventually(() -> server.query(EVENTS + " AND type = 'passkey.clone_suspected' AND NOT success",
      key.email()).size() == 1, "the possible clone is in Activity");
    assertEquals(50L, server.query("SELECT sign_count FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
      key.email()).get(0).getLong("sign_count"), "the stored counter did not move back");
  }

  /** "This wasn't me" locked the password: the right passkey meets the same lock and opens nothing. */
  @Test
  void anAccountWhosePasswordIsLockedIsNotOpenedByItsPasskey() throws Exception {
    Key key = signUpWithPasskey();
    browser.logOut();
    server.query("UPDATE users SET password_reset_required = true WHERE email = $1", key.email());
    JsonObject right = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 10, 0x05, key.userHandle());
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(right)), 401, "password_reset_required");
    assertEquals(0, server.query(SESSIONS, key.email()).size());
  }

  /** Refusals from one address are limited like second-factor guesses, and so are those against one account. */
  @Test
  void refusalsSpendTheAddressAndAccountBudgets() throws Exception {
    Key key = signUpWithPasskey();
    browser.logOut();
    byte[] unknownId = new byte[32];
    for (int i = 0; i < BUDGET; i++) {
      JsonObject unknown = assertion(unknownId, key.privateKey(), signInChallenge(), "localhost", origin(), 10, 0x05, null);
      assertError(browser.postFromPage("/api/login/passkey-sign-in", body(unknown)), 400, "passkey_refused");
    }
    JsonObject right = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 10, 0x05, key.userHandle());
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(right)), 429, "rate_limited");

    // The address's budget back, the account's spent (by wrong codes, say): the right passkey waits too.
    server.query("DELETE FROM throttle_attempts");
    for (int i = 0; i < BUDGET; i++) {
      server.query("INSERT INTO throttle_attempts (key, at) SELECT 'second-factor:' || id, $2 FROM users WHERE email = $1",
        key.email(), dev.twofa.db.SqlTime.utc(server.clock().instant()));
    }
    JsonObject again = assertion(key.id(), key.privateKey(), signInChallenge(), "localhost", origin(), 11, 0x05, key.userHandle());
    assertError(browser.postFromPage("/api/login/passkey-sign-in", body(again)), 429, "rate_limited");
    assertEquals(0, server.query(SESSIONS, key.email()).size());
  }

  /** A passkey made in Chromium, its private key taken out so tests can sign what the browser would not. */
  private record Key(String email, byte[] id, PrivateKey privateKey, byte[] userHandle) {
  }

  private Key signUpWithPasskey() throws Exception {
    VirtualAuthenticator authenticator = browser.addPasskeyAuthenticator();
    try {
      String email = PasskeyBrowserTest.signUpAndAddPasskey(browser);
      Credential credential = authenticator.getCredentials().get(0);
      return new Key(email, credential.getId(), KeyFactory.getInstance("EC").generatePrivate(credential.getPrivateKey()),
        credential.getUserHandle());
    } finally {
      browser.removePasskeyAuthenticator(authenticator);
    }
  }

  private byte[] signInChallenge() {
    return challenge("/api/login/passkey-sign-in/options");
  }

  private byte[] pendingLoginChallenge() {
    return challenge("/api/login/passkey/options");
  }

  private byte[] challenge(String path) {
    JsonObject answer = browser.postFromPage(path, null);
    assertEquals(200, answer.getInteger("status"), answer.encode());
    JsonObject publicKey = new JsonObject(answer.getString("body")).getJsonObject("publicKey");
    return Base64.getUrlDecoder().decode(publicKey.getString("challenge"));
  }

  private static String origin() {
    URI base = URI.create(server.baseUrl());
    return base.getScheme() + "://" + base.getAuthority();
  }

  private static JsonObject body(JsonObject credential) {
    return new JsonObject().put("credential", credential);
  }

  private static void assertError(JsonObject answer, int status, String code) {
    assertEquals(status, answer.getInteger("status"), answer.encode());
    assertEquals(code, new JsonObject(answer.getString("body")).getString("error"), answer.encode());
  }

}
