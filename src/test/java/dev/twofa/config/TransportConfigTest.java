package dev.twofa.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_TRUSTED_PROXIES: default, parsing, and refusals that name the variable. */
class TransportConfigTest {

  private static TwofaConfig config(Map<String, String> env) {
    return TwofaConfig.from(env);
  }

  private static String refusal(Map<String, String> env) {
    return assertThrows(IllegalArgumentException.class, () -> config(env)).getMessage();
  }

  @Test
  void defaultsTrustNoProxy() {
    assertTrue(config(Map.of()).trustedProxies().isEmpty());
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
  void theRetiredVariableIsRefusedNamingItsReplacement() {
    assertTrue(refusal(Map.of("TWOFA_TRUST_FORWARDED_HEADERS", "true")).contains("TWOFA_TRUSTED_PROXIES"));
  }
}
