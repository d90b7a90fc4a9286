package dev.twofa.auth;

import io.vertx.core.Future;

/** Hands one mail over for delivery; succeeds only once the SMTP server (or the disk) has accepted it. */
interface MailTransport {
  Future<Void> send(Mail mail);

  Future<Void> close();
}
