package dev.twofa.auth.oidc;

import io.vertx.sqlclient.Row;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/** A registered application. A confidential client's secret is kept only as its SHA-256 (256 random bits). */
record OidcClient(String clientId, String name, List<String> redirectUris, byte[] secretHash, boolean firstParty) {
  static OidcClient from(Row row) {
    var secret = row.getBuffer("secret_hash");
    return new OidcClient(row.getString("client_id"), row.getString("name"),
      Arrays.asList(row.getArrayOfStrings("redirect_uris")), secret == null ? null : secret.getBytes(),
      row.getBoolean("first_party"));
  }

  boolean isPublic() {
    return secretHash == null;
  }

  /** Exact match, as OAuth 2.1 and RFC 9700 ask: no prefix, no pattern, no normalisation. */
  boolean registered(String redirectUri) {
    return redirectUri != null && redirectUris.contains(redirectUri);
  }

  /** Constant-time comparison of the presented secret's hash with the stored one. */
  boolean secretMatches(byte[] presentedHash) {
    return secretHash != null && MessageDigest.isEqual(secretHash, presentedHash);
  }

  @Override
  public String toString() {
    return "OidcClient[" + clientId + "]";
  }
}
