package dev.twofa.browser;

import dev.twofa.support.Browser;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented story in a Chromium whose language is Japanese: every screen is in Japanese (no English word
 * left apart from names, codes and addresses), checked with axe-core and photographed at 375 and 1280 px under
 * target/screenshots/ja/, and the English | 日本語 switch survives a reload.
 */
class JapaneseStoryTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  @RegisterExtension
  @Order(Browser.AFTER_SERVER)
  static final Browser browser = Browser.perClass(server, "ja");
  private final List<String> problems = new ArrayList<>();
  private String email;

  @Test
  void theWholeStoryInJapanese() throws Exception {
    email = TestAccounts.uniqueEmail();
    browser.open("/signup");
    browser.waitForHeading("新規登録");
    assertEquals("ja", browser.htmlLang(), "the server renders <html lang> from Accept-Language");
    screen("signup");
    browser.fill("メールアドレス", email);
    browser.fill("パスワード", TestAccounts.PASSWORD);
    browser.click("登録する");

    browser.waitForHeading("cryptactへようこそ");
    screen("welcome");
    browser.click("2段階認証を有効にする");

    browser.waitForHeading("2段階認証でアカウントを守る");
    browser.waitForText("pafin / pafin Inc.");
    String secret = browser.find(".secret").getText().replace(" ", "");
    screen("enable-2fa-after-signup");
    browser.input("アプリに表示された6桁の認証コード").sendKeys(Totp.code(secret, server.clock().instant()));

    browser.waitForHeading("リカバリーコードを保存してください");
    List<String> codes = browser.texts(".recovery-codes code");
    screen("recovery-codes");
    browser.click("ダウンロード");
    String file = Files.readString(browser.download());
    assertTrue(file.contains("リカバリーコード") && file.contains(codes.get(0)), file);
    browser.click("コピー");
    assertTrue(browser.button("印刷").isDisplayed());
    browser.click("コードを保存しました、ログイン");

    browser.waitForHeading("アカウント");
    browser.waitForText("2段階認証がオンになりました");
    assertEquals("オン", browser.settingValue("2段階認証セキュリティ"));
    assertTrue(browser.hasText("残り8個（全8個）"));
    assertTrue(Pattern.compile("登録日：\\d{4}年\\d{1,2}月\\d{1,2}日").matcher(browser.bodyText()).find(),
      "dates through Intl in Japanese: " + browser.bodyText());
    browser.waitForText("アクティビティ");
    screen("account");
    browser.byAriaLabel("アカウントメニュー").click();
    assertEquals(List.of("アカウント", "ログアウト"), browser.texts("#account-menu-list [role=menuitem]"));
    screen("account-menu");
    browser.click("ログアウト");

    browser.waitForHeading("ログイン");
    screen("login");
    server.clock().advance(Duration.ofSeconds(30));
    logIn();
    browser.waitForHeading("2段階認証");
    assertTrue(browser.hasText("「pafin / pafin Inc.」に表示されている6桁の認証コード"), browser.bodyText());
    screen("two-factor");
    browser.input("6桁の認証コード").sendKeys(Totp.code(secret, server.clock().instant()));
    browser.waitForHeading("アカウント");
    browser.logOut();

    logIn();
    browser.waitForHeading("2段階認証");
    browser.click("認証デバイスを紛失した場合");
    browser.waitForHeading("リカバリーコードを使う");
    screen("recovery-login");
    browser.fill("リカバリーコード", codes.get(0));
    browser.click("cryptactにログイン");
    browser.waitForHeading("アカウント");
    assertTrue(browser.hasText("リカバリーコードの残りは7個です。今すぐ新しいコードを生成してください。"));

    server.clock().advance(java.time.Duration.ofMinutes(11));   // past the step-up the login counts as
    browser.click("新しいリカバリーコードを生成");
    browser.waitForVisible("#regenerate-panel");
    screen("regenerate-recovery-codes");
    browser.click("コードを生成");
    browser.waitForDialog("ご本人確認");
    browser.fill("パスワード", TestAccounts.PASSWORD);
    assertTrue(browser.hasText("代わりに認証アプリを使う"), "opened on リカバリーコード after a recovery-code login");
    screen("step-up");
    browser.fill("リカバリーコード", codes.get(1));
    browser.click("確認");
    browser.waitForHeading("リカバリーコードを保存してください");
    browser.find("#codes-saved").click();
    browser.click("完了");
    browser.waitForHeading("アカウント");
    browser.waitForText("ログイン · パスワード + リカバリーコード");
    assertTrue(browser.find(".activity").getText().contains("ログイン · パスワード + 認証アプリ"));
    screen("activity");
    assertEquals(List.of(), problems, "serious or critical accessibility violations, overflow, or English left");
  }

  @Test
  void theSwitchSurvivesAReload() throws Exception {
    browser.open("/login");
    browser.clearSession();
    browser.open("/login");
    browser.waitForHeading("ログイン");
    browser.click("English");
    browser.waitForHeading("Log in");
    assertEquals("en", browser.htmlLang());
    assertTrue(browser.englishLeft("login").stream().anyMatch(p -> p.contains("English left")),
      "the scan every Japanese screenshot gets sees English");
    browser.reload();
    browser.waitForHeading("Log in");
    assertEquals("en", browser.htmlLang(), "the lang cookie wins over the browser's Japanese");
    assertTrue(browser.hasText("Email address"));
    browser.click("日本語");
    browser.waitForHeading("ログイン");
    browser.reload();
    browser.waitForHeading("ログイン");
    assertEquals("ja", browser.htmlLang());
    assertEquals("true", browser.find("[data-lang=ja]").getAttribute("aria-pressed"));
  }

  /** axe-core, screenshots, and in this Japanese browser the scan for English left (see {@link Browser#inspect}). */
  private void screen(String name) throws Exception {
    problems.addAll(browser.inspect(name));
  }

  private void logIn() {
    browser.waitForHeading("ログイン");
    browser.fill("メールアドレス", email);
    browser.fill("パスワード", TestAccounts.PASSWORD);
    browser.click("ログイン");
  }
}
