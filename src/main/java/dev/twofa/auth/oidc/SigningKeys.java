package dev.twofa.auth.oidc;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.SignedJWT;
import dev.twofa.config.KeyRing;
import dev.twofa.config.ServerKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.twofa.db.SqlTime.utc;

/**
 * The provider's signing keys: generated here (RS256 with RSA 2048, ES256 with P-256), the private part sealed as
 * a JWE (dir, A256GCM) under the key ring's OIDC purpose key and stored in PostgreSQL, the public part published as
 * the JWKS. Only auth ever holds a private key; an HTTP-only node has neither the ring's key nor the database.
 */
final class SigningKeys {
  /** Held for the transaction that looks for a key and makes one if there is none, so nodes starting together agree. */
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
  static final long GENERATION_LOCK = 0x7477_6f66_6f69_6463L;
  /**
   * How often a node reads the keys again (and at the first use after that much time by its clock), to see a
   * rotation: far shorter than the publish delay, so no node signs with a key others do not publish yet.
   */
  static final java.time.Duration REFRESH = java.time.Duration.ofSeconds(30);
  private static final String SEALED_KID = "twofa-sig-kid";
  private final Vertx vertx;
  private final Pool pool;
  private final KeyRing ring;
  private final Clock clock;
  /** TWOFA_ALLOW_MISSING_KEYS: start with a new signing key when the stored ones are sealed under keys not in the ring. */
  private final boolean allowMissingKeys;
  private volatile Loaded loaded;
  private volatile boolean reloading;

  /** The algorithms ID tokens are signed with: RS256 (the specification's default) and ES256 (P-256), a key each. */
  static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  /** A stored key: the private part when it opens under the ring (else null), the public part, its times. */
  private record Stored(JWSAlgorithm alg, JWK key, JWK publicKey, java.time.Instant signsFrom, java.time.Instant publishedUntil) {
    boolean publishedAt(java.time.Instant now) {
      return publishedUntil == null || now.isBefore(publishedUntil);
    }
  }

  /** Every stored key as read at {@code at}: which one signs and which are published is decided at each use. */
  private record Loaded(List<Stored> keys, java.time.Instant at) {
  }

  SigningKeys(Vertx vertx, Pool pool, KeyRing ring, boolean allowMissingKeys, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.ring = ring;
    this.allowMissingKeys = allowMissingKeys;
    this.clock = clock;
  }

  /**
   * Loads the stored keys, with a key generated first for each algorithm that has none opening under the ring (off
   * the event loop).
   * A key sealed under a ring key that is gone stops the start, like a TOTP secret would, unless
   * TWOFA_ALLOW_MISSING_KEYS: then it stays published (its public part is stored apart) and signs nothing.
   */
  Future<Void> start() {
    return stored(pool).compose(rows -> {
      List<String> unopenable = rows.stream().filter(row -> !opensUnder(row, ring)).map(row -> row.getString("kid")).toList();
      if (!unopenable.isEmpty() && !allowMissingKeys) {
        return Future.failedFuture(new IllegalStateException("OpenID Connect signing keys " + unopenable
          + " are sealed under keys not in the ring: put those keys back in TWOFA_SECRET_KEYS, or set"
          + " TWOFA_ALLOW_MISSING_KEYS=true to start with a new signing key"));
      }
      if (!unopenable.isEmpty()) {
        LOG.warn("event=oidc.signing_keys_unopenable kids={} message=\"a new signing key signs from now on\"", unopenable);
      }
      return missing(rows, ring).isEmpty() ? Future.succeededFuture(rows) : generate(vertx, pool, ring, clock);
    }).compose(rows -> {
      loaded = open(rows, ring, clock.instant());
      for (JWSAlgorithm alg : ALGORITHMS) {
        signingKey(alg);   // fails the start when an algorithm has no key to sign with now
      }
      vertx.setPeriodic(REFRESH.toMillis(), id -> reload());
      return resealUnderCurrentKey(rows.stream().filter(row -> opensUnder(row, ring)).toList());
    });
  }

  /** Reads the keys again (a rotation may have added or retired some); one read at a time, the old view meanwhile. */
  private void reload() {
    if (reloading) {
      return;
    }
    reloading = true;
    java.time.Instant at = clock.instant();
    stored(pool).map(rows -> open(rows, ring, at)).onComplete(done -> {
      reloading = false;
      if (done.succeeded()) {
        loaded = done.result();
      } else {
        LOG.warn("event=oidc.signing_keys_reload_failed error=\"{}\"", done.cause().toString());
      }
    });
  }

