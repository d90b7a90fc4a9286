package dev.twofa.http;

import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.twofa.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account › "Apps you've logged in to": each application the user logged in to with its last use, and "Remove
 * access", which ends the application's tokens and forgets the user's consent; both are in Activity.
 */
class OidcAppsTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty cryptact;
  private static RelyingParty partner;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void register() {
    cryptact = RelyingParty.register(server, "cryptact", false, true);
    partner = RelyingParty.register(server, "家計簿", false, false);
  }

  @Test
  void theAccountListsTheAppsLoggedInToAndRemoveAccessEndsTheirTokensAndConsent() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    assertEquals(new JsonArray(), apps(browser));

    OIDCTokens first = logIn(browser, cryptact);
    server.clock().advance(Duration.ofMinutes(1));
    OIDCTokens second = logIn(browser, partner);
    JsonArray listed = apps(browser);
    assertEquals(List.of("家計簿", "cryptact"), listed.stream().map(a -> ((JsonObject) a).getString("name")).toList(),
      "the most recently used first");
    JsonObject app = listed.getJsonObject(0);
    assertEquals(partner.clientId.getValue(), app.getString("clientId"));
    assertEquals(server.clock().instant().toString(), app.getString("lastUsedAt"));

    ApiClient.Response removed = browser.post("/api/account/apps/remove", new JsonObject().put("clientId", partner.clientId.getValue()));
    assertEquals(200, removed.status(), removed.toString());
    assertEquals(List.of("cryptact"), removed.json().getJsonArray("apps").stream()
      .map(a -> ((JsonObject) a).getString("name")).toList());

    // The application's access and refresh tokens end at once; the other application's stay.
    assertEquals(401, userInfo(partner, second).getStatusCode());
    HTTPResponse refresh = partner.refresh(second.getRefreshToken());
    assertEquals("invalid_grant", TokenErrorResponse.parse(refresh).getErrorObject().getCode(), refresh.getBody());
    assertEquals(200, userInfo(cryptact, first).getStatusCode());
    // The consent is forgotten: the next login to it asks again.
    ApiClient.Response again = browser.get(partner.authorizePath(Attempt.fresh()));
    assertTrue(again.header("Location").startsWith("/consent?"), again.toString());

    eventually(() -> browser.get("/api/account/activity").json().getJsonArray("events"),
      events -> has(events, "oidc.login", "cryptact") && has(events, "oidc.login", "家計簿")
        && has(events, "oidc.access_removed", "家計簿"),
      "Activity: Logged in to cryptact, to 家計簿, and Access removed for 家計簿");
  }

  /** Two "Remove access" at once (two tabs): one removes it, the other finds nothing, and Activity says it once. */
  @Test
  void concurrentRemovalsHaveOneWinner() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    logIn(browser, cryptact);
    JsonObject body = new JsonObject().put("clientId", cryptact.clientId.getValue());
    List<CompletableFuture<ApiClient.Response>> both = List.of(browser.postAsync("/api/account/apps/remove", body),
      browser.postAsync("/api/account/apps/remove", body));
    List<Integer> statuses = both.stream().map(CompletableFuture::join).map(ApiClient.Response::status).sorted().toList();
    assertEquals(List.of(200, 404), statuses);
    JsonArray events = eventually(() -> browser.get("/api/account/activity").json().getJsonArray("events"),
      e -> has(e, "oidc.access_removed", "cryptact"), "Access removed");
    assertEquals(1, events.stream().map(JsonObject.class::cast).filter(e -> e.getString("type").equals("oidc.access_removed")).count());
  }

  /**
   * Remove access while the application refreshes its tokens: whichever commits first, no token of the application
   * works afterwards (the refresh's new tokens are not left behind by a removal that began before they were written).
   */
  @Test
  void aRefreshDuringRemoveAccessLeavesNoLiveToken() throws Exception {
    for (int round = 0; round < 6; round++) {
      ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
      OIDCTokens tokens = logIn(browser, cryptact);
      CompletableFuture<HTTPResponse> refreshed = CompletableFuture.supplyAsync(() -> cryptact.refresh(tokens.getRefreshToken()));
      CompletableFuture<ApiClient.Response> removed = browser.postAsync("/api/account/apps/remove",
        new JsonObject().put("clientId", cryptact.clientId.getValue()));
      assertEquals(200, removed.join().status());
      HTTPResponse refresh = refreshed.join();
      if (refresh.getStatusCode() == 200) {
        OIDCTokens renewed = ((OIDCTokenResponse) RelyingParty.parse(refresh)).getOIDCTokens();
        assertEquals(401, userInfo(cryptact, renewed).getStatusCode(), "round " + round + ": the refreshed access token");
        assertEquals(400, cryptact.refresh(renewed.getRefreshToken()).getStatusCode(), "round " + round + ": the new refresh token");
      }
      assertEquals(401, userInfo(cryptact, tokens).getStatusCode(), "round " + round);
    }
  }

  @Test
  void badInputIsA4xxWithAJsonError() {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    assertEquals(401, server.newClient().get("/api/account/apps").status());
    assertEquals(401, server.newClient().post("/api/account/apps/remove", new JsonObject().put("clientId", "x")).status());
    ApiClient.Response missing = browser.post("/api/account/apps/remove", new JsonObject());
    assertEquals(400, missing.status(), missing.toString());
    assertEquals(400, browser.post("/api/account/apps/remove", new JsonObject().put("clientId", "x".repeat(65))).status());
    assertEquals(400, browser.post("/api/account/apps/remove", new JsonObject().put("clientId", 7)).status());
    // An application this user never logged in to, or none at all: not found, and nothing happens.
    ApiClient.Response notTheirs = browser.post("/api/account/apps/remove", new JsonObject().put("clientId", cryptact.clientId.getValue()));
    assertEquals(404, notTheirs.status(), notTheirs.toString());
    assertEquals("not_found", notTheirs.error());
    assertEquals("not_found", browser.post("/api/account/apps/remove", new JsonObject().put("clientId", "nobody")).error());
  }

  private static boolean has(JsonArray events, String type, String client) {
    return events.stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("type").equals(type)
      && e.getJsonObject("details") != null && client.equals(e.getJsonObject("details").getString("client")));
  }

  private static JsonArray apps(ApiClient browser) {
    ApiClient.Response response = browser.get("/api/account/apps");
    assertEquals(200, response.status(), response.toString());
    return response.json().getJsonArray("apps");
  }

  /** A login to {@code app} in this browser (with consent when it is not first-party), its tokens exchanged. */
  private static OIDCTokens logIn(ApiClient browser, RelyingParty app) throws Exception {
    Attempt attempt = Attempt.fresh();
    ApiClient.Response redirect = browser.get(app.authorizePath(attempt));
    String location = redirect.header("Location");
    if (location.startsWith("/consent?")) {
      String id = location.substring(location.indexOf('=') + 1);
      location = browser.post("/api/authorizations/" + id + "/consent", new JsonObject().put("allow", true)).json().getString("location");
    }
    AuthorizationResponse response = AuthorizationResponse.parse(URI.create(location));
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
  }

  private static HTTPResponse userInfo(RelyingParty app, OIDCTokens tokens) throws Exception {
    return new UserInfoRequest(app.provider.getUserInfoEndpointURI(), (BearerAccessToken) tokens.getAccessToken())
      .toHTTPRequest().send();
  }
}
