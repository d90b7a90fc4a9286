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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real SMTP server (GreenMail) in the test JVM, started before the server that sends to it:
 * {@code static final MailCatcher MAIL = new MailCatcher();} then {@code new TestServer().sendingMailTo(MAIL)}.
 */
public final class MailCatcher {
  public static final String PUBLIC_URL = "http://login.example.com:8080";
  private final GreenMail smtp;

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

  /** The mails received for {@code email} so far, waiting up to 10 s for {@code count} of them. */
  public List<MimeMessage> mailsTo(String email, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<MimeMessage> mails = Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
        try {
          return m.getRecipients(Message.RecipientType.TO)[0].toString().equals(email);
        } catch (Exception e) {
          return false;
        }
      }).toList();
      if (mails.size() >= count || System.nanoTime() > deadline) {
        return mails;
      }
      Thread.sleep(50);
    }
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
