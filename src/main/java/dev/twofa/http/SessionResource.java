package dev.twofa.http;

import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.AuthRequests.Code;
import dev.twofa.bus.AuthRequests.Credentials;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.AuthRequests.Signup;
import dev.twofa.bus.Operation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.LOGIN_PASSWORD;
import static dev.twofa.bus.Operations.LOGIN_RECOVERY;
import static dev.twofa.bus.Operations.LOGIN_SUPPORT_FORM;
import static dev.twofa.bus.Operations.LOGIN_TOTP;
import static dev.twofa.bus.Operations.LOGOUT;
import static dev.twofa.bus.Operations.SESSION;
import static dev.twofa.bus.Operations.SIGNUP;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** Sign-up, the two login steps, logout and the session's state. */
final class SessionResource {
  private final Requests requests;
  private final LoginMetrics metrics;

  SessionResource(Requests requests, LoginMetrics metrics) {
    this.requests = requests;
    this.metrics = metrics;
  }

  void session(RoutingContext ctx) {
    requests.reply(ctx, requests.call(SESSION, new Session(sessionToken(ctx), client(ctx))).onSuccess(state -> {
      if (state.equals(SessionState.ANONYMOUS)) {
        requests.clearSession(ctx);
      }
    }), 200);
  }

  /** The support request form opened at the code step: the pending login's new deadline. */
  void supportForm(RoutingContext ctx) {
    requests.reply(ctx, requests.call(LOGIN_SUPPORT_FORM, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void signup(RoutingContext ctx) {
    JsonObject body = body(ctx);
    // The language the app is shown in (its cookie, else Accept-Language) becomes the language of the user's mails.
    // So is the browser's time zone (Intl's IANA name), for the times in them; anything but a string is no zone.
    Signup signup = new Signup(sessionToken(ctx), body.getString("email"), body.getString("password"),
      ShellPage.language(ctx), body.getValue("timeZone") instanceof String zone ? zone : null, client(ctx));
    requests.reply(ctx, enter(ctx, requests.call(SIGNUP, signup)), 201);
  }

  void login(RoutingContext ctx) {
    requests.reply(ctx, enter(ctx, metrics.count("password", requests.call(LOGIN_PASSWORD, credentials(ctx)))), 200);
  }

  void loginWithTotp(RoutingContext ctx) {
    requests.reply(ctx, enter(ctx, metrics.count("totp", code(ctx, LOGIN_TOTP))), 200);
  }

  void loginWithRecoveryCode(RoutingContext ctx) {
    requests.reply(ctx, enter(ctx, metrics.count("recovery_code", code(ctx, LOGIN_RECOVERY))), 200);
  }

  /** The second step with a passkey: the body's {@code credential} is the browser's assertion, passed on as JSON text. */
  void loginWithPasskey(RoutingContext ctx) {
    requests.reply(ctx, enter(ctx, metrics.count("passkey", requests.call(dev.twofa.bus.Operations.LOGIN_PASSKEY,
      new dev.twofa.bus.AuthRequests.PasskeyAssertion(sessionToken(ctx), PasskeyResource.credential(ctx), client(ctx),
        trustBrowser(ctx))))), 200);
  }

  /** A login with a passkey alone: the body's {@code credential} answers this browser's sign-in options. */
  void signInWithPasskey(RoutingContext ctx) {
    requests.reply(ctx, enter(ctx, metrics.count("passkey_sign_in", requests.call(dev.twofa.bus.Operations.LOGIN_PASSKEY_SIGN_IN,
      new dev.twofa.bus.AuthRequests.PasskeyAssertion(sessionToken(ctx), PasskeyResource.credential(ctx), client(ctx))))), 200);
  }

  void logout(RoutingContext ctx) {
    Future<Void> ended = requests.call(LOGOUT, new Session(sessionToken(ctx), client(ctx))).recover(error -> Future.succeededFuture());
    requests.noContent(ctx, ended.onComplete(done -> requests.clearSession(ctx)));
  }

  private Future<LoginOutcome> code(RoutingContext ctx, Operation<Code, LoginOutcome> step) {
    return requests.call(step, new Code(sessionToken(ctx), body(ctx).getString("code"), client(ctx), trustBrowser(ctx)));
  }

  /** "Don't ask for a code on this browser", ticked at the code step. */
  private static boolean trustBrowser(RoutingContext ctx) {
    return Boolean.TRUE.equals(body(ctx).getValue("trustBrowser"));
  }

  private static Credentials credentials(RoutingContext ctx) {
    JsonObject body = body(ctx);
    return new Credentials(sessionToken(ctx), body.getString("email"), body.getString("password"), client(ctx),
      body.getValue("authorization") instanceof String id ? id : null);
  }

  /** The browser takes the new cookie value; the body shows only the state. */
  private Future<SessionState> enter(RoutingContext ctx, Future<LoginOutcome> step) {
    return step.map(outcome -> {
      requests.setSession(ctx, outcome.sessionToken());
      return outcome.session();
    });
  }
}
