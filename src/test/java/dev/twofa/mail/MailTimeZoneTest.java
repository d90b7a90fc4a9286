package dev.twofa.mail;

import dev.twofa.support.ApiClient;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static dev.twofa.support.MailCatcher.plainText;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mails as their reader reads them, over real SMTP: times in the zone the browser reported at sign-up (Japan time for
 * a Japanese sign-up that reported none), the product's name as the sender, and the "2FA is on" notice asking an
 * owner who never confirmed the address to do so.
 */
class MailTimeZoneTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  private ApiClient signUp(String email, String language, String timeZone) {
    ApiClient client = server.newClient().extraHeaders("Accept-Language", language);
    ApiClient.Response signup = client.post("/api/signup",
      timeZone == null ? credentials(email, PASSWORD) : credentials(email, PASSWORD).put("timeZone", timeZone));
    assertEquals(201, signup.status(), signup.toString());
    return client;
  }

  private String now(String pattern, Locale locale, String zone) {
    return DateTimeFormatter.ofPattern(pattern, locale).withZone(ZoneId.of(zone)).format(server.clock().instant());
  }

  /** The text part with the line ends of SMTP (CRLF) made \n. */
  private static String text(MimeMessage mail) throws Exception {
    return plainText(mail).replace("\r\n", "\n");
  }

  private String storedZone(String email) {
    return server.query("SELECT time_zone FROM users WHERE email = $1", email).get(0).getString("time_zone");
  }

  @Test
  void aJapaneseSignUpReadsJapanTimeFromTheProductsName() throws Exception {
    String email = TestAccounts.uniqueEmail();
    signUp(email, "ja", "Asia/Tokyo");
    MimeMessage mail = MAIL.mailsTo(email, 1).get(0);
    String body = text(mail);
    assertTrue(body.contains("日時: " + now("uuuu年M月d日 H:mm", Locale.JAPANESE, "Asia/Tokyo") + "（日本時間）\n"), body);
    InternetAddress from = (InternetAddress) mail.getFrom()[0];
    assertEquals("cryptact", from.getPersonal(), "the sender is the product, by default");
    assertEquals("no-reply@localhost", from.getAddress());
    assertEquals("Asia/Tokyo", storedZone(email));
  }

  @Test
  void anEnglishSignUpReadsItsOwnZone() throws Exception {
    String email = TestAccounts.uniqueEmail();
    signUp(email, "en", "America/New_York");
    String body = text(MAIL.mailsTo(email, 1).get(0));
    String when = now("MMM d, uuuu, h:mm a z", Locale.ENGLISH, "America/New_York");
    assertTrue(when.endsWith(" EST") || when.endsWith(" EDT"), when);
    assertTrue(body.contains("When: " + when + "\n"), body);
    assertEquals("America/New_York", storedZone(email));
  }

  @Test
  void aZoneTheBrowserDidNotSayOrJavaDoesNotKnowIsTheLanguagesDefault() throws Exception {
    String japanese = TestAccounts.uniqueEmail();
    signUp(japanese, "ja", null);
    assertTrue(text(MAIL.mailsTo(japanese, 1).get(0)).contains("（日本時間）"));
    assertEquals("Asia/Tokyo", storedZone(japanese));

    String english = TestAccounts.uniqueEmail();
    signUp(english, "en", "Mars/Olympus_Mons");
    assertTrue(text(MAIL.mailsTo(english, 1).get(0)).contains(now("MMM d, uuuu, h:mm a", Locale.ENGLISH, "UTC") + " UTC\n"));
    assertEquals("UTC", storedZone(english));

    ApiClient.Response notText = server.newClient().post("/api/signup",
      credentials(TestAccounts.uniqueEmail(), PASSWORD).put("timeZone", 9));
    assertEquals(400, notText.status(), "a zone that is not text is a bad request, never a 500: " + notText);
  }

  @Test
  void twoFactorOnAsksAnUnverifiedOwnerToConfirmTheAddress() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient client = signUp(email, "ja", "Asia/Tokyo");
    accounts.enrolled(client, email);
    MimeMessage on = MAIL.mailsTo(email, 2).get(1);
    assertEquals("[cryptact] 2段階認証が有効になりました", on.getSubject());
    String body = text(on);
    assertTrue(body.contains("メールアドレスの確認がまだ済んでいません。ほかの人がログインしようとしたときにお知らせできるよう"), body);
    assertFalse(body.contains("null"), body);
  }
}
