package dev.twofa.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.LogRendering;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import jakarta.mail.internet.MimeMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything the server logs through a sign-up, 2FA, failed and passed logins, a recovery code and a mailed reset
 * link, written as both shipped formats would write it, holds no password, email address, code, secret or token.
 */
class NoSecretsInLogsTest {
  static final MailCatcher MAIL = new MailCatcher();
  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void noSecretReachesALogLine() throws Exception {
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    events.start();
    root.addAppender(events);
    List<String> secrets = new ArrayList<>();
    try {
      // From the start: the start's own lines (the mail transport, the hasher, the keys) are judged too.
      server.restart();
      String email = TestAccounts.uniqueEmail();
      ApiClient owner = accounts.signedUp(email);
      TestAccounts.Enrolled account = accounts.enrolled(owner, email);
      secrets.addAll(List.of(PASSWORD, email, account.secret()));
      secrets.addAll(account.recoveryCodes());
      keepTokens(owner, secrets);

      ApiClient wrong = server.newClient();
      assertEquals(401, wrong.post("/api/login", credentials(email, PASSWORD + "x")).status());
      secrets.add(PASSWORD + "x");
      ApiClient browser = accounts.pendingLogin(email);
      keepTokens(browser, secrets);
      String code = accounts.currentCode(account);
      secrets.add(code);
      Response passed = browser.post("/api/login/totp", code(code));
      assertEquals(200, passed.status(), passed.toString());
      keepTokens(browser, secrets);
      ApiClient recovering = accounts.pendingLogin(email);
      assertEquals(200, recovering.post("/api/login/recovery", code(account.recoveryCodes().get(0))).status());
      keepTokens(recovering, secrets);

      int before = MAIL.mailsTo(email).size();
      assertEquals(202, server.newClient().post("/api/password-reset", new JsonObject().put("email", email)).status());
      List<MimeMessage> mails = MAIL.mailsTo(email, before + 1);
      secrets.add(MailCatcher.linkToken(mails.get(mails.size() - 1), "/reset-password"));
    } finally {
      root.detachAppender(events);
      events.stop();
    }
    // The test's own mail server (GreenMail) logs the addresses it creates mailboxes for; it is not ours.
    List<ILoggingEvent> logged = events.list.stream().filter(e -> !e.getLoggerName().startsWith("com.icegreen")).toList();
    assertTrue(logged.stream().anyMatch(e -> e.getFormattedMessage().startsWith("event=mail.configured")), "the start is judged");
    for (String format : List.of("text", "json")) {
      String written = LogRendering.render(format, logged);
      for (String secret : secrets) {
        // Codes are digits: only a match that is not part of a longer number (a time, a port) counts.
        Pattern found = Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(secret) + "(?![0-9A-Za-z])", Pattern.CASE_INSENSITIVE);
        assertFalse(found.matcher(written).find(), format + " log holds a secret: " + secret + "\n" + written);
      }
    }
    assertTrue(secrets.size() > 10, secrets.toString());
  }

  private static void keepTokens(ApiClient browser, List<String> secrets) {
    for (String name : List.of("twofa.session", "XSRF-TOKEN", "twofa.device")) {
      String value = browser.cookie(name);
      if (value != null) {
        secrets.add(value);
      }
    }
  }
}
