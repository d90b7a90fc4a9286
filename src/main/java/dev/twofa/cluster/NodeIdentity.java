package dev.twofa.cluster;

import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How a node names itself and proves where it listens. Its id (the JGroups logical name, which Vert.x uses as the
 * node id) is a digest of an identity key of this process; the event-bus address it publishes in the cluster's node
 * map carries that key and a signature over id, host and port, and a member's also carries its certificate for that
 * key. Anyone may write into the node map (every node, edges included, is a member of it), so a node believes an
 * entry only when it verifies: then no node can redirect another's traffic, and only a certificate the CA issued as
 * {@link ClusterRole#MEMBER} makes a node a member.
 */
final class NodeIdentity {
  private static final String KEY = "twofa.key";
  private static final String SIGNATURE = "twofa.sig";
  private static final String CERTIFICATE = "twofa.cert";
  private static final String ALGORITHM = "SHA256withECDSA";

  private final KeyPair keys;
  private final String nodeId;
  private final X509Certificate memberCertificate;
  private final X509Certificate ca;

  NodeIdentity(ClusterCredentials credentials) {
    this.keys = credentials.identity();
    this.nodeId = nodeId(keys.getPublic());
    this.memberCertificate = credentials.role() == ClusterRole.MEMBER ? credentials.nodeCertificate() : null;
    this.ca = credentials.caCertificate();
  }

  String nodeId() {
    return nodeId;
  }

  /** {@code info} with this node's key, signature and (a member's) certificate added to its metadata. */
  NodeInfo signed(NodeInfo info) {
    JsonObject metadata = info.metadata() == null ? new JsonObject() : info.metadata().copy();
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(keys.getPrivate());
      signer.update(signedBytes(nodeId, info));
      metadata.put(KEY, base64(keys.getPublic().getEncoded())).put(SIGNATURE, base64(signer.sign()));
      if (memberCertificate != null) {
        metadata.put(CERTIFICATE, base64(memberCertificate.getEncoded()));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign this node's address", e);
    }
    return new NodeInfo(info.host(), info.port(), metadata);
  }

  /**
   * The role {@code info} proves for {@code id}: present only when its key is the one the id names and its
   * signature over id, host and port holds; MEMBER only with a valid member certificate from this cluster's CA for
   * that same key.
   */
  Optional<ClusterRole> verify(String id, NodeInfo info) {
    JsonObject metadata = info == null ? null : info.metadata();
    if (metadata == null || !(metadata.getValue(KEY) instanceof String key) || !(metadata.getValue(SIGNATURE) instanceof String sig)) {
      return Optional.empty();
    }
    try {
      PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(key)));
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(publicKey);
      verifier.update(signedBytes(id, info));
      if (!nodeId(publicKey).equals(id) || !verifier.verify(Base64.getDecoder().decode(sig))) {
        return Optional.empty();
      }
      if (!(metadata.getValue(CERTIFICATE) instanceof String certificate)) {
        return Optional.of(ClusterRole.EDGE);
      }
      X509Certificate member = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(certificate)));
      member.verify(ca.getPublicKey());
      member.checkValidity();
      return member.getPublicKey().equals(publicKey) && ClusterRole.of(member).equals(Optional.of(ClusterRole.MEMBER))
        ? Optional.of(ClusterRole.MEMBER) : Optional.empty();
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /** 128 bits of the key's SHA-256, in hex: unique per process, and nobody else holds its private key. */
  static String nodeId(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static byte[] signedBytes(String id, NodeInfo info) {
    return ("twofa node address v1\n" + id + "\n" + info.host() + "\n" + info.port()).getBytes(StandardCharsets.UTF_8);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
