package dev.twofa.http;

import dev.twofa.bus.AuthReplies.PasskeyOptions;
import dev.twofa.bus.AuthRequests.PasskeyRegistration;
import dev.twofa.bus.AuthRequests.PasskeyRemove;
import dev.twofa.bus.AuthRequests.PasskeyRename;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.Operation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static dev.twofa.bus.Operations.LOGIN_PASSKEY_OPTIONS;
import static dev.twofa.bus.Operations.PASSKEYS;
import static dev.twofa.bus.Operations.PASSKEY_REGISTER;
import static dev.twofa.bus.Operations.PASSKEY_REGISTER_OPTIONS;
import static dev.twofa.bus.Operations.PASSKEY_REMOVE;
import static dev.twofa.bus.Operations.PASSKEY_RENAME;
import static dev.twofa.bus.Operations.STEP_UP_PASSKEY_OPTIONS;
import static dev.twofa.http.Requests.body;
import static dev.twofa.http.Requests.client;
import static dev.twofa.http.Requests.sessionToken;

/** Passkeys: WebAuthn options and responses carried to auth as JSON text; auth parses and verifies them. */
final class PasskeyResource {
  private final Requests requests;

  PasskeyResource(Requests requests) {
    this.requests = requests;
  }

  /** The body's {@code credential} (a PublicKeyCredential's toJSON()) as text, or null. */
  static String credential(RoutingContext ctx) {
    return json(body(ctx).getJsonObject("credential"));
  }

  static String json(JsonObject value) {
    return value == null ? null : value.encode();
  }

  void registrationOptions(RoutingContext ctx) {
    options(ctx, PASSKEY_REGISTER_OPTIONS);
  }

  void loginOptions(RoutingContext ctx) {
    options(ctx, LOGIN_PASSKEY_OPTIONS);
  }

  void signInOptions(RoutingContext ctx) {
    options(ctx, dev.twofa.bus.Operations.LOGIN_PASSKEY_SIGN_IN_OPTIONS);
  }

  void stepUpOptions(RoutingContext ctx) {
    options(ctx, STEP_UP_PASSKEY_OPTIONS);
  }

  private void options(RoutingContext ctx, Operation<Session, PasskeyOptions> operation) {
    requests.reply(ctx, requests.call(operation, new Session(sessionToken(ctx), client(ctx)))
      .map(options -> options.publicKey() == null ? new JsonObject()
        : new JsonObject().put("publicKey", new JsonObject(options.publicKey()))), 200);
  }

  void add(RoutingContext ctx) {
    requests.reply(ctx, requests.call(PASSKEY_REGISTER, new PasskeyRegistration(sessionToken(ctx), credential(ctx),
      body(ctx).getString("name"), client(ctx))), 201);
  }

  void list(RoutingContext ctx) {
    requests.reply(ctx, requests.call(PASSKEYS, new Session(sessionToken(ctx), client(ctx))), 200);
  }

  void rename(RoutingContext ctx) {
    JsonObject body = body(ctx);
    requests.reply(ctx, requests.call(PASSKEY_RENAME, new PasskeyRename(sessionToken(ctx), body.getString("id"),
      body.getString("name"), client(ctx))), 200);
  }

  void remove(RoutingContext ctx) {
    requests.reply(ctx, requests.call(PASSKEY_REMOVE, new PasskeyRemove(sessionToken(ctx), body(ctx).getString("id"),
      client(ctx))), 200);
  }
}
