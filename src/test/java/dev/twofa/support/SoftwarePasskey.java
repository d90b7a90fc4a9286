package dev.twofa.support;

import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A WebAuthn authenticator in Java for tests and the benchmark, where no browser runs: an ES256 key pair made here,
 * a "none" attestation for the server's creation options, and assertions for its request options, signed with the
 * flags asked for. The CBOR and COSE encoding is webauthn4j's; only the byte layout of authenticator data is
 * written here (WebAuthn Level 3, 6.1). The webauthn4j-test emulator is not in the offline repository.
 */
public final class SoftwarePasskey {
  public static final int UP = 0x01;
  public static final int UV = 0x04;
  /** Backup eligible: a synced passkey (its key may leave the device). */
  public static final int BE = 0x08;
  private static final int AT = 0x40;
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder FROM_B64URL = Base64.getUrlDecoder();
  private final ObjectConverter converter = new ObjectConverter();
  private final KeyPair keys;
  private final byte[] credentialId = new byte[32];
  private final String origin;
  private final int flags;
  private byte[] userHandle;
  private int counter;

  /** {@code origin}: the server's public URL (scheme, host, port); {@code flags}: UV, BE as this device sets them. */
  public SoftwarePasskey(String origin, int flags) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      this.keys = generator.generateKeyPair();
    } catch (Exception impossible) {
      throw new IllegalStateException(impossible);
    }
    new SecureRandom().nextBytes(credentialId);
    URI uri = URI.create(origin);
    this.origin = uri.getScheme() + "://" + uri.getRawAuthority();
    this.flags = flags;
  }

  /** RegistrationResponseJSON for the server's PublicKeyCredentialCreationOptionsJSON. */
  public JsonObject create(JsonObject options) throws Exception {
    userHandle = FROM_B64URL.decode(options.getJsonObject("user").getString("id"));
    String rpId = options.getJsonObject("rp").getString("id");
    byte[] cose = converter.getCborConverter().writeValueAsBytes(
      EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
    ByteArrayOutputStream data = authenticatorData(rpId, flags | UP | AT);
    data.write(new byte[16]);  // AAGUID: undisclosed
    data.write(ByteBuffer.allocate(2).putShort((short) credentialId.length).array());
    data.write(credentialId);
    data.write(cose);
    Map<String, Object> attestation = new LinkedHashMap<>();
    attestation.put("fmt", "none");
    attestation.put("attStmt", Map.of());
    attestation.put("authData", data.toByteArray());
    byte[] clientData = clientData("webauthn.create", options.getString("challenge"));
    String id = B64URL.encodeToString(credentialId);
    return new JsonObject().put("id", id).put("rawId", id).put("type", "public-key")
      .put("response", new JsonObject()
        .put("clientDataJSON", B64URL.encodeToString(clientData))
        .put("attestationObject", B64URL.encodeToString(converter.getCborConverter().writeValueAsBytes(attestation)))
        .put("transports", new io.vertx.core.json.JsonArray().add("internal")))
      .put("clientExtensionResults", new JsonObject());
  }

  /** AuthenticationResponseJSON for the server's request options, with this device's flags. */
  public JsonObject get(JsonObject options) throws Exception {
    return get(options, flags | UP);
  }

  /** The same with other {@code flags} (e.g. UP alone: a device that did not verify its user). */
  public JsonObject get(JsonObject options, int flags) throws Exception {
    ByteArrayOutputStream data = authenticatorData(options.getString("rpId"), flags);
    byte[] clientData = clientData("webauthn.get", options.getString("challenge"));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(keys.getPrivate());
    signer.update(data.toByteArray());
    signer.update(MessageDigest.getInstance("SHA-256").digest(clientData));
    String id = B64URL.encodeToString(credentialId);
    JsonObject response = new JsonObject()
      .put("clientDataJSON", B64URL.encodeToString(clientData))
      .put("authenticatorData", B64URL.encodeToString(data.toByteArray()))
      .put("signature", B64URL.encodeToString(signer.sign()));
    if (userHandle != null) {
      response.put("userHandle", B64URL.encodeToString(userHandle));
    }
    return new JsonObject().put("id", id).put("rawId", id).put("type", "public-key").put("response", response)
      .put("clientExtensionResults", new JsonObject());
  }

  private ByteArrayOutputStream authenticatorData(String rpId, int flags) throws Exception {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.write(MessageDigest.getInstance("SHA-256").digest(rpId.getBytes(StandardCharsets.UTF_8)));
    data.write(flags);
    data.write(ByteBuffer.allocate(4).putInt(++counter).array());
    return data;
  }

  private byte[] clientData(String type, String challenge) {
    return new JsonObject().put("type", type).put("challenge", challenge).put("origin", origin).put("crossOrigin", false)
      .encode().getBytes(StandardCharsets.UTF_8);
  }
}