  /** The keys as last read, read again in the background when that is older than REFRESH by this node's clock. */
  private Loaded current(java.time.Instant now) {
    Loaded view = loaded;
    if (now.isAfter(view.at().plus(REFRESH))) {
      reload();
    }
    return view;
  }

  /** The algorithms without a current key (not retired) that opens under the ring. */
  private static List<JWSAlgorithm> missing(List<Row> rows, KeyRing ring) {
    return ALGORITHMS.stream().filter(alg -> rows.stream()
      .noneMatch(row -> alg.getName().equals(row.getString("alg")) && row.getValue("published_until") == null
        && opensUnder(row, ring))).toList();
  }

  static JWK newKey(JWSAlgorithm alg) throws JOSEException {
    return alg.equals(JWSAlgorithm.ES256)
      ? new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(alg).keyIDFromThumbprint(true).generate()
      : new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(alg).keyIDFromThumbprint(true).generate();
  }

  private static boolean opensUnder(Row row, KeyRing ring) {
    String under = sealedUnder(row.getString("sealed"));
    return ring.keys().stream().anyMatch(key -> key.hexId().equals(under));
  }

  /**
   * A key sealed under an older key of the ring is sealed again under the current one, so that the old ring key
   * can be dropped after a restart (see Rotating keys); the UPDATE keeps a concurrent node's identical work.
   */
  private Future<Void> resealUnderCurrentKey(List<Row> rows) {
    List<Future<?>> updates = new ArrayList<>();
    for (Row row : rows) {
      String sealed = row.getString("sealed");
      if (!ring.current().hexId().equals(sealedUnder(sealed))) {
        updates.add(pool.preparedQuery("UPDATE oidc_signing_keys SET sealed = $3 WHERE kid = $1 AND sealed = $2")
          .execute(Tuple.of(row.getString("kid"), sealed, seal(unseal(sealed, row.getString("kid"), ring), ring))));
      }
    }
    return Future.all(updates).mapEmpty();
  }

  static String sealedUnder(String sealed) {
    try {
      return JWEObject.parse(sealed).getHeader().getKeyID();
    } catch (ParseException e) {
      return null;
    }
  }

