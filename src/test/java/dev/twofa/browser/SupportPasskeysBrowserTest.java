package dev.twofa.browser;

import dev.twofa.cli.SupportRoles;
import dev.twofa.support.ApiClient;
import dev.twofa.support.Browser;
import dev.twofa.support.SoftwarePasskey;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The support desk's user view in Chromium, English and Japanese: the account's passkeys (name, added, last
 * used), and removing one with a reason, how identity was verified and "Confirm it's you".
 */
class SupportPasskeysBrowserTest {
  @RegisterExtension
  static final TestServer server = new TestServer().atLocalhost();
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server);
  private final TestAccounts accounts = new TestAccounts(server);
  private final List<String> problems = new ArrayList<>();

  @Test
  void staffSeeAUsersPasskeysAndRemoveOne() throws Exception {
    walk(browser, "Pixel 9", "MacBook");
  }

  @Test
  void inJapanese() throws Exception {
    try (Browser ja = new Browser(server.baseUrl(), "ja")) {
      walk(ja, "仕事用のスマホ", "自宅のパソコン");
    }
  }

  private void walk(Browser on, String phone, String laptop) throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    add(owner, phone);
    server.clock().advance(Duration.ofSeconds(1));   // listed oldest first
    add(owner, laptop);
    String staffEmail = TestAccounts.uniqueEmail();
    Enrolled staff = accounts.enrolled(accounts.signedUp(staffEmail), staffEmail);
    SupportRoles.set(server.databaseUrl(), staffEmail, true);

    on.open("/login");
    on.fill(on.t("field.email"), staffEmail);
    on.fill(on.t("field.password"), TestAccounts.PASSWORD);
    on.click(on.t("login.submit"));
    on.waitForHeading(on.t("totp.title"));
    accounts.nextStep();
    on.input(on.t("totp.codeLabel", "digits", 6)).sendKeys(accounts.currentCode(staff));
    on.waitForHeading(on.t("account.title"));
    on.open("/support");
    on.waitForHeading(on.t("support.title"));
    server.clock().advance(Duration.ofMinutes(11));   // past the step-up the login counts as

    on.fill(on.t("support.email"), email);
    on.click(on.t("support.lookUp"));
    on.waitForText(laptop);
    assertEquals(List.of(phone, laptop), on.texts(".passkey-name"));
    problems.addAll(on.inspect("support-user-passkeys"));

    on.byAriaLabel(on.t("passkeys.removeOne", "name", phone)).click();
    on.fill(on.t("support.reason"), "Phone lost on a train");
    on.fill(on.t("support.verification"), "Video call, matched the photo ID on file");
    problems.addAll(on.inspect("support-remove-passkey"));
    on.find(".passkey form button[type=submit]").click();
    on.waitForDialog(on.t("stepUp.title"));
    on.fill(on.t("stepUp.password"), TestAccounts.PASSWORD);
    accounts.nextStep();
    on.input(on.t("stepUp.code", "digits", 6)).sendKeys(accounts.currentCode(staff));
    on.click(on.t("stepUp.confirm"));
    on.waitForText(on.t("support.passkeyRemoved", "name", phone, "email", email));
    assertEquals(List.of(laptop), on.texts(".passkey-name"));
    assertEquals(1, server.query("SELECT 1 FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
      email).size());
    on.assertCleanWalk(problems);
  }

  private void add(ApiClient owner, String name) throws Exception {
    SoftwarePasskey device = new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV);
    JsonObject options = owner.post("/api/passkeys/options", null).json().getJsonObject("publicKey");
    assertEquals(201, owner.post("/api/passkeys", new JsonObject().put("credential", device.create(options))
      .put("name", name)).status());
  }
}
