package dev.twofa.http;

import dev.twofa.config.TrustedProxies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rules that pick the client's address from the socket's peer and X-Forwarded-For. */
class ClientAddressTest {
  private static final TrustedProxies PROXIES = TrustedProxies.parse("TWOFA_TRUSTED_PROXIES",
    "10.0.0.0/8, 127.0.0.1/32, fd00::/8");

  private static String resolve(String peer, String... forwardedFor) {
    return ClientAddress.resolve(peer, List.of(forwardedFor), PROXIES);
  }

  @Test
  void withNoTrustedProxyTheHeaderIsIgnored() {
    assertEquals("10.1.2.3", ClientAddress.resolve("10.1.2.3", List.of("1.2.3.4"), TrustedProxies.none()));
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItSends() {
    assertEquals("203.0.113.7", resolve("203.0.113.7", "1.2.3.4"));
    assertEquals("203.0.113.7", resolve("203.0.113.7", "10.0.0.5"));
  }

  @Test
  void spoofedLeftmostEntriesAreIgnored() {
    // What an appending proxy forwards when the client sent "X-Forwarded-For: 1.2.3.4, 5.6.7.8".
    assertEquals("203.0.113.7", resolve("10.0.0.2", "1.2.3.4, 5.6.7.8, 203.0.113.7"));
    assertEquals("203.0.113.7", resolve("10.0.0.2", "1.2.3.4", "203.0.113.7"));
  }

  @Test
  void aChainOfTrustedProxiesIsWalkedToTheFirstUntrustedHop() {
    // client -> 10.0.0.9 -> 10.0.0.3 -> this server (peer 10.0.0.2)
    assertEquals("198.51.100.4", resolve("10.0.0.2", "6.6.6.6, 198.51.100.4, 10.0.0.9, 10.0.0.3"));
    // The same chain when each proxy sent its own header line.
    assertEquals("198.51.100.4", resolve("10.0.0.2", "6.6.6.6, 198.51.100.4", "10.0.0.9", "10.0.0.3"));
  }

  @Test
  void whenEveryEntryIsTrustedTheLeftmostIsTheClient() {
    assertEquals("10.0.0.9", resolve("10.0.0.2", "10.0.0.9, 10.0.0.3"));
    assertEquals("127.0.0.1", resolve("127.0.0.1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"unknown", "evil.example.com", "localhost", "", " ", "1.2.3.4:80", "[2001:db8::1]:443",
    "999.1.1.1", "1.2.3", "0x7f.0.0.1", "_hidden", "<script>", "fe80::1%eth0xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "1.2.3.4 5.6.7.8", "\u0661.\u0662.\u0663.\u0664"})
  void aMalformedEntryEndsTheWalkAtTheLastTrustedHop(String malformed) {
    // A trusted proxy writes IP literals, so a malformed entry came from the client: nothing left of it counts.
    assertEquals("10.0.0.2", resolve("10.0.0.2", "1.2.3.4, " + malformed));
    assertEquals("10.0.0.9", resolve("10.0.0.2", "1.2.3.4, " + malformed + ", 10.0.0.9"));
    // Right of the first untrusted address it is never reached.
    assertEquals("203.0.113.7", resolve("10.0.0.2", malformed + ", 203.0.113.7"));
  }

  @Test
  void overlongAndEmptyHeadersAreHarmless() {
    assertEquals("10.0.0.2", resolve("10.0.0.2", "1".repeat(10_000)));
    assertEquals("10.0.0.2", resolve("10.0.0.2", ",".repeat(1_000)));
    assertEquals("203.0.113.7", resolve("10.0.0.2", "1.2.3.4,".repeat(1_000) + "203.0.113.7"));
    assertEquals("10.0.0.2", resolve("10.0.0.2", ""));
  }

  @Test
  void ipv6AddressesAreMatchedAndWrittenCanonically() {
    assertEquals("2001:db8::1", resolve("fd00::5", "2001:DB8:0:0::1"));
    assertEquals("2001:db8::1", resolve("fd00::5", "1.2.3.4, [2001:db8::1], fd12::1"));
    assertEquals("2001:db8::7", resolve("2001:db8::7", "1.2.3.4"));
    // An IPv4 client seen through a dual-stack socket is the same client as over IPv4.
    assertEquals("203.0.113.7", resolve("::ffff:10.0.0.2", "::ffff:203.0.113.7"));
    assertEquals("203.0.113.7", resolve("::ffff:203.0.113.7", "1.2.3.4"));
  }

  @Test
  void aPeerThatIsNoIpAddressGivesAnEmptyAddress() {
    assertEquals("", ClientAddress.resolve(null, List.of("1.2.3.4"), PROXIES));
    assertEquals("", ClientAddress.resolve("/run/twofa.sock", List.of("1.2.3.4"), PROXIES));
  }
}
