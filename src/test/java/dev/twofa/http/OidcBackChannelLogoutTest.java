package dev.twofa.http;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.cli.OidcClients;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0) as an application receives it: a real HTTP server on
 * loopback takes the POSTed logout_token, verifies its signature against the provider's JWKS with Nimbus and
 * checks its claims. Every way a session ends sends it; a receiver that fails is tried again; a logout queued
 * before the server restarts is delivered after.
 */
class OidcBackChannelLogoutTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress().with("TWOFA_PURGE_EVERY_SECONDS", "1");
  private static final Vertx receiverVertx = Vertx.vertx();
  private static final Queue<JWTClaimsSet> received = new ConcurrentLinkedQueue<>();
  /** What the receiver answers: 200, or a failure status to make deliveries fail. */
  private static final AtomicInteger answer = new AtomicInteger(200);
  private static int receiverPort;
  private static HttpServer receiver;
  private static RelyingParty app;
  private static RelyingParty silent;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerAndListen() throws IOException {
    receiverPort = TestServer.freePort();
    app = RelyingParty.register(server, new OidcClients.Registration("cryptact", List.of(RelyingParty.REDIRECT.toString()),
      false, true, null, List.of(), "http://127.0.0.1:" + receiverPort + "/backchannel-logout"));
    silent = RelyingParty.register(server, "no back channel", false, true);
    startReceiver();
  }

  @AfterAll
  static void stopReceiver() {
    await(receiverVertx.close());
  }

  @Test
  void discoverySaysBackChannelLogoutWithSessionsIsSupported() {
    assertTrue(app.provider.supportsBackChannelLogout());
    assertTrue(app.provider.supportsBackChannelLogoutSession());
  }

  @Test
  void aLogoutSendsASignedLogoutTokenNamingTheSessionAndTheUser() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    JWTClaimsSet idToken = app.verify(tokens(app, browser).getIDTokenString(), null);
    tokens(silent, browser);
    assertEquals(204, browser.post("/api/logout", null).status());

    JWTClaimsSet logout = logoutFor(idToken.getStringClaim("sid"));
    assertEquals(server.baseUrl(), logout.getIssuer());
    assertEquals(List.of(app.clientId.getValue()), logout.getAudience());
    assertEquals(idToken.getSubject(), logout.getSubject());
    assertNotNull(logout.getJWTID());
    assertNull(logout.getClaim("nonce"), "a logout token never carries a nonce");
    assertEquals(Map.of(), logout.getJSONObjectClaim("events").get(LogoutTokenClaimsSet.EVENT_TYPE));
    assertEquals(120, (logout.getExpirationTime().getTime() - logout.getIssueTime().getTime()) / 1000);
    LogoutTokenClaimsSet.parse(logout.toString());   // what Nimbus requires of a logout token
    // Only the application with a back-channel logout URI was told: nothing else waits for delivery.
    eventually(() -> server.query("SELECT count(*) AS n FROM oidc_logout_outbox").get(0).getLong("n") == 0,
      "the outbox is empty");
  }

  @Test
  void aPasswordChangeOrARevokeElsewhereTellsTheApplicationsOfEachSessionEnded() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient phone = accounts.signedUp(email);
    String phoneSid = app.verify(tokens(app, phone).getIDTokenString(), null).getStringClaim("sid");
    ApiClient tablet = server.newClient();
    assertEquals(200, tablet.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    String tabletSid = app.verify(tokens(app, tablet).getIDTokenString(), null).getStringClaim("sid");
    ApiClient laptop = server.newClient();
    assertEquals(200, laptop.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    String laptopSid = app.verify(tokens(app, laptop).getIDTokenString(), null).getStringClaim("sid");

    assertEquals(204, laptop.post("/api/account/sessions/revoke", new JsonObject().put("id", phoneSid)).status());
    logoutFor(phoneSid);
    ApiClient.Response changed = laptop.post("/api/account/password", new JsonObject()
      .put("currentPassword", TestAccounts.PASSWORD).put("newPassword", "another-long-password-" + System.nanoTime()));
    assertEquals(204, changed.status(), changed.toString());
    logoutFor(tabletSid);
    assertTrue(received.stream().noneMatch(claims -> laptopSid.equals(claims.getClaim("sid"))),
      "the session that changed the password goes on");
  }

  @Test
  void removeAccessOnAccountTellsThatApplicationAloneAndTheSessionGoesOn() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    String sid = app.verify(tokens(app, browser).getIDTokenString(), null).getStringClaim("sid");
    ApiClient.Response removed = browser.post("/api/account/apps/remove", new JsonObject().put("clientId", app.clientId.getValue()));
    assertEquals(200, removed.status(), removed.toString());

    assertEquals(app.clientId.getValue(), logoutFor(sid).getAudience().get(0));
    assertEquals("authenticated", browser.get("/api/session").json().getString("state"),
      "twofa's own session is not ended by removing an app");
  }

  @Test
  void anIdleSessionIsToldOnceItIsOver() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    String sid = app.verify(tokens(app, browser).getIDTokenString(), null).getStringClaim("sid");
    server.clock().advance(Duration.ofMinutes(31));
    logoutFor(sid);
  }

  @Test
  void aReceiverThatFailsIsTriedAgainLater() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    String sid = app.verify(tokens(app, browser).getIDTokenString(), null).getStringClaim("sid");
    answer.set(503);
    try {
      assertEquals(204, browser.post("/api/logout", null).status());
      eventually(() -> attempts(sid) >= 1, "a first attempt failed");
    } finally {
      answer.set(200);
    }
    server.clock().advance(Duration.ofSeconds(11));
    logoutFor(sid);
  }

  @Test
  void concurrentEndsOfOneSessionQueueOneLogoutToken() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient phone = accounts.signedUp(email);
    String sid = app.verify(tokens(app, phone).getIDTokenString(), null).getStringClaim("sid");
    ApiClient laptop = server.newClient();
    assertEquals(200, laptop.post("/api/login", TestAccounts.credentials(email, TestAccounts.PASSWORD)).status());
    answer.set(503);   // rows stay in the outbox, to be counted
    try {
      List<java.util.concurrent.CompletableFuture<ApiClient.Response>> racing = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        racing.add(phone.postAsync("/api/logout", new JsonObject()));
        racing.add(laptop.postAsync("/api/account/sessions/revoke", new JsonObject().put("id", sid)));
      }
      racing.forEach(java.util.concurrent.CompletableFuture::join);
      eventually(() -> attempts(sid) >= 1, "a first attempt failed");
      assertEquals(1L, server.query("SELECT count(*) AS n FROM oidc_logout_outbox WHERE session_handle = $1::uuid", sid)
        .get(0).getLong("n"), "one logout token for one session, however many ended it at once");
    } finally {
      answer.set(200);
    }
    server.clock().advance(Duration.ofSeconds(11));
    logoutFor(sid);
  }

  @Test
  void aLogoutQueuedBeforeARestartIsDeliveredAfterIt() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    String sid = app.verify(tokens(app, browser).getIDTokenString(), null).getStringClaim("sid");
    await(receiver.close());
    try {
      assertEquals(204, browser.post("/api/logout", null).status());
      eventually(() -> attempts(sid) >= 1, "a first attempt found nobody listening");
      server.restart();
    } finally {
      startReceiver();
    }
    server.clock().advance(Duration.ofSeconds(11));
    logoutFor(sid);
  }

  private static void startReceiver() {
    receiver = await(receiverVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (answer.get() != 200) {
        request.response().setStatusCode(answer.get()).end();
        return;
      }
      String token = URLUtils.parseParameters(body.toString()).get("logout_token").get(0);
      received.add(verified(token));
      request.response().setStatusCode(200).end();
    })).listen(receiverPort, "127.0.0.1"));
  }

  /** How many attempts were made at the logout of {@code sid} (0 once it was delivered and deleted). */
  private static long attempts(String sid) {
    return server.query("SELECT coalesce(max(attempts), 0) AS n FROM oidc_logout_outbox WHERE session_handle = $1::uuid", sid)
      .get(0).getLong("n");
  }

  /** Waits for the logout token of {@code sid} and answers its claims. */
  private static JWTClaimsSet logoutFor(String sid) throws InterruptedException {
    return eventually(() -> received.stream().filter(claims -> sid.equals(claims.getClaim("sid"))).findFirst(),
      Optional::isPresent, "a logout token for the session " + sid).orElseThrow();
  }

  /** The logout token's claims, once its signature (against the JWKS fetched over HTTP), type and times check out. */
  private static JWTClaimsSet verified(String token) {
    try {
      DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
      processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("logout+jwt")));
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
        new ImmutableJWKSet<>(JWKSet.load(app.provider.getJWKSetURI().toURL()))));
      processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(app.clientId.getValue(),
        new JWTClaimsSet.Builder().issuer(server.baseUrl()).build(), Set.of("sub", "sid", "iat", "exp", "jti", "events")) {
        @Override
        protected Date currentTime() {
          return Date.from(server.clock().instant());
        }
      });
      return processor.process(token, null);
    } catch (Exception e) {
      throw new IllegalStateException("a logout token that does not verify: " + token, e);
    }
  }

  private static OIDCTokens tokens(RelyingParty client, ApiClient browser) {
    Attempt attempt = Attempt.fresh();
    HTTPResponse http = client.exchange(RelyingParty.callback(browser.get(client.authorizePath(attempt)))
      .toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    OIDCTokens tokens = ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
    assertFalse(tokens.getIDTokenString().isEmpty());
    return tokens;
  }
}
