package dev.twofa.http;

import dev.twofa.bus.AuthRequests.PhraseChange;
import dev.twofa.bus.AuthRequests.Session;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.PHRASE_SET;
import static dev.twofa.bus.Operations.PHRASE_SHOW;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** The anti-phishing phrase: set or change it, and read it (auth asks for the step-up and checks the phrase). */
final class PhraseResource {
  private final Requests requests;

  PhraseResource(Requests requests) {
    this.requests = requests;
  }

  void set(RoutingContext ctx) {
    requests.reply(ctx, requests.call(PHRASE_SET, new PhraseChange(sessionToken(ctx), body(ctx).getString("phrase"),
      client(ctx))), 200);
  }

  void show(RoutingContext ctx) {
    requests.reply(ctx, requests.call(PHRASE_SHOW, new Session(sessionToken(ctx), client(ctx))), 200);
  }
}
