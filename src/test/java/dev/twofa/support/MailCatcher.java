package dev.twofa.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real SMTP server (GreenMail) in the test JVM, started before the server that sends to it:
 * {@code static final MailCatcher MAIL = new MailCatcher();} then {@code new TestServer().sendingMailTo(MAIL)}.
 * It reads that server's mail outbox to know when every mail written so far has been delivered.
 */
public final class MailCatcher {
  public static final String PUBLIC_URL = "http://login.example.com:8080";
  private final GreenMail smtp;
  private TestServer server;

  public MailCatcher() {
    try {
      smtp = new GreenMail(new ServerSetup(TestServer.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    smtp.start();
  }

  /** GreenMail speaks plain SMTP, so the URL allows it explicitly. */
  public String url() {
    return "smtp://127.0.0.1:" + smtp.getSmtp().getPort() + "?starttls=optional";
  }

  public void stop() {
    smtp.stop();
  }

  /** The server whose outbox this catcher watches (see {@link TestServer#sendingMailTo}). */
  void watchOutboxOf(TestServer server) {
    this.server = server;
  }

  /**
   * Every mail received for {@code email} once the server has sent all it wrote for that address, and at least
   * {@code atLeast} of them (a mail written later than the request that returned, by a timer, is waited for too).
   * A mail is written to the outbox in the same commit as the request that causes it, before the answer, and the
   * row is marked sent only after the SMTP server accepted it; so once no row for the address is unsent, every
   * mail caused so far is here, and the list is exact. Returns as soon as that holds; the deadline only bounds a
   * failure.
   * (A password-reset request writes its mail after its answer, on purpose: wait for its attempt first, as
   * PasswordResetTest does.)
   */
  public List<MimeMessage> mailsTo(String email, int atLeast) throws InterruptedException {
    // The outbox is read before the inbox: a row seen sent was accepted by GreenMail before it was marked sent.
    return Eventually.eventually(() -> new Delivery(unsent(email), received(email)),
      delivery -> delivery.unsent() == 0 && delivery.mails().size() >= atLeast,
      atLeast + " mails to " + email + " and none left in the outbox").mails();
  }

  /** Every mail received for {@code email} once the server has sent all it wrote for that address (none, maybe). */
  public List<MimeMessage> mailsTo(String email) throws InterruptedException {
    return mailsTo(email, 0);
  }

  private record Delivery(int unsent, List<MimeMessage> mails) {
    @Override
    public String toString() {
      return mails.size() + " received, " + unsent + " not sent yet";
    }
  }

  /** Rows for {@code email} the server has not sent yet (due, being sent, or waiting to be tried again). */
  private int unsent(String email) {
    if (server == null) {
      throw new IllegalStateException("no server sends to this catcher: new TestServer().sendingMailTo(it)");
    }
    return server.query("SELECT count(*)::int AS n FROM mail_outbox WHERE recipient = $1 AND sent_at IS NULL AND given_up_at IS NULL", email)
      .get(0).getInteger("n");
  }

  private List<MimeMessage> received(String email) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
      try {
        return m.getRecipients(Message.RecipientType.TO)[0].toString().equals(email);
      } catch (Exception e) {
        return false;
      }
    }).toList();
  }

  /** The decoded text/plain part of a mail (the raw body of a Japanese mail is transfer-encoded), or null. */
  public static String plainText(Part part) throws Exception {
    if (part.isMimeType("text/plain")) {
      return (String) part.getContent();
    }
    if (part.getContent() instanceof Multipart parts) {
      for (int i = 0; i < parts.getCount(); i++) {
        String text = plainText(parts.getBodyPart(i));
        if (text != null) {
          return text;
        }
      }
    }
    return null;
  }

  public static String body(MimeMessage mail) {
    return GreenMailUtil.getBody(mail);
  }

  /** The token of the {@code path} link in {@code mail} (with PUBLIC_URL as the server's address). */
  public static String linkToken(MimeMessage mail, String path) {
    Matcher m = Pattern.compile(Pattern.quote(PUBLIC_URL + path + "?token=") + "([A-Za-z0-9_-]{43})").matcher(body(mail));
    assertTrue(m.find(), body(mail));
    return m.group(1);
  }
}
