package dev.twofa.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PfxOptions;
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
import org.bouncycastle.cert.X509CertificateHolder;
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
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

/**
 * The cluster's TLS identity, derived from the secret key every node already shares, so mutual TLS needs no
 * operator work: HKDF of the key gives a P-256 CA key; every node builds the same CA certificate from it and
 * issues itself a fresh leaf key and certificate signed by that CA. A peer is trusted when its certificate chains
 * to that CA, i.e. when it holds the secret key too. Everything stays in memory.
 */
public final class ClusterCredentials {
  static final String CA_LABEL = "twofa cluster CA v1";
  private static final X500Name CA_NAME = new X500Name("CN=" + CA_LABEL + ",O=twofa");
  // Fixed, so every node's CA certificate is the same bytes; a new secret key is how the CA is replaced.
  private static final Instant CA_NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
  private static final Instant CA_NOT_AFTER = Instant.parse("2125-01-01T00:00:00Z");
  private static final Duration NODE_VALIDITY = Duration.ofDays(3650);
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");
  private static final ECNamedDomainParameters P256_DOMAIN = new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, P256);

  private final X509Certificate caCertificate;
  private final X509Certificate nodeCertificate;
  private final KeyStore keyStore;
  private final KeyStore trustStore;
  /** Random per process: PKCS#12 wants a password, but these stores never leave memory. */
  private final char[] storePassword;

  private ClusterCredentials(X509Certificate ca, X509Certificate node, KeyPair nodeKeys) throws GeneralSecurityException {
    this.caCertificate = ca;
    this.nodeCertificate = node;
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    this.storePassword = Base64.getEncoder().encodeToString(random).toCharArray();
    this.keyStore = emptyStore();
    keyStore.setKeyEntry("node", nodeKeys.getPrivate(), storePassword, new Certificate[] {node, ca});
    this.trustStore = emptyStore();
    trustStore.setCertificateEntry("cluster-ca", ca);
  }

  /** Credentials for this node: the CA that {@code secretKey} determines and a new leaf certificate valid from {@code now}. */
  public static ClusterCredentials derive(byte[] secretKey, Instant now) {
    try {
      ECPrivateKeyParameters caKey = caKey(secretKey);
      ECPublicKeyParameters caPublic = new ECPublicKeyParameters(
        new FixedPointCombMultiplier().multiply(P256.getG(), caKey.getD()).normalize(), P256_DOMAIN);
      SubjectPublicKeyInfo caInfo = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(caPublic);
      BcX509ExtensionUtils extensions = new BcX509ExtensionUtils();
      X509v3CertificateBuilder ca = new X509v3CertificateBuilder(CA_NAME, BigInteger.ONE,
        Date.from(CA_NOT_BEFORE), Date.from(CA_NOT_AFTER), CA_NAME, caInfo)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign))
        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caInfo));

      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair nodeKeys = generator.generateKeyPair();
      SubjectPublicKeyInfo nodeInfo = SubjectPublicKeyInfo.getInstance(nodeKeys.getPublic().getEncoded());
      byte[] serial = new byte[16];
      new SecureRandom().nextBytes(serial);
      X509v3CertificateBuilder node = new X509v3CertificateBuilder(CA_NAME, new BigInteger(1, serial),
        Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(NODE_VALIDITY)), new X500Name("CN=twofa cluster node,O=twofa"), nodeInfo)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        // Each node is a TLS server to some peers and a client of others.
        .addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(nodeInfo))
        .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caInfo));

      ContentSigner signer = signer(caKey);
      return new ClusterCredentials(certificate(ca.build(signer)), certificate(node.build(signer)), nodeKeys);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build the cluster's TLS credentials", e);
    }
  }

  /** HKDF-SHA-256 bytes, 64 more than the curve order's bits, reduced into [1, n-1] (FIPS 186-5, A.2.1). */
  private static ECPrivateKeyParameters caKey(byte[] secretKey) {
    byte[] bytes = new byte[48];
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(secretKey, null, CA_LABEL.getBytes(StandardCharsets.UTF_8)));
    hkdf.generateBytes(bytes, 0, bytes.length);
    BigInteger n = P256.getN();
    BigInteger d = new BigInteger(1, bytes).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
    Arrays.fill(bytes, (byte) 0);
    return new ECPrivateKeyParameters(d, P256_DOMAIN);
  }

  /** ECDSA with RFC 6979 nonces, so the CA certificate (its signature included) is the same bytes on every node. */
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

  private static X509Certificate certificate(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
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
    return "ClusterCredentials[ca=" + caFingerprint() + ", key hidden]";
  }
}
