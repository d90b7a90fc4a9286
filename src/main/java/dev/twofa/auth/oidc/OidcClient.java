package dev.twofa.auth.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import io.vertx.sqlclient.Row;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * A registered application. A confidential client's secret is kept only as its SHA-256 (256 random bits). Where its
 * users may come back after logging out is matched exactly, like its redirect URIs.
 */
record OidcClient(String clientId, String name, List<String> redirectUris, byte[] secretHash, boolean firstParty,
                  List<String> postLogoutRedirectUris, JWSAlgorithm idTokenAlg) {
  static final String COLUMNS =
    "client_id, name, redirect_uris, secret_hash, first_party, post_logout_redirect_uris, id_token_signed_response_alg";

  static OidcClient from(Row row) {
    var secret = row.getBuffer("secret_hash");
    return new OidcClient(row.getString("client_id"), row.getString("name"),
      Arrays.asList(row.getArrayOfStrings("redirect_uris")), secret == null ? null : secret.getBytes(),
      row.getBoolean("first_party"), Arrays.asList(row.getArrayOfStrings("post_logout_redirect_uris")),
      JWSAlgorithm.parse(row.getString("id_token_signed_response_alg")));
  }

  boolean isPublic() {
    return secretHash == null;
  }

  /** Exact match, as OAuth 2.1 and RFC 9700 ask: no prefix, no pattern, no normalisation. */
  boolean registered(String redirectUri) {
    return redirectUri != null && redirectUris.contains(redirectUri);
  }

  /** RP-initiated logout: the post_logout_redirect_uri must equal a registered one exactly. */
  boolean registeredAfterLogout(String uri) {
    return uri != null && postLogoutRedirectUris.contains(uri);
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
