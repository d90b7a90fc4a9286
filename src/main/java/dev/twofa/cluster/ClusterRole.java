package dev.twofa.cluster;

import org.bouncycastle.asn1.x500.X500Name;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The two levels of trust in the cluster, written in the subject of a certificate from the cluster CA. A member
 * (a node with the secret key ring: auth, audit) issues its own certificate with the CA key; an edge (HTTP only)
 * holds one certificate that {@code derive-keys} issued, and never the CA key.
 */
public enum ClusterRole {
  /** Serves auth and audit: may hold consumers of their addresses. */
  MEMBER("twofa cluster member"),
  /** Sends requests to auth and audit and receives their replies, nothing else. */
  EDGE("twofa cluster edge");

  private final X500Name subject;

  ClusterRole(String name) {
    this.subject = new X500Name("CN=" + name + ",O=twofa");
  }

  X500Name subject() {
    return subject;
  }

  /** The role {@code certificate} names; only meaningful once it is known to come from the cluster CA. */
  static Optional<ClusterRole> of(X509Certificate certificate) {
    X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    for (ClusterRole role : values()) {
      if (role.subject.equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