  /** Makes a key for each algorithm that has none, unless a node starting beside this one made it first. */
  private static Future<List<Row>> generate(Vertx vertx, Pool pool, KeyRing ring, Clock clock) {
    return vertx.executeBlocking(() -> {
        Map<JWSAlgorithm, JWK> candidates = new LinkedHashMap<>();
        for (JWSAlgorithm alg : ALGORITHMS) {
          candidates.put(alg, newKey(alg));
        }
        return candidates;
      })
      .compose(candidates -> pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(" + GENERATION_LOCK + ")")
        .execute()
        .compose(locked -> stored(tx))
        .compose(rows -> {
          Future<Void> inserted = Future.succeededFuture();
          for (JWSAlgorithm alg : missing(rows, ring)) {
            JWK candidate = candidates.get(alg);
            // A current key that does not open (TWOFA_ALLOW_MISSING_KEYS) stays published until its tokens expired.
            inserted = inserted.compose(done -> tx.preparedQuery(
                "UPDATE oidc_signing_keys SET published_until = $2 WHERE alg = $1 AND published_until IS NULL")
              .execute(Tuple.of(alg.getName(), utc(clock.instant().plus(SigningKeyRotation.RETIRED_KEPT)))))
              .compose(done -> tx.preparedQuery(
                "INSERT INTO oidc_signing_keys (kid, alg, sealed, public_jwk, created_at, signs_from) VALUES ($1, $2, $3, $4, $5, $5)")
              .execute(Tuple.of(candidate.getKeyID(), alg.getName(), seal(candidate, ring),
                candidate.toPublicJWK().toJSONString(), utc(clock.instant()))).mapEmpty());
          }
          return inserted.compose(done -> stored(tx));
        })));
  }

  private static Future<List<Row>> stored(SqlClient db) {
    return db.query("SELECT kid, alg, sealed, public_jwk, signs_from, published_until FROM oidc_signing_keys"
        + " ORDER BY signs_from DESC, kid").execute()
      .map(rows -> {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        return list;
      });
  }

  /** Every stored key, opened when the ring opens it (a key that does not open is published by its public part). */
  private static Loaded open(List<Row> rows, KeyRing ring, java.time.Instant at) {
    List<Stored> keys = new ArrayList<>();
    for (Row row : rows) {
      JWK key = opensUnder(row, ring) ? unseal(row.getString("sealed"), row.getString("kid"), ring) : null;
      java.time.OffsetDateTime until = row.getOffsetDateTime("published_until");
      keys.add(new Stored(JWSAlgorithm.parse(row.getString("alg")), key, key == null ? publicPart(row) : key.toPublicJWK(),
        row.getOffsetDateTime("signs_from").toInstant(), until == null ? null : until.toInstant()));
    }
    return new Loaded(List.copyOf(keys), at);
  }

  /**
   * The key that signs {@code alg} now: of the published keys that open, the one that started signing last. A key
   * still in its publish delay never signs, whatever this node has read.
   */
  private JWK signingKey(JWSAlgorithm alg) {
    java.time.Instant now = clock.instant();
    return current(now).keys().stream()
      .filter(k -> k.alg().equals(alg) && k.key() != null && !k.signsFrom().isAfter(now) && k.publishedAt(now))
      .findFirst()   // rows come newest signs_from first
      .map(Stored::key)
      .orElseThrow(() -> new IllegalStateException("no " + alg + " signing key signs now"));
  }

  /** The public parts of the keys published now. */
  private JWKSet published() {
    java.time.Instant now = clock.instant();
    return new JWKSet(current(now).keys().stream().filter(k -> k.publishedAt(now)).map(Stored::publicKey).toList());
  }

  private static JWK publicPart(Row row) {
    try {
      return JWK.parse(row.getString("public_jwk"));
    } catch (ParseException e) {
      throw new IllegalStateException("signing key " + row.getString("kid") + " has no readable public part", e);
    }
  }

  /** The private JWK as a JWE under the ring's current key; the header (authenticated) names both keys. */
  static String seal(JWK key, KeyRing ring) {
    KeyRing.Key current = ring.current();
    JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
      .keyID(current.hexId()).customParam(SEALED_KID, key.getKeyID()).build(), new Payload(key.toJSONString()));
    try {
      jwe.encrypt(new DirectEncrypter(ServerKeys.derive(current.material(), ServerKeys.Purpose.OIDC_SIGNING_KEY)));
    } catch (JOSEException e) {
      throw new IllegalStateException("sealing a signing key", e);
    }
    return jwe.serialize();
  }

  /** Opens a sealed key with whichever key of the ring sealed it; fails when none did or it was relabelled. */
  static JWK unseal(String sealed, String kid, KeyRing ring) {
    try {
      JWEObject jwe = JWEObject.parse(sealed);
      KeyRing.Key key = ring.keys().stream().filter(k -> k.hexId().equals(jwe.getHeader().getKeyID())).findFirst()
        .orElseThrow(() -> new IllegalStateException("signing key " + kid + " is sealed under a key not in the ring"));
      if (!kid.equals(jwe.getHeader().getCustomParam(SEALED_KID))) {
        throw new IllegalStateException("signing key " + kid + " is sealed under another name");
      }
      jwe.decrypt(new DirectDecrypter(ServerKeys.derive(key.material(), ServerKeys.Purpose.OIDC_SIGNING_KEY)));
      return JWK.parse(jwe.getPayload().toString());
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException("signing key " + kid + " does not open", e);
    }
  }

  /** A compact JWS (RS256) of {@code claims}, typed JWT and named by its key id. */
  String sign(JWTClaimsSet claims) {
    return sign(claims, JOSEObjectType.JWT, JWSAlgorithm.RS256);
  }

  /**
   * A compact JWS of {@code claims} by {@code alg} (RS256 or ES256: the client's id_token_signed_response_alg), with
   * the header type {@code type} (a logout token is logout+jwt).
   */
  String sign(JWTClaimsSet claims, JOSEObjectType type, JWSAlgorithm alg) {
    JWK signing = signingKey(alg);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(type).keyID(signing.getKeyID()).build(), claims);
    try {
      jwt.sign(signing instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) signing));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing an ID token", e);
    }
    return jwt.serialize();
  }

  /**
   * The claims of a JWT this provider signed (an ID token: typed JWT, RS256, under a key it publishes), whatever its
   * times say, or empty when it is anything else: an id_token_hint may have expired, and is no proof of anything.
   */
  Optional<JWTClaimsSet> signedHere(String jwt) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(java.util.Set.copyOf(ALGORITHMS),
      new ImmutableJWKSet<>(published())));
    processor.setJWTClaimsSetVerifier((claims, context) -> { });
    try {
      return Optional.of(processor.process(jwt, null));
    } catch (ParseException | BadJOSEException | JOSEException e) {
      return Optional.empty();
    }
  }

  /** The JWKS document: public parts only. */
  String jwks() {
    return published().toString();
  }

  @Override
  public String toString() {
    return "SigningKeys[" + (loaded == null ? "not loaded" : loaded.keys().stream().map(k -> k.publicKey().getKeyID()).toList()) + "]";
  }
}
