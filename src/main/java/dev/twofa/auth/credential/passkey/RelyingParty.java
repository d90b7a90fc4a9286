package dev.twofa.auth.credential.passkey;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticatorTransport;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.UserNotVerifiedException;
import dev.twofa.config.PublicUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * This server as a WebAuthn relying party: the RP ID is TWOFA_PUBLIC_URL's host and the one accepted origin its
 * scheme, host and port. Parsing and verifying (CBOR, COSE, signatures, flags, counters) is webauthn4j's; this
 * class only says what to expect. Attestation is "none": we want a key, not a statement about the device.
 */
final class RelyingParty {
  private static final int CHALLENGE_BYTES = 32;
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  /** ES256 first (every platform authenticator), RS256 for Windows Hello's older keys. */
  private static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
    new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
    new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));
  private static final long TIMEOUT_MS = 120_000;
  private final String rpId;
  private final String rpName;
  private final Origin origin;
  private final ObjectConverter converter = new ObjectConverter();
  private final WebAuthnManager manager = WebAuthnManager.createNonStrictWebAuthnManager(converter);
  private final SecureRandom random = new SecureRandom();

  RelyingParty(PublicUrl publicUrl, String productName) {
    URI uri = publicUrl.uri();
    this.rpId = uri.getHost().toLowerCase();
    this.rpName = productName;
    this.origin = new Origin(uri.getScheme().toLowerCase() + "://" + uri.getRawAuthority().toLowerCase());
  }

  String rpId() {
    return rpId;
  }

  byte[] newChallenge() {
    byte[] challenge = new byte[CHALLENGE_BYTES];
    random.nextBytes(challenge);
    return challenge;
  }

  /**
   * PublicKeyCredentialCreationOptionsJSON: a discoverable key (required where the authenticator can, so a later
   * passwordless sign-in needs no email), user verification preferred, no attestation, and the account's
   * existing passkeys excluded so one authenticator is not added twice.
   */
  JsonObject creationOptions(byte[] challenge, byte[] userHandle, String email, List<byte[]> exclude) {
    JsonArray params = new JsonArray();
    ALGORITHMS.forEach(p -> params.add(new JsonObject().put("type", "public-key").put("alg", p.getAlg().getValue())));
    return new JsonObject()
      .put("challenge", B64URL.encodeToString(challenge))
      .put("rp", new JsonObject().put("id", rpId).put("name", rpName))
      .put("user", new JsonObject().put("id", B64URL.encodeToString(userHandle)).put("name", email).put("displayName", email))
      .put("pubKeyCredParams", params)
      .put("timeout", TIMEOUT_MS)
      .put("attestation", "none")
      .put("authenticatorSelection", new JsonObject().put("residentKey", "required").put("requireResidentKey", true)
        .put("userVerification", "preferred"))
      .put("excludeCredentials", descriptors(exclude));
  }

  /** PublicKeyCredentialRequestOptionsJSON for the account's own passkeys. */
  JsonObject requestOptions(byte[] challenge, List<byte[]> allow) {
    return new JsonObject()
      .put("challenge", B64URL.encodeToString(challenge))
      .put("rpId", rpId)
      .put("timeout", TIMEOUT_MS)
      .put("userVerification", "preferred")
      .put("allowCredentials", descriptors(allow));
  }

  /**
   * Request options for a sign-in without a password: no allowCredentials (the browser offers this site's
   * discoverable passkeys, the account is known from the answer) and user verification required, since the
   * passkey is then both factors.
   */
  JsonObject signInOptions(byte[] challenge) {
    return new JsonObject()
      .put("challenge", B64URL.encodeToString(challenge))
      .put("rpId", rpId)
      .put("timeout", TIMEOUT_MS)
      .put("userVerification", "required");
  }

  private static JsonArray descriptors(List<byte[]> credentialIds) {
    JsonArray list = new JsonArray();
    credentialIds.forEach(id -> list.add(new JsonObject().put("type", "public-key").put("id", B64URL.encodeToString(id))));
    return list;
  }

  /** A registration response as parsed, before any check: its challenge says which stored one it must spend. */
  Optional<RegistrationData> parseRegistration(String json) {
    try {
      RegistrationData data = manager.parseRegistrationResponseJSON(json);
      return data.getCollectedClientData() == null || data.getCollectedClientData().getChallenge() == null
        || data.getAttestationObject() == null ? Optional.empty() : Optional.of(data);
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }

  /** The new credential once webauthn4j verified it against {@code challenge}, our RP ID and origin; else empty. */
  Optional<NewCredential> verifyRegistration(RegistrationData data, byte[] challenge) {
    try {
      manager.verify(data, new RegistrationParameters(serverProperty(challenge), ALGORITHMS, false, true));
      var authenticatorData = data.getAttestationObject().getAuthenticatorData();
      AttestedCredentialData credential = authenticatorData.getAttestedCredentialData();
      Set<String> transports = new HashSet<>();
      if (data.getTransports() != null) {
        data.getTransports().forEach(t -> transports.add(t.getValue()));
      }
      AAGUID aaguid = credential.getAaguid();
      return Optional.of(new NewCredential(credential.getCredentialId(),
        converter.getCborConverter().writeValueAsBytes(credential.getCOSEKey()), authenticatorData.getSignCount(),
        List.copyOf(transports), aaguid == null ? null : aaguid.getValue()));
    } catch (RuntimeException refused) {
      return Optional.empty();
    }
  }

  /** An assertion as parsed, before any check. */
  Optional<AuthenticationData> parseAssertion(String json) {
    try {
      AuthenticationData data = manager.parseAuthenticationResponseJSON(json);
      return data.getCollectedClientData() == null || data.getCollectedClientData().getChallenge() == null
        || data.getCredentialId() == null || data.getAuthenticatorData() == null ? Optional.empty() : Optional.of(data);
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }

  /** What checking an assertion found. */
  enum Check { VERIFIED, COUNTER_WENT_BACK, USER_NOT_VERIFIED, REFUSED }

  /** Verifies the assertion's signature, RP ID, origin, challenge and counter against the stored passkey. */
  Check verifyAssertion(AuthenticationData data, byte[] challenge, StoredPasskey passkey) {
    return verifyAssertion(data, challenge, passkey, false);
  }

  /**
   * The same, and with {@code userVerified} the UV flag must be set (the authenticator checked a PIN or biometric):
   * what makes a passkey two factors on its own.
   */
  Check verifyAssertion(AuthenticationData data, byte[] challenge, StoredPasskey passkey, boolean userVerified) {
    try {
      COSEKey key = converter.getCborConverter().readValue(passkey.publicKey(), COSEKey.class);
      Set<AuthenticatorTransport> transports = new HashSet<>();
      passkey.transports().forEach(t -> transports.add(AuthenticatorTransport.create(t)));
      var record = new CredentialRecordImpl(new NoneAttestationStatement(), null, null, null, passkey.signCount(),
        new AttestedCredentialData(passkey.aaguid() == null ? AAGUID.ZERO : new AAGUID(passkey.aaguid()),
          passkey.credentialId(), key), null, null, null, transports);
      manager.verify(data, new AuthenticationParameters(serverProperty(challenge), record,
        List.of(passkey.credentialId()), userVerified, true));
      return Check.VERIFIED;
    } catch (MaliciousCounterValueException clone) {
      return Check.COUNTER_WENT_BACK;
    } catch (UserNotVerifiedException notVerified) {
      return Check.USER_NOT_VERIFIED;
    } catch (RuntimeException refused) {
      return Check.REFUSED;
    }
  }

  /**
   * Where the key lives, as RFC 8176 amr says it: "swk" (software-bound) when the authenticator data sets the
   * backup-eligible flag (BE: the key may be synced to other devices, as Google Password Manager, iCloud Keychain
   * and password managers do), else "hwk" (the key cannot leave the authenticator: a security key, a TPM).
   */
  static String keyBinding(AuthenticatorData<?> data) {
    return data.isFlagBE() ? "swk" : "hwk";
  }

  private ServerProperty serverProperty(byte[] challenge) {
    return new ServerProperty(origin, rpId, new DefaultChallenge(challenge));
  }

  /** A verified new credential: public key (COSE) only. */
  record NewCredential(byte[] credentialId, byte[] publicKey, long signCount, List<String> transports, UUID aaguid) {
  }
}
