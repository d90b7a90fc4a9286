package dev.twofa.auth.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;

import java.net.URI;
import java.util.List;

/** The provider's endpoints under the issuer URL, and the discovery document that names them and what they allow. */
record Discovery(Issuer issuer, URI authorization, URI token, URI userInfo, URI jwks, URI revocation, URI introspection,
                 URI endSession) {
  static final String WELL_KNOWN = "/.well-known/openid-configuration";

  /** The issuer is TWOFA_PUBLIC_URL without a trailing slash; the endpoints are paths under it. */
  static Discovery of(URI publicUrl) {
    String base = publicUrl.toString().replaceAll("/+$", "");
    return new Discovery(new Issuer(base), URI.create(base + "/authorize"), URI.create(base + "/token"),
      URI.create(base + "/userinfo"), URI.create(base + "/.well-known/jwks.json"), URI.create(base + "/revoke"),
      URI.create(base + "/introspect"), URI.create(base + "/end-session"));
  }

  String document() {
    OIDCProviderMetadata metadata = new OIDCProviderMetadata(issuer, List.of(SubjectType.PUBLIC), jwks);
    metadata.setAuthorizationEndpointURI(authorization);
    metadata.setTokenEndpointURI(token);
    metadata.setUserInfoEndpointURI(userInfo);
    metadata.setRevocationEndpointURI(revocation);
    metadata.setRevocationEndpointAuthMethods(List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
      ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.NONE));
    metadata.setIntrospectionEndpointURI(introspection);
    metadata.setIntrospectionEndpointAuthMethods(List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
      ClientAuthenticationMethod.CLIENT_SECRET_POST));
    metadata.setEndSessionEndpointURI(endSession);
    metadata.setSupportsBackChannelLogout(true);
    metadata.setSupportsBackChannelLogoutSession(true);
    metadata.setResponseTypes(List.of(ResponseType.CODE));
    metadata.setResponseModes(List.of(ResponseMode.QUERY));
    metadata.setGrantTypes(List.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN));
    metadata.setCodeChallengeMethods(List.of(CodeChallengeMethod.S256));
    metadata.setIDTokenJWSAlgs(SigningKeys.ALGORITHMS);
    metadata.setTokenEndpointAuthMethods(List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
      ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.NONE));
    metadata.setScopes(new Scope(Authorizer.SCOPES.stream().sorted().toArray(String[]::new)));
    metadata.setClaims(List.of("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp",
      "email", "email_verified"));
    metadata.setACRs(List.of(new com.nimbusds.openid.connect.sdk.claims.ACR("1"),
      new com.nimbusds.openid.connect.sdk.claims.ACR("2")));
    metadata.setSupportsAuthorizationResponseIssuerParam(true);
    metadata.setSupportsRequestParam(false);
    metadata.setSupportsRequestURIParam(false);
    metadata.setSupportsClaimsParams(false);
    return metadata.toJSONObject().toJSONString();
  }
}
