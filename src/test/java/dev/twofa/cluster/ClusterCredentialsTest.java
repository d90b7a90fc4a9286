package dev.twofa.cluster;

import org.jgroups.util.SocketFactory;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credentials, and the JGroups socket factory built on them, over real TLS sockets on loopback: nodes that
 * share the secret key complete a mutual handshake; a node with another key, or with no certificate, does not.
 */
class ClusterCredentialsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final byte[] key = randomKey();
  private final byte[] otherKey = randomKey();

  @Test
  void nodesWithTheSameKeyBuildTheSameCaAndEachIssueTheirOwnCertificate() throws Exception {
    ClusterCredentials a = ClusterCredentials.derive(key, NOW);
    ClusterCredentials b = ClusterCredentials.derive(key, NOW);
    assertArrayEquals(a.caCertificate().getEncoded(), b.caCertificate().getEncoded(), "the same CA, byte for byte");
    assertEquals(a.caFingerprint(), b.caFingerprint());
    assertNotEquals(a.nodeCertificate().getPublicKey(), b.nodeCertificate().getPublicKey(), "a fresh key per node");

    a.caCertificate().verify(a.caCertificate().getPublicKey());
    b.nodeCertificate().verify(a.caCertificate().getPublicKey());
    b.nodeCertificate().checkValidity(Date.from(NOW));
    assertEquals(-1, b.nodeCertificate().getBasicConstraints(), "a leaf cannot issue certificates");
    assertEquals(0, a.caCertificate().getBasicConstraints());

    ClusterCredentials other = ClusterCredentials.derive(otherKey, NOW);
    assertNotEquals(a.caCertificate().getPublicKey(), other.caCertificate().getPublicKey());
    assertNotEquals(a.caFingerprint(), other.caFingerprint());
    assertThrows(java.security.SignatureException.class, () -> other.nodeCertificate().verify(a.caCertificate().getPublicKey()));
  }

  @Test
  void theCaDependsOnlyOnTheKeyNotOnTheTime() throws Exception {
    assertArrayEquals(ClusterCredentials.derive(key, NOW).caCertificate().getEncoded(),
      ClusterCredentials.derive(key, NOW.plus(Duration.ofDays(400))).caCertificate().getEncoded());
  }

  @Test
  void nodesWithTheSameKeyCompleteAMutualHandshake() throws Exception {
    SSLContext server = ClusterCredentials.derive(key, Instant.now()).sslContext();
    SSLContext client = ClusterCredentials.derive(key, Instant.now()).sslContext();
    assertTrue(exchange(server, JGroupsStack.socketFactory(client)), "same key: the byte goes through and comes back");
  }

  @Test
  void aNodeWithAnotherKeyIsRefusedBothAsClientAndAsServer() throws Exception {
    SSLContext real = ClusterCredentials.derive(key, Instant.now()).sslContext();
    SSLContext rogue = ClusterCredentials.derive(otherKey, Instant.now()).sslContext();
    assertFalse(exchange(real, JGroupsStack.socketFactory(rogue)), "the real node refuses the rogue's certificate");
    assertFalse(exchange(rogue, JGroupsStack.socketFactory(real)), "the real node does not talk to a rogue server");
  }

  @Test
  void aClientWithoutACertificateIsRefused() throws Exception {
    SSLContext real = ClusterCredentials.derive(key, Instant.now()).sslContext();
    // Trusts the real CA, so only the missing client certificate can fail the handshake.
    SSLContext noCertificate = SSLContext.getInstance("TLSv1.3");
    ClusterCredentials same = ClusterCredentials.derive(key, Instant.now());
    javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", same.caCertificate());
    trust.init(store);
    noCertificate.init(null, trust.getTrustManagers(), new SecureRandom());
    assertFalse(exchange(real, JGroupsStack.socketFactory(noCertificate)));
  }

  @Test
  void printsNoKey() {
    String text = ClusterCredentials.derive(key, NOW).toString();
    assertTrue(text.contains("hidden"));
    assertFalse(text.contains(java.util.Base64.getEncoder().encodeToString(key)));
  }

  @Test
  void refusesToBindToAllInterfaces() {
    assertThrows(IllegalArgumentException.class, () -> JGroupsStack.bindAddress("0.0.0.0"));
    assertDoesNotThrow(() -> JGroupsStack.bindAddress("127.0.0.1"));
  }

  /**
   * One byte from client to server and back, through the server socket JGroups would listen with; true only if
   * both sides saw it.
   */
  private static boolean exchange(SSLContext server, SocketFactory clientFactory) throws Exception {
    try (ServerSocket listener = JGroupsStack.socketFactory(server).createServerSocket("test", 0, 5, LOOPBACK)) {
      CompletableFuture<Boolean> served = CompletableFuture.supplyAsync(() -> {
        try (Socket accepted = listener.accept()) {
          accepted.setSoTimeout(5000);
          int read = accepted.getInputStream().read();
          accepted.getOutputStream().write(read);
          accepted.getOutputStream().flush();
          return read == 42;
        } catch (Exception e) {
          return false;
        }
      });
      boolean echoed;
      try (Socket socket = clientFactory.createSocket("test", LOOPBACK, listener.getLocalPort())) {
        socket.setSoTimeout(5000);
        ((SSLSocket) socket).startHandshake();
        socket.getOutputStream().write(42);
        socket.getOutputStream().flush();
        echoed = socket.getInputStream().read() == 42;
      } catch (Exception e) {
        echoed = false;
      }
      return served.get(10, TimeUnit.SECONDS) && echoed;
    }
  }

  private static byte[] randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
