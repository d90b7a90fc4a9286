package dev.twofa.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What `clients add` accepts: https redirect URIs, or http on loopback only; a name; a sane client id. */
class OidcClientsTest {
  @Test
  void readsTheOptions() {
    OidcClients.Registration registration = OidcClients.parse(List.of("--name", "cryptact", "--redirect-uri",
      "https://cryptact.example/callback", "--redirect-uri", "http://127.0.0.1:8081/cb", "--first-party", "--public",
      "--client-id", "cryptact"));
    assertEquals("cryptact", registration.name());
    assertEquals(List.of("https://cryptact.example/callback", "http://127.0.0.1:8081/cb"), registration.redirectUris());
    assertTrue(registration.isPublic() && registration.firstParty());
    assertEquals("cryptact", registration.clientId());
  }

  @Test
  void readsWhereUsersGoAfterLoggingOutAndWhereLogoutTokensGo() {
    OidcClients.Registration registration = OidcClients.parse(List.of("--name", "cryptact", "--redirect-uri",
      "https://cryptact.example/callback", "--post-logout-redirect-uri", "https://cryptact.example/",
      "--post-logout-redirect-uri", "http://127.0.0.1:8081/", "--backchannel-logout-uri", "https://cryptact.example/bcl"));
    assertEquals(List.of("https://cryptact.example/", "http://127.0.0.1:8081/"), registration.postLogoutRedirectUris());
    assertEquals("https://cryptact.example/bcl", registration.backchannelLogoutUri());
    assertEquals(List.of(), OidcClients.parse(List.of("--name", "x", "--redirect-uri", "https://a.example/cb"))
      .postLogoutRedirectUris());
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name", "x", "--redirect-uri",
      "https://a.example/cb", "--backchannel-logout-uri", "http://a.example/bcl")));
    assertEquals("RS256", registration.idTokenAlg());
    assertEquals("ES256", OidcClients.parse(List.of("--name", "x", "--redirect-uri", "https://a.example/cb",
      "--id-token-signed-response-alg", "ES256")).idTokenAlg());
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name", "x", "--redirect-uri",
      "https://a.example/cb", "--id-token-signed-response-alg", "none")));
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name", "x", "--redirect-uri",
      "https://a.example/cb", "--post-logout-redirect-uri", "https://a.example/#x")));
  }

  @Test
  void redirectUrisAreHttpsOrLoopbackHttpWithoutAFragment() {
    for (String good : List.of("https://a.example/cb", "http://localhost:3000/cb", "http://[::1]:8080/cb", "http://127.0.0.2/cb")) {
      assertEquals(good, OidcClients.redirectUri(good));
    }
    for (String bad : List.of("http://a.example/cb", "http://10.0.0.1/cb", "https://a.example/cb#x", "/cb", "cryptact://cb",
        "https://user@a.example/cb", "http://127.0.0.1.evil.example/cb", "javascript:alert(1)")) {
      assertThrows(IllegalArgumentException.class, () -> OidcClients.redirectUri(bad), bad);
    }
  }

  @Test
  void refusesWhatIsMissingOrMalformed() {
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--redirect-uri", "https://a.example/cb")));
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name", "x")));
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name", "x", "--redirect-uri",
      "https://a.example/cb", "--client-id", "has space")));
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name")));
    assertThrows(IllegalArgumentException.class, () -> OidcClients.parse(List.of("--name", "x", "--bogus")));
  }
}
