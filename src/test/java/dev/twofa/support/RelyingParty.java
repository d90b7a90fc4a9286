package dev.twofa.support;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.twofa.cli.OidcClients;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An application logging its users in with twofa, written with Nimbus as any Java relying party would be: it
 * reads the discovery document and the JWKS over HTTP, builds authorization requests with PKCE, exchanges codes
 * and verifies ID tokens (against the server's clock, which the tests move).
 */
public final class RelyingParty {
  public static final URI REDIRECT = URI.create("http://127.0.0.1:9/callback");
  private final TestServer server;
  public final OIDCProviderMetadata provider;
  public final ClientID clientId;
  public final Secret secret;
  public final URI redirect;

  private RelyingParty(TestServer server, OIDCProviderMetadata provider, ClientID clientId, Secret secret, URI redirect) {
    this.server = server;
    this.redirect = redirect;
    this.provider = provider;
    this.clientId = clientId;
    this.secret = secret;
  }

  /** Registers an application with the operator's command and reads the provider's discovery document. */
  public static RelyingParty register(TestServer server, String name, boolean isPublic, boolean firstParty) {
    return register(server, name, isPublic, firstParty, REDIRECT);
  }

  public static RelyingParty register(TestServer server, String name, boolean isPublic, boolean firstParty, URI redirect) {
    return register(server, new OidcClients.Registration(name, List.of(redirect.toString()), isPublic, firstParty, null));
  }

  /** Registers {@code registration} (its first redirect URI is where this application takes its codes). */
  public static RelyingParty register(TestServer server, OidcClients.Registration registration) {
    try {
      JsonObject registered = OidcClients.add(server.databaseUrl(), registration);
      OIDCProviderMetadata provider = OIDCProviderMetadata.resolve(new Issuer(server.baseUrl()));
      return new RelyingParty(server, provider, new ClientID(registered.getString("client_id")),
        registration.isPublic() ? null : new Secret(registered.getString("client_secret")),
        URI.create(registration.redirectUris().get(0)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One login attempt's secrets: what the application keeps between the redirect and the callback. */
  public record Attempt(State state, Nonce nonce, CodeVerifier verifier) {
    public static Attempt fresh() {
      return new Attempt(new State(), new Nonce(), new CodeVerifier());
    }
  }

  /** The path and query of an authorization request (code flow, PKCE S256), with {@code extra} applied. */
  public String authorizePath(Attempt attempt, Consumer<AuthenticationRequest.Builder> extra) {
    AuthenticationRequest.Builder builder = new AuthenticationRequest.Builder(ResponseType.CODE,
      new Scope("openid", "email", "offline_access"), clientId, redirect)
      .state(attempt.state()).nonce(attempt.nonce()).codeChallenge(attempt.verifier(), CodeChallengeMethod.S256)
      .endpointURI(provider.getAuthorizationEndpointURI());
    extra.accept(builder);
    URI uri = builder.build().toURI();
    return uri.getRawPath() + "?" + uri.getRawQuery();
  }

  public String authorizePath(Attempt attempt) {
    return authorizePath(attempt, builder -> { });
  }

  /** The authorization response a redirect to the application carries. */
  public static AuthorizationResponse callback(ApiClient.Response redirect) {
    try {
      return AuthorizationResponse.parse(URI.create(redirect.header("Location")));
    } catch (Exception e) {
      throw new IllegalStateException(redirect.toString(), e);
    }
  }

  public HTTPResponse exchange(AuthorizationCode code, CodeVerifier verifier) {
    return token(new AuthorizationCodeGrant(code, redirect, verifier), auth());
  }

  public HTTPResponse refresh(RefreshToken token) {
    return token(new RefreshTokenGrant(token), auth());
  }

  public HTTPResponse token(AuthorizationGrant grant, ClientAuthentication auth) {
    TokenRequest request = auth == null
      ? new TokenRequest(provider.getTokenEndpointURI(), clientId, grant)
      : new TokenRequest(provider.getTokenEndpointURI(), auth, grant);
    try {
      return request.toHTTPRequest().send();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The userinfo endpoint's answer to {@code tokens}' access token. */
  public HTTPResponse userInfo(com.nimbusds.openid.connect.sdk.token.OIDCTokens tokens) {
    try {
      return new com.nimbusds.openid.connect.sdk.UserInfoRequest(provider.getUserInfoEndpointURI(),
        (com.nimbusds.oauth2.sdk.token.BearerAccessToken) tokens.getAccessToken()).toHTTPRequest().send();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private ClientAuthentication auth() {
    return secret == null ? null : new ClientSecretBasic(clientId, secret);
  }

  public static TokenResponse parse(HTTPResponse response) {
    try {
      return OIDCTokenResponseParser.parse(response);
    } catch (Exception e) {
      throw new IllegalStateException(response.getStatusCode() + " " + response.getBody(), e);
    }
  }

  /** Verifies the ID token's signature against the JWKS fetched over HTTP, and its iss, aud, nonce and times. */
  public JWTClaimsSet verify(String idToken, Nonce nonce) {
    try {
      JWKSet keys = JWKSet.load(provider.getJWKSetURI().toURL());
      DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(keys)));
      JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder().issuer(provider.getIssuer().getValue())
        .audience(clientId.getValue());
      if (nonce != null) {
        exact.claim("nonce", nonce.getValue());
      }
      processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(clientId.getValue(), exact.build(),
        Set.of("sub", "iat", "exp", "auth_time", "sid", "amr", "acr")) {
        @Override
        protected Date currentTime() {
          return Date.from(server.clock().instant());
        }
      });
      return processor.process(idToken, null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
