package dev.twofa.cluster;

import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;

/**
 * The cluster CA: a P-256 key derived from the cluster key (HKDF-SHA-256), which only nodes holding the secret
 * key ring (auth and audit) can compute, and its self-signed certificate, the same bytes on every node. It issues
 * the certificates that say which role a node plays ({@link ClusterRole}).
 */
final class ClusterCa {
  static final String CA_LABEL = "twofa cluster CA v1";
  static final String EDGE_LABEL = "twofa cluster edge key v1";
  private static final X500Name CA_NAME = new X500Name("CN=" + CA_LABEL + ",O=twofa");
  // Fixed, so every node's CA and edge certificates are the same bytes; a new secret key is how they are replaced.
  static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant NOT_AFTER = Instant.parse("2125-01-01T00:00:00Z");
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");
  private static final ECNamedDomainParameters P256_DOMAIN = new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, P256);

  private final ECPrivateKeyParameters key;
  private final SubjectPublicKeyInfo publicKey;
  private final X509Certificate certificate;

  private ClusterCa(ECPrivateKeyParameters key) throws GeneralSecurityException, IOException, OperatorCreationException {
    this.key = key;
    this.publicKey = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicOf(key));
    X509v3CertificateBuilder ca = new X509v3CertificateBuilder(CA_NAME, BigInteger.ONE,
      Date.from(NOT_BEFORE), Date.from(NOT_AFTER), CA_NAME, publicKey)
      .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
      .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign))
      .addExtension(Extension.subjectKeyIdentifier, false, new BcX509ExtensionUtils().createSubjectKeyIdentifier(publicKey));
    this.certificate = new JcaX509CertificateConverter().getCertificate(ca.build(signer(key)));
  }

  /** The CA that {@code clusterKey} determines. */
  static ClusterCa of(byte[] clusterKey) {
    try {
      return new ClusterCa(derivedKey(clusterKey, CA_LABEL));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build the cluster CA", e);
    }
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** A leaf certificate for {@code subject}'s key in {@code role}, good for TLS in both directions. */
  X509Certificate issue(ClusterRole role, PublicKey subject, BigInteger serial, Instant notBefore, Instant notAfter) {
    try {
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(subject.getEncoded());
      BcX509ExtensionUtils extensions = new BcX509ExtensionUtils();
      X509v3CertificateBuilder leaf = new X509v3CertificateBuilder(CA_NAME, serial, Date.from(notBefore),
        Date.from(notAfter), role.subject(), info)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        // Each node is a TLS server to some peers and a client of others.
        .addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(info))
        .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(publicKey));
      return new JcaX509CertificateConverter().getCertificate(leaf.build(signer(key)));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a cluster certificate", e);
    }
  }

  /**
   * The edge's key pair from its seed. The seed is HKDF of the cluster key under another label, so holding it
   * (or the key it gives) tells nothing about the CA's key.
   */
  static KeyPair edgeKeyPair(byte[] edgeSeed) {
    return keyPair(derivedKey(edgeSeed, EDGE_LABEL));
  }

  /** What {@code derive-keys} hands an edge: a seed from the cluster key that is not the cluster key. */
  static byte[] edgeSeed(byte[] clusterKey) {
    return hkdf(clusterKey, EDGE_LABEL, 32);
  }

  /** HKDF-SHA-256 bytes, 64 more than the curve order's bits, reduced into [1, n-1] (FIPS 186-5, A.2.1). */
  private static ECPrivateKeyParameters derivedKey(byte[] secret, String label) {
    byte[] bytes = hkdf(secret, label, 48);
    BigInteger n = P256.getN();
    BigInteger d = new BigInteger(1, bytes).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
    Arrays.fill(bytes, (byte) 0);
    return new ECPrivateKeyParameters(d, P256_DOMAIN);
  }

  private static byte[] hkdf(byte[] secret, String label, int length) {
    byte[] bytes = new byte[length];
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(secret, null, label.getBytes(StandardCharsets.UTF_8)));
    hkdf.generateBytes(bytes, 0, bytes.length);
    return bytes;
  }

  private static ECPublicKeyParameters publicOf(ECPrivateKeyParameters key) {
    return new ECPublicKeyParameters(new FixedPointCombMultiplier().multiply(P256.getG(), key.getD()).normalize(), P256_DOMAIN);
  }

  private static KeyPair keyPair(ECPrivateKeyParameters key) {
    try {
      KeyFactory ec = KeyFactory.getInstance("EC");
      return new KeyPair(
        ec.generatePublic(new X509EncodedKeySpec(SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicOf(key)).getEncoded())),
        ec.generatePrivate(new PKCS8EncodedKeySpec(PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded())));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an EC key pair", e);
    }
  }

  /** ECDSA with RFC 6979 nonces, so a certificate (its signature included) is the same bytes on every node. */
  private static ContentSigner signer(ECPrivateKeyParameters key) throws OperatorCreationException {
    AlgorithmIdentifier ecdsaSha256 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256);
    return new BcECContentSignerBuilder(ecdsaSha256, sha256) {
      @Override
      protected Signer createSigner(AlgorithmIdentifier signature, AlgorithmIdentifier digest) {
        return new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())), new SHA256Digest());
      }
    }.build(key);
  }
}
