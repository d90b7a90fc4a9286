package dev.twofa.auth.notify;

import dev.twofa.auth.Door;
import dev.twofa.config.MailSettings;
import dev.twofa.config.MailSettings.Smtp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

/** Mail through the SMTP server of {@code TWOFA_SMTP_URL}: STARTTLS required unless the URL says otherwise. */
@Door
public final class SmtpTransport implements MailTransport {
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private final MailClient client;
  private final String from;

  SmtpTransport(Vertx vertx, Smtp smtp, String from) {
    MailConfig config = new MailConfig()
      .setHostname(smtp.host())
      .setPort(smtp.port())
      .setSsl(smtp.implicitTls())
      .setStarttls(switch (smtp.startTls()) {
        case REQUIRED -> StartTLSOptions.REQUIRED;
        case OPTIONAL -> StartTLSOptions.OPTIONAL;
        case DISABLED -> StartTLSOptions.DISABLED;
      })
      // The server's certificate must name it, as a browser would check.
      .setHostnameVerificationAlgorithm("HTTPS")
      .setConnectTimeout(CONNECT_TIMEOUT_MS)
      .setLogin(smtp.username() == null ? LoginOption.DISABLED : LoginOption.REQUIRED);
    if (smtp.username() != null) {
      config.setUsername(smtp.username()).setPassword(smtp.password());
    }
    this.client = MailClient.create(vertx, config);
    this.from = from;
  }

  static MailMessage message(Mail mail, String from) {
    return new MailMessage().setFrom(from).setTo(mail.recipient()).setSubject(mail.subject())
      .setText(mail.text()).setHtml(mail.html());
  }

  @Override
  public Future<Void> send(Mail mail) {
    return client.sendMail(message(mail, from)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  public static MailTransport create(Vertx vertx, MailSettings settings, java.nio.file.Path dataDir) {
    return settings.smtp().<MailTransport>map(smtp -> new SmtpTransport(vertx, smtp, settings.from()))
      .orElseGet(() -> new EmlFolder(vertx, dataDir.resolve("mail"), settings.from()));
  }
}
