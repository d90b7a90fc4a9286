package dev.twofa.http;

import dev.twofa.bus.AuthRequests.Activity;
import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.PasswordChange;
import dev.twofa.bus.AuthRequests.RevokeSession;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.AuthRequests.StepUp;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.ACCOUNT;
import static dev.twofa.bus.Operations.ACTIVITY;
import static dev.twofa.bus.Operations.EMAIL_VERIFICATION_SEND;
import static dev.twofa.bus.Operations.EMAIL_VERIFY;
import static dev.twofa.bus.Operations.PASSWORD_CHANGE;
import static dev.twofa.bus.Operations.SESSIONS;
import static dev.twofa.bus.Operations.SESSIONS_REVOKE_OTHERS;
import static dev.twofa.bus.Operations.SESSION_REVOKE;
import static dev.twofa.bus.Operations.STEP_UP;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** The signed-in user's account: who they are, their password, their activity and where they are logged in. */
final class AccountResource {
  private static final int DEFAULT_PAGE = 50;
  private final Requests requests;

  AccountResource(Requests requests) {
    this.requests = requests;
  }

  void account(RoutingContext ctx) {
    requests.reply(ctx, requests.call(ACCOUNT, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void verifyEmail(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(EMAIL_VERIFY, new LinkToken(body(ctx).getString("token"), client(ctx))));
  }

  void sendEmailVerification(RoutingContext ctx) {
    requests.reply(ctx, requests.call(EMAIL_VERIFICATION_SEND, new Session(sessionToken(ctx), client(ctx)))
      .map(sent -> new JsonObject()), 202);
  }

  void changePassword(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.noContent(ctx, requests.call(PASSWORD_CHANGE, new PasswordChange(sessionToken(ctx),
        body.getString("currentPassword"), body.getString("newPassword"), client(ctx)))
      .onSuccess(outcome -> requests.setSession(ctx, outcome.sessionToken())));
  }

  void activity(RoutingContext ctx) {
    QueryParameters query = QueryParameters.of(ctx);
    Long before = query.text("before").map(Long::valueOf).orElse(null);   // 1 to 18 digits, by openapi.yaml
    requests.reply(ctx, query.integer("limit", DEFAULT_PAGE)
      .compose(limit -> requests.call(ACTIVITY, new Activity(sessionToken(ctx), limit, before))), 200);
  }

  /** "Download my activity": the file auth made, as an attachment that no cache keeps. */
  void downloadActivity(RoutingContext ctx) {
    String format = QueryParameters.of(ctx).text("format").orElse("csv");
    requests.call(dev.twofa.bus.Operations.ACTIVITY_DOWNLOAD, new dev.twofa.bus.AuthRequests.ActivityDownload(sessionToken(ctx), format))
      .onSuccess(file -> ctx.response().putHeader("Content-Type", file.contentType())
        .putHeader("Content-Disposition", "attachment; filename=\"" + file.fileName() + "\"")
        .putHeader("Cache-Control", "no-store")
        .end(file.content()))
      .onFailure(error -> ErrorResponses.send(ctx, error));
  }

  void sessions(RoutingContext ctx) {
    requests.reply(ctx, requests.call(SESSIONS, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void revokeSession(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(SESSION_REVOKE, new RevokeSession(sessionToken(ctx), body(ctx).getString("id"), client(ctx))));
  }

  void stepUp(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.noContent(ctx, requests.call(STEP_UP, new StepUp(sessionToken(ctx), body.getString("password"),
      body.getString("code"), body.getString("recoveryCode"), PasskeyResource.json(body.getJsonObject("passkey")),
      client(ctx))));
  }

  void revokeOtherSessions(RoutingContext ctx) {
    requests.noContent(ctx, requests.call(SESSIONS_REVOKE_OTHERS, new Session(sessionToken(ctx), client(ctx))));
  }
}
