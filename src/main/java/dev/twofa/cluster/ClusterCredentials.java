package dev.twofa.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PfxOptions;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * This node's TLS identity in the cluster, so mutual TLS needs no operator work. A member (holding the secret key
 * ring) derives the CA key from the cluster key and issues itself a fresh certificate as {@link ClusterRole#MEMBER};
 * an edge presents the {@link ClusterRole#EDGE} certificate {@code derive-keys} issued for it and never holds the CA
 * key. Both trust only that CA. Besides its TLS key each node has an identity key of this process, which names it
 * in the cluster ({@link NodeIdentity}); a member's is its certificate's key. Everything stays in memory.
 */
public final class ClusterCredentials {
  private static final String TWOFA = "TWOFA_";
  private static final Duration NODE_VALIDITY = Duration.ofDays(3650);
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);

  private final ClusterRole role;
  private final X509Certificate caCertificate;
  private final X509Certificate nodeCertificate;
  private final KeyPair identity;
  private final KeyStore keyStore;
  private final KeyStore trustStore;
  /** Random per process: PKCS#12 wants a password, but these stores never leave memory. */
  private final char[] storePassword;

  private ClusterCredentials(ClusterRole role, X509Certificate ca, X509Certificate node, KeyPair tlsKeys, KeyPair identity)
      throws GeneralSecurityException {
    this.role = role;
    this.caCertificate = ca;
    this.nodeCertificate = node;
    this.identity = identity;
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    this.storePassword = Base64.getEncoder().encodeToString(random).toCharArray();
    this.keyStore = emptyStore();
    keyStore.setKeyEntry("node", tlsKeys.getPrivate(), storePassword, new Certificate[] {node, ca});
    this.trustStore = emptyStore();
    trustStore.setCertificateEntry("cluster-ca", ca);
  }

  /**
   * A member's credentials: the CA that {@code clusterKey} determines, and a certificate for a new key of this
   * process, issued by that CA as {@link ClusterRole#MEMBER} and valid from {@code now}.
   */
  public static ClusterCredentials member(byte[] clusterKey, Instant now) {
    ClusterCa ca = ClusterCa.of(clusterKey);
    KeyPair keys = freshKeyPair();
    byte[] serial = new byte[16];
    new SecureRandom().nextBytes(serial);
    X509Certificate node = ca.issue(ClusterRole.MEMBER, keys.getPublic(), new BigInteger(1, serial),
      now.minus(CLOCK_SKEW), now.plus(NODE_VALIDITY));
    return build(ClusterRole.MEMBER, ca.certificate(), node, keys, keys);
  }

  /**
   * An edge's credentials from what {@code derive-keys} printed: its key's seed and its certificate chain (the edge
   * certificate, then the CA's). Refused unless the chain is an edge certificate from that CA for that key.
   */
  public static ClusterCredentials edge(byte[] edgeSeed, byte[] certificates) {
    String mismatch = TWOFA + "CLUSTER_EDGE_KEY and " + TWOFA + "CLUSTER_EDGE_CERTS do not belong together;"
      + " print both again with derive-keys";
    List<? extends Certificate> chain;
    try {
      chain = CertificateFactory.getInstance("X.509")
        .generateCertPath(new ByteArrayInputStream(certificates), "PkiPath").getCertificates();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(TWOFA + "CLUSTER_EDGE_CERTS is not a certificate chain; print it again with derive-keys");
    }
    KeyPair keys = ClusterCa.edgeKeyPair(edgeSeed);
    if (chain.size() != 2 || !(chain.get(0) instanceof X509Certificate edge) || !(chain.get(1) instanceof X509Certificate ca)
      || !ClusterRole.of(edge).equals(java.util.Optional.of(ClusterRole.EDGE)) || !edge.getPublicKey().equals(keys.getPublic())) {
      throw new IllegalArgumentException(mismatch);
    }
    try {
      ca.verify(ca.getPublicKey());
      edge.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(mismatch);
    }
    // The node's address is signed with a key of this process, so no other edge can speak for this node.
    return build(ClusterRole.EDGE, ca, edge, keys, freshKeyPair());
  }

  /** What {@code derive-keys} prints for an edge: its key's seed, which is not the cluster key and gives no CA key. */
  public static byte[] edgeSeed(byte[] clusterKey) {
    return ClusterCa.edgeSeed(clusterKey);
  }

  /** What {@code derive-keys} prints for an edge: its certificate and the CA's, as a PkiPath (RFC 5280 order). */
  public static byte[] edgeCertificates(byte[] clusterKey) {
    ClusterCa ca = ClusterCa.of(clusterKey);
    X509Certificate edge = ca.issue(ClusterRole.EDGE, ClusterCa.edgeKeyPair(ClusterCa.edgeSeed(clusterKey)).getPublic(),
      BigInteger.TWO, ClusterCa.NOT_BEFORE, ClusterCa.NOT_AFTER);
    try {
      CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(edge, ca.certificate()));
      return path.getEncoded("PkiPath");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode the edge's certificates", e);
    }
  }

  private static ClusterCredentials build(ClusterRole role, X509Certificate ca, X509Certificate node, KeyPair tlsKeys,
                                          KeyPair identity) {
    try {
      return new ClusterCredentials(role, ca, node, tlsKeys, identity);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the cluster's TLS credentials", e);
    }
  }

  private static KeyPair freshKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is part of every JDK", e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return store;
  }

  public X509Certificate caCertificate() {
    return caCertificate;
  }

  public X509Certificate nodeCertificate() {
    return nodeCertificate;
  }

  public ClusterRole role() {
    return role;
  }

  /** The key pair that names this node in the cluster and signs its address. */
  KeyPair identity() {
    return identity;
  }

  /** A TLS 1.3 context that presents this node's certificate and trusts only the cluster's CA. */
  public SSLContext sslContext() {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, storePassword);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore);
      SSLContext context = SSLContext.getInstance("TLSv1.3");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the cluster's TLS context", e);
    }
  }

  /** This node's key and certificate chain for Vert.x, as an in-memory PKCS#12 store. */
  public PfxOptions keyCertOptions() {
    return new PfxOptions().setValue(pkcs12(keyStore)).setPassword(new String(storePassword));
  }

  /** The cluster's CA as Vert.x's only trust anchor. */
  public PfxOptions trustOptions() {
    return new PfxOptions().setValue(pkcs12(trustStore)).setPassword(new String(storePassword));
  }

  /** The CA certificate's SHA-256, shortened: equal on nodes that share the secret key, safe to log. */
  public String caFingerprint() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(caCertificate.getEncoded()), 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private Buffer pkcs12(KeyStore store) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, storePassword);
      return Buffer.buffer(out.toByteArray());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot write an in-memory PKCS#12 store", e);
    }
  }

  /** Never print keys or passwords. */
  @Override
  public String toString() {
    return "ClusterCredentials[" + role.label() + ", ca=" + caFingerprint() + ", key hidden]";
  }
}
