package dev.twofa.auth.notify;

import io.vertx.core.Future;

/** Hands one mail over for delivery; succeeds only once the SMTP server (or the disk) has accepted it. */
public interface MailTransport {
  Future<Void> send(Mail mail);

  Future<Void> close();
}
