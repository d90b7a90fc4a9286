package dev.twofa.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_TRUSTED_PROXIES, TWOFA_IPV6_PREFIX and TWOFA_PUBLIC_URL: defaults, parsing, and refusals that name the variable. */
class TransportConfigTest {

  private static TwofaConfig config(Map<String, String> env) {
    return TwofaConfig.from(env);
  }

  private static String refusal(Map<String, String> env) {
    return assertThrows(IllegalArgumentException.class, () -> config(env)).getMessage();
  }

  @Test
  void defaultsTrustNoProxyAndServePlainLocalhost() {
    TwofaConfig config = config(Map.of());
    assertTrue(config.trustedProxies().isEmpty());
    assertEquals("http://localhost:8080", config.publicUrl().toString());
    assertFalse(config.publicUrl().https());
    assertEquals("XSRF-TOKEN", config.publicUrl().cookieName("XSRF-TOKEN"));
  }

  @Test
  void trustedProxiesMatchTheirRangesOnly() throws Exception {
    TrustedProxies proxies = config(Map.of("TWOFA_TRUSTED_PROXIES", " 10.0.0.0/8 ,127.0.0.1/32,::1/128,2001:db8::/32,"))
      .trustedProxies();
    assertTrue(proxies.contains(InetAddress.getByName("10.255.0.1")));
    assertTrue(proxies.contains(InetAddress.getByName("127.0.0.1")));
    assertFalse(proxies.contains(InetAddress.getByName("127.0.0.2")));
    assertFalse(proxies.contains(InetAddress.getByName("11.0.0.1")));
    assertTrue(proxies.contains(InetAddress.getByName("::1")));
    assertTrue(proxies.contains(InetAddress.getByName("2001:db8:ffff::1")));
    assertFalse(proxies.contains(InetAddress.getByName("2001:db9::1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "proxy.internal/32", "localhost/8",
    "::1/129", "10.0.0.0/8;127.0.0.1/32", "10.0.0.0/8 127.0.0.1/32", "*"})
  void anInvalidRangeStopsTheServerNamingTheVariable(String value) {
    String message = refusal(Map.of("TWOFA_TRUSTED_PROXIES", value));
    assertTrue(message.startsWith("TWOFA_TRUSTED_PROXIES must be"), message);
  }

  @Test
  void theIpv6PrefixOfPerAddressLimitsIsSixtyFourByDefaultAndFrom32To128() {
    assertEquals(64, config(Map.of()).ipv6Prefix());
    assertEquals(48, config(Map.of("TWOFA_IPV6_PREFIX", "48")).ipv6Prefix());
    assertEquals(128, config(Map.of("TWOFA_IPV6_PREFIX", "128")).ipv6Prefix());
    for (String bad : new String[] {"31", "129", "0", "/64", "sixty-four"}) {
      assertEquals("TWOFA_IPV6_PREFIX must be a whole number from 32 to 128", refusal(Map.of("TWOFA_IPV6_PREFIX", bad)));
    }
  }

  @Test
  void theRetiredVariablesAreRefusedNamingTheirReplacement() {
    assertTrue(refusal(Map.of("TWOFA_TRUST_FORWARDED_HEADERS", "true")).contains("TWOFA_TRUSTED_PROXIES"));
    assertTrue(refusal(Map.of("TWOFA_COOKIE_SECURE", "true")).contains("TWOFA_PUBLIC_URL"));
  }

  @Test
  void anHttpsPublicUrlPrefixesCookieNames() {
    PublicUrl url = config(Map.of("TWOFA_PUBLIC_URL", "https://login.example.com/")).publicUrl();
    assertTrue(url.https());
    assertEquals("__Host-XSRF-TOKEN", url.cookieName("XSRF-TOKEN"));
    assertEquals("__Host-twofa.session", url.cookieName("twofa.session"));
    assertTrue(PublicUrl.parse("X", "HTTPS://login.example.com:8443").https());
  }

  @ParameterizedTest
  @ValueSource(strings = {"login.example.com", "//login.example.com", "ftp://login.example.com", "https://",
    "https://login.example.com/app", "https://login.example.com/?x=1", "https://login.example.com/#top",
    "https://user:pw@login.example.com", "https://login example.com", "javascript:alert(1)"})
  void anInvalidPublicUrlStopsTheServerNamingTheVariable(String value) {
    String message = refusal(Map.of("TWOFA_PUBLIC_URL", value));
    assertTrue(message.startsWith("TWOFA_PUBLIC_URL must be"), message);
  }

  @Test
  void plaintextIsFlaggedOnlyWhenListeningBeyondLoopback() {
    PublicUrl http = PublicUrl.parse("X", "http://localhost:8080");
    assertTrue(http.plaintextBeyondLoopback("0.0.0.0"));
    assertTrue(http.plaintextBeyondLoopback("::"));
    assertTrue(http.plaintextBeyondLoopback("192.168.1.10"));
    assertTrue(http.plaintextBeyondLoopback("twofa1"));
    assertFalse(http.plaintextBeyondLoopback("127.0.0.1"));
    assertFalse(http.plaintextBeyondLoopback("::1"));
    assertFalse(http.plaintextBeyondLoopback("localhost"));
    assertFalse(PublicUrl.parse("X", "https://login.example.com").plaintextBeyondLoopback("0.0.0.0"));
  }
}
