package dev.twofa.auth.notify;

import dev.twofa.auth.account.UserRow;

import dev.twofa.bus.ClientInfo;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mails as the templates lay them out: plural forms, escaping, the text part's shape. */
class MailComposerTest {
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant DEC_7 = Instant.parse("2026-12-07T02:04:00Z");
  private static final ClientInfo CLIENT = new ClientInfo("203.0.113.7", "Firefox");
  private final MailComposer composer = new MailComposer("twofa", URI.create("http://localhost:8080/"));

  private static UserRow user(String language) {
    return new UserRow(1, "owner@example.com", "x", 0, null, null, null, null, 0, false, null, null, null, language, null);
  }

  private static UserRow user(String language, String timeZone, boolean verified) {
    return new UserRow(1, "owner@example.com", "x", 0, null, null, null, null, 0, false, null, null, null, language,
      verified ? OffsetDateTime.parse("2026-01-01T00:00:00Z") : null, false, 0, timeZone);
  }

  private String when(String language, String timeZone) {
    String text = composer.notice(user(language, timeZone, true), Mailer.PASSWORD_CHANGED, CLIENT, DEC_7, null).text();
    return text.lines().filter(line -> line.startsWith("When: ") || line.startsWith("日時: ")).findFirst().orElseThrow(() -> new AssertionError(text));
  }

  @Test
  void timesAreInTheUsersZoneAsTheirClockShowsThem() {
    assertEquals("日時: 2026年12月7日 11:04（日本時間）", when("ja", "Asia/Tokyo"));
    assertEquals("日時: 2026年12月6日 21:04（アメリカ東部時間）", when("ja", "America/New_York"));
    assertEquals("When: Dec 7, 2026, 11:04 AM JST", when("en", "Asia/Tokyo"));
    assertEquals("When: Dec 6, 2026, 9:04 PM EST", when("en", "America/New_York"));
    // No zone stored (an account older than time zones): Japan for a Japanese one, UTC otherwise.
    assertEquals("日時: 2026年12月7日 11:04（日本時間）", when("ja", null));
    assertEquals("When: Dec 7, 2026, 2:04 AM UTC", when("en", null));
  }

  @Test
  void onlyARegionJavaKnowsIsKeptElseTheLanguagesZone() {
    assertEquals("Asia/Tokyo", Mailer.timeZone(null, "ja"));
    assertEquals("Asia/Tokyo", Mailer.timeZone("Mars/Olympus_Mons", "ja"));
    assertEquals("UTC", Mailer.timeZone("Mars/Olympus_Mons", "en"));
    assertEquals("UTC", Mailer.timeZone("+09:00", "en"), "an offset is not a zone: it misses summer time");
    assertEquals("UTC", Mailer.timeZone("x".repeat(10_000), "fr"));
    assertEquals("Europe/Berlin", Mailer.timeZone("Europe/Berlin", "ja"));
  }

  @Test
  void twoFactorOnAsksAnUnverifiedOwnerToConfirmTheAddress() {
    Mail unverified = composer.notice(user("en", null, false), Mailer.TWO_FACTOR_ENABLED, CLIENT, AT, null, "token");
    assertTrue(unverified.text().contains("so we can warn you if someone else tries to get into your account."), unverified.text());
    assertTrue(unverified.html().contains("<p><strong>Your email address is not confirmed yet."), unverified.html());
    Mail japanese = composer.notice(user("ja", null, false), Mailer.TWO_FACTOR_ENABLED, CLIENT, AT, null, "token");
    assertTrue(japanese.text().contains("ほかの人がログインしようとしたときにお知らせできるよう"), japanese.text());
    Mail verified = composer.notice(user("en", null, true), Mailer.TWO_FACTOR_ENABLED, CLIENT, AT, null, "token");
    assertFalse(verified.text().contains("not confirmed"), verified.text());
    Mail otherKind = composer.notice(user("en", null, false), Mailer.PASSWORD_CHANGED, CLIENT, AT, null, "token");
    assertFalse(otherKind.text().contains("not confirmed"), "only the 2FA-on notice asks: " + otherKind.text());
  }

  private String codesLeft(String language, int count) {
    return composer.notice(user(language), Mailer.RECOVERY_CODE_USED, CLIENT, AT, count).text().lines().findFirst().orElseThrow();
  }

