package dev.twofa.cluster;

import io.vertx.core.spi.cluster.NodeInfo;
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
    ClusterCredentials a = ClusterCredentials.member(key, NOW);
    ClusterCredentials b = ClusterCredentials.member(key, NOW);
    assertArrayEquals(a.caCertificate().getEncoded(), b.caCertificate().getEncoded(), "the same CA, byte for byte");
    assertEquals(a.caFingerprint(), b.caFingerprint());
    assertNotEquals(a.nodeCertificate().getPublicKey(), b.nodeCertificate().getPublicKey(), "a fresh key per node");

    a.caCertificate().verify(a.caCertificate().getPublicKey());
    b.nodeCertificate().verify(a.caCertificate().getPublicKey());
    b.nodeCertificate().checkValidity(Date.from(NOW));
    assertEquals(-1, b.nodeCertificate().getBasicConstraints(), "a leaf cannot issue certificates");
    assertEquals(0, a.caCertificate().getBasicConstraints());

    ClusterCredentials other = ClusterCredentials.member(otherKey, NOW);
    assertNotEquals(a.caCertificate().getPublicKey(), other.caCertificate().getPublicKey());
    assertNotEquals(a.caFingerprint(), other.caFingerprint());
    assertThrows(java.security.SignatureException.class, () -> other.nodeCertificate().verify(a.caCertificate().getPublicKey()));
  }

  @Test
  void theCaDependsOnlyOnTheKeyNotOnTheTime() throws Exception {
    assertArrayEquals(ClusterCredentials.member(key, NOW).caCertificate().getEncoded(),
      ClusterCredentials.member(key, NOW.plus(Duration.ofDays(400))).caCertificate().getEncoded());
  }

  @Test
  void nodesWithTheSameKeyCompleteAMutualHandshake() throws Exception {
    SSLContext server = ClusterCredentials.member(key, Instant.now()).sslContext();
    SSLContext client = ClusterCredentials.member(key, Instant.now()).sslContext();
    assertTrue(exchange(server, JGroupsStack.socketFactory(client)), "same key: the byte goes through and comes back");
  }

  @Test
  void aNodeWithAnotherKeyIsRefusedBothAsClientAndAsServer() throws Exception {
    SSLContext real = ClusterCredentials.member(key, Instant.now()).sslContext();
    SSLContext rogue = ClusterCredentials.member(otherKey, Instant.now()).sslContext();
    assertFalse(exchange(real, JGroupsStack.socketFactory(rogue)), "the real node refuses the rogue's certificate");
    assertFalse(exchange(rogue, JGroupsStack.socketFactory(real)), "the real node does not talk to a rogue server");
  }

  @Test
  void aClientWithoutACertificateIsRefused() throws Exception {
    SSLContext real = ClusterCredentials.member(key, Instant.now()).sslContext();
    // Trusts the real CA, so only the missing client certificate can fail the handshake.
    SSLContext noCertificate = SSLContext.getInstance("TLSv1.3");
    ClusterCredentials same = ClusterCredentials.member(key, Instant.now());
    javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", same.caCertificate());
    trust.init(store);
    noCertificate.init(null, trust.getTrustManagers(), new SecureRandom());
    assertFalse(exchange(real, JGroupsStack.socketFactory(noCertificate)));
  }

  @Test
  void anEdgeHoldsACertificateTheCaIssuedAsEdgeAndNoKeyThatIssuesOne() throws Exception {
    ClusterCredentials member = ClusterCredentials.member(key, NOW);
    byte[] seed = ClusterCredentials.edgeSeed(key);
    ClusterCredentials edge = ClusterCredentials.edge(seed, ClusterCredentials.edgeCertificates(key));
    assertEquals(ClusterRole.EDGE, edge.role());
    assertEquals(ClusterRole.MEMBER, member.role());
    assertArrayEquals(member.caCertificate().getEncoded(), edge.caCertificate().getEncoded());
    edge.nodeCertificate().verify(member.caCertificate().getPublicKey());
    assertEquals(-1, edge.nodeCertificate().getBasicConstraints(), "an edge's certificate issues nothing");
    assertFalse(java.util.Arrays.equals(seed, key));
    // The seed as a cluster key gives another CA: an edge cannot make itself a member.
    assertNotEquals(member.caFingerprint(), ClusterCredentials.member(seed, NOW).caFingerprint());
    assertTrue(exchange(member.sslContext(), JGroupsStack.socketFactory(edge.sslContext())), "an edge reaches a member");
    assertTrue(exchange(edge.sslContext(), JGroupsStack.socketFactory(member.sslContext())), "a member reaches an edge");

    assertThrows(IllegalArgumentException.class, () -> ClusterCredentials.edge(randomKey(), ClusterCredentials.edgeCertificates(key)),
      "another seed than the certificate's");
    assertThrows(IllegalArgumentException.class, () -> ClusterCredentials.edge(seed, new byte[] {1, 2, 3}));
  }

  @Test
  void aNodesAddressVerifiesOnlyUnderItsOwnIdAndOnlyAMembersSaysMember() {
    NodeIdentity member = new NodeIdentity(ClusterCredentials.member(key, NOW));
    NodeIdentity edge = new NodeIdentity(ClusterCredentials.edge(ClusterCredentials.edgeSeed(key), ClusterCredentials.edgeCertificates(key)));
    NodeIdentity otherEdge = new NodeIdentity(ClusterCredentials.edge(ClusterCredentials.edgeSeed(key), ClusterCredentials.edgeCertificates(key)));
    NodeInfo memberInfo = member.signed(new NodeInfo("127.0.0.1", 7000, null));
    NodeInfo edgeInfo = edge.signed(new NodeInfo("127.0.0.1", 7001, null));
    assertEquals(java.util.Optional.of(ClusterRole.MEMBER), edge.verify(member.nodeId(), memberInfo));
    assertEquals(java.util.Optional.of(ClusterRole.EDGE), member.verify(edge.nodeId(), edgeInfo));
    assertNotEquals(edge.nodeId(), otherEdge.nodeId(), "edges share a certificate but not an identity");

    // An edge cannot claim a member's id, nor move it to its own port, nor copy its certificate onto its own key.
    NodeInfo moved = new NodeInfo("127.0.0.1", 7001, memberInfo.metadata());
    assertTrue(member.verify(member.nodeId(), moved).isEmpty());
    assertTrue(member.verify(member.nodeId(), edgeInfo).isEmpty());
    NodeInfo borrowed = new NodeInfo("127.0.0.1", 7001, edgeInfo.metadata().copy().put("twofa.cert", memberInfo.metadata().getString("twofa.cert")));
    assertTrue(member.verify(edge.nodeId(), borrowed).isEmpty());
    assertTrue(member.verify(member.nodeId(), new NodeInfo("127.0.0.1", 7000, null)).isEmpty(), "unsigned");
    // A member of another key ring is not a member here.
    NodeIdentity foreign = new NodeIdentity(ClusterCredentials.member(otherKey, NOW));
    assertTrue(member.verify(foreign.nodeId(), foreign.signed(new NodeInfo("127.0.0.1", 7002, null))).isEmpty());
  }

  @Test
  void onlyAuthAndAuditAddressesNeedAMember() throws Exception {
    for (java.lang.reflect.Field field : dev.twofa.bus.Operations.class.getFields()) {
      if (field.get(null) instanceof dev.twofa.bus.Operation<?, ?> operation) {
        assertTrue(MemberRegistrations.memberOnly(operation.address()), operation.address());
      }
    }
    assertFalse(MemberRegistrations.memberOnly("__vertx.reply.1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
  }

  @Test
  void printsNoKey() {
    String text = ClusterCredentials.member(key, NOW).toString();
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
