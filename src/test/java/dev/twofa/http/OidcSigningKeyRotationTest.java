package dev.twofa.http;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import dev.twofa.cli.SigningKeyCommand;
import dev.twofa.config.KeyRing;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static dev.twofa.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signing-key rotation seen by an application written with Nimbus over HTTP: the new keys are published first,
 * sign only after the publish delay, and the old ones stay published until their last tokens have expired.
 */
class OidcSigningKeyRotationTest {
  private static final byte[] KEY = new byte[32];
  private static final Duration DELAY = Duration.ofHours(24);

  static {
    new java.security.SecureRandom().nextBytes(KEY);
  }

  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress().withOwnDatabase()
    .withSecretKeys(Base64.getEncoder().encodeToString(KEY));
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void newKeysArePublishedFirstSignAfterTheDelayAndOldOnesLeaveWhenTheirTokensHaveExpired() throws Exception {
    server.clock().advance(DELAY.multipliedBy(2));   // past any rotation another test started
    eventually(() -> kids().equals(publishedInTheDatabase()), "the server has read the keys again");
    RelyingParty app = RelyingParty.register(server, "rotating", false, true);
    Set<String> before = kids();
    String oldKid = signedBy(app);
    assertTrue(before.contains(oldKid));

    JsonObject rotation = SigningKeyCommand.rotate(server.databaseUrl(), KeyRing.of(KEY), DELAY, server.clock());
    Instant signsFrom = Instant.parse(rotation.getString("signs_from"));
    Set<String> fresh = Set.copyOf(rotation.getJsonArray("kids").getList());
    assertEquals(2, fresh.size(), "an RS256 and an ES256 key");

    // Every node reads the keys again within 30 s (the test moves its clock instead of waiting).
    server.clock().advance(Duration.ofSeconds(31));
    eventually(() -> kids().containsAll(fresh), "the new keys are published");
    assertTrue(kids().containsAll(before), "the old keys too");
    assertEquals(4, kids().size());
    assertEquals(oldKid, signedBy(app), "published, not signing yet");

    server.clock().advance(Duration.between(server.clock().instant(), signsFrom).minusMinutes(1));
    Attempt last = Attempt.fresh();
    String signedByOld = idToken(app, last);
    assertEquals(oldKid, kid(signedByOld), "a minute before the switch the old key still signs");

    server.clock().advance(Duration.ofMinutes(2));
    String newKid = signedBy(app);
    assertTrue(fresh.contains(newKid), "after the delay the new key signs");
    app.verify(signedByOld, last.nonce());   // a token the old key signed still verifies against the JWKS
    assertTrue(kids().containsAll(before));

    // Once every token the old key signed has expired (ID tokens 5 minutes, logout tokens 2, a minute of skew).
    server.clock().advance(Duration.ofMinutes(6));
    eventually(() -> kids().equals(fresh), "only the new keys are published");
    assertThrows(IllegalStateException.class, () -> app.verify(signedByOld, last.nonce()));
  }

  @Test
  void twoRotationsAtOnceMakeOneCurrentKeyPerAlgorithm() throws Exception {
    server.clock().advance(DELAY.multipliedBy(2));
    CountDownLatch go = new CountDownLatch(1);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<CompletableFuture<JsonObject>> rotations = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      rotations.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
          return SigningKeyCommand.rotate(server.databaseUrl(), KeyRing.of(KEY), DELAY, server.clock());
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, threads));
    }
    go.countDown();
    int succeeded = 0;
    for (CompletableFuture<JsonObject> rotation : rotations) {
      try {
        rotation.get();
        succeeded++;
      } catch (ExecutionException e) {
        assertInstanceOf(IllegalStateException.class, e.getCause(), e.toString());
        assertTrue(e.getCause().getMessage().contains("under way"), e.getCause().getMessage());
      }
    }
    threads.shutdown();
    assertEquals(1, succeeded, "one rotation, the other refused");
    assertEquals(List.of(1L, 1L), server.query("SELECT count(*) AS n FROM oidc_signing_keys WHERE published_until IS NULL"
      + " GROUP BY alg ORDER BY alg").stream().map(row -> row.getLong("n")).toList());
    // And the database itself allows one current key per algorithm.
    assertThrows(RuntimeException.class, () -> server.query("INSERT INTO oidc_signing_keys (kid, alg, sealed, public_jwk,"
      + " created_at, signs_from) VALUES ('x', 'RS256', 'x', '{}', now(), now())"));
  }

  @Test
  void rotateKeysSealsTheSigningKeysAgainUnderTheRingsCurrentKey() throws Exception {
    byte[] next = new byte[32];
    new java.security.SecureRandom().nextBytes(next);
    KeyRing ring = KeyRing.of(next, KEY);
    SigningKeyCommand.Resealed resealed = SigningKeyCommand.reseal(server.databaseUrl(), ring);
    assertTrue(resealed.moved() >= 2, resealed.toString());
    assertEquals(0, resealed.unreadable());
    assertEquals(0, SigningKeyCommand.reseal(server.databaseUrl(), ring).moved(), "running it again moves nothing");
    for (var row : server.query("SELECT sealed FROM oidc_signing_keys")) {
      String header = new String(Base64.getUrlDecoder().decode(row.getString("sealed").split("\\.")[0]));
      assertTrue(header.contains(ring.current().hexId()), header);
    }
    server.restartWith("TWOFA_SECRET_KEYS", Base64.getEncoder().encodeToString(next));
    RelyingParty app = RelyingParty.register(server, "after-reseal", false, true);
    assertTrue(kids().contains(signedBy(app)), "the server starts with only the new ring key and signs");
  }

  private static Set<String> publishedInTheDatabase() {
    return server.query("SELECT kid FROM oidc_signing_keys WHERE published_until IS NULL OR published_until > $1",
      server.clock().instant().atOffset(java.time.ZoneOffset.UTC)).stream().map(row -> row.getString("kid"))
      .collect(Collectors.toSet());
  }

  private Set<String> kids() {
    try {
      return JWKSet.load(URI.create(server.baseUrl() + "/.well-known/jwks.json").toURL()).getKeys().stream()
        .map(JWK::getKeyID).collect(Collectors.toSet());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key id of a fresh ID token (RS256) for a fresh login. */
  private String signedBy(RelyingParty app) throws Exception {
    Attempt attempt = Attempt.fresh();
    String idToken = idToken(app, attempt);
    app.verify(idToken, attempt.nonce());
    return kid(idToken);
  }

  private String idToken(RelyingParty app, Attempt attempt) {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    ApiClient.Response redirect = browser.get(app.authorizePath(attempt));
    assertEquals(302, redirect.status(), redirect.toString());
    var http = app.exchange(RelyingParty.callback(redirect).toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens().getIDTokenString();
  }

  private static String kid(String jwt) {
    try {
      return SignedJWT.parse(jwt).getHeader().getKeyID();
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }
}