  @Test
  void recoveryCodesLeftAreOneCodeOrSeveralCodesInEnglishAndOneSentenceInJapanese() {
    assertEquals("A recovery code was used to log in to your account. 1 recovery code is left.", codesLeft("en", 1));
    assertEquals("A recovery code was used to log in to your account. 3 recovery codes are left.", codesLeft("en", 3));
    assertEquals("A recovery code was used to log in to your account. 0 recovery codes are left.", codesLeft("en", 0));
    assertEquals("リカバリーコードを使ってアカウントにログインされました。残りのリカバリーコードは1個です。", codesLeft("ja", 1));
    assertEquals("リカバリーコードを使ってアカウントにログインされました。残りのリカバリーコードは3個です。", codesLeft("ja", 3));
  }

  @Test
  void everyValueIsEscapedInHtmlAndLeftAsTypedInText() {
    String why = "<script>alert('x')</script> & \"more\" {after} $1";
    Mail mail = composer.supportDeclined(user("en"), AT, why);
    assertTrue(mail.text().contains("The support desk's reason: " + why + "\n"), mail.text());
    assertFalse(mail.html().contains("<script>"), mail.html());
    assertTrue(mail.html().contains("The support desk&#39;s reason: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
      + "&amp; &quot;more&quot; {after} $1</p>"), mail.html());

    Mail notice = composer.notice(user("en"), Mailer.NEW_SIGN_IN, new ClientInfo("198.51.100.1", "\"><img src=x>"), AT,
      null, "token");
    assertTrue(notice.html().contains("<td>Unknown browser</td>"), "a User-Agent is never shown: " + notice.html());
    assertTrue(notice.html().contains("This wasn&#39;t me? Secure your account: "
      + "<a href=\"http://localhost:8080/secure-account?token=token\">"), notice.html());
    assertTrue(notice.text().contains("Browser: Unknown browser\n"), notice.text());
    assertEquals("&lt;&gt;&amp;&quot;&#39;x", MailComposer.escape("<>&\"'x"));
  }

  @Test
  void theTextPartListsTheFactsAndEndsWithTheSignature() {
    Mail mail = composer.supportRequested(user("ja"), ClientInfo.UNKNOWN, AT, "token", "lost_phone", AT.plusSeconds(86400));
    assertEquals("[twofa] 2段階認証の無効化が依頼されました", mail.subject());
    assertTrue(mail.text().startsWith("あなたのパスワードを入力した方から、アカウントの2段階認証を無効にするようサポート窓口に依頼がありました"
      + "（理由：スマートフォンの機種変更・紛失）。サポート窓口が対応するのは2026年3月2日 21:00（日本時間）以降です。"), mail.text());
    assertTrue(mail.text().endsWith("""
      。

      心当たりがないので取り消す:
      http://localhost:8080/support/cancel?token=token

      アカウント: owner@example.com
      日時: 2026年3月1日 21:00（日本時間）
      IPアドレス: -
      ブラウザ: -

      --\s
      twofa http://localhost:8080/
      """), mail.text());
    assertTrue(mail.html().startsWith("<!DOCTYPE html>\n<html lang=\"ja\">"), mail.html());
    assertTrue(mail.html().contains("<a href=\"http://localhost:8080/support/cancel?token=token\">心当たりがないので取り消す</a>"),
      mail.html());
  }

  @Test
  void theBrowserIsNamedFromTheListInTheMailsLanguage() {
    ClientInfo chrome = new ClientInfo("203.0.113.7", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
      + "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36");
    assertTrue(composer.notice(user("en"), Mailer.PASSWORD_CHANGED, chrome, AT, null).text().contains("Browser: Chrome on macOS\n"));
    assertTrue(composer.notice(user("ja"), Mailer.PASSWORD_CHANGED, chrome, AT, null).text().contains("ブラウザ: macOSのChrome\n"));
    ClientInfo edge = new ClientInfo("203.0.113.7", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36 Edg/120.0");
    assertTrue(composer.notice(user("en"), Mailer.PASSWORD_CHANGED, edge, AT, null).text().contains("Browser: Edge on Windows\n"));
    ClientInfo phone = new ClientInfo("203.0.113.7", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
      + "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1");
    assertTrue(composer.notice(user("en"), Mailer.PASSWORD_CHANGED, phone, AT, null).text().contains("Browser: Safari on iOS\n"));
    Mail reset = composer.passwordReset(user("en"), Mailer.PASSWORD_RESET, phone, AT, "token");
    assertFalse(reset.text().contains("Browser") || reset.text().contains("203.0.113.7"), reset.text());
  }

  @Test
  void anyOtherLanguageGetsEnglish() {
    assertEquals("en", MailComposer.language("fr"));
    assertEquals("en", MailComposer.language(null));
    assertEquals("ja", MailComposer.language("ja"));
    assertEquals("[twofa] Your password was changed",
      composer.notice(user("fr"), Mailer.PASSWORD_CHANGED, CLIENT, AT, null).subject());
  }
}
