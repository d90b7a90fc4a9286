package dev.twofa.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.twofa.bench.ClientLoops.RunStopped;
import dev.twofa.cli.OidcClients;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The oidc mode: a complete login as an application sees it. The browser goes to /authorize (no session: the
 * login screen's id), the login screen asks whom it logs in to, the password and the code steps follow, the
 * browser comes back through /authorize/resume with an authorization code, and the application's server
 * exchanges it at /token (client_secret_basic, PKCE) and verifies the ID token with Nimbus against the JWKS.
 * Reported beside the full mode: logins/s, p50/p99 of the whole login, and server CPU per login.
 */
final class OidcMode {
  private static final URI REDIRECT = URI.create("http://127.0.0.1:9/callback");
  private static final String FULL = "oidc.full";
  private final LoadDriver driver;
  private final ClientID clientId;
  private final String basic;
  private final String issuer;
  private final JWSVerificationKeySelector<SecurityContext> keys;
  /** The application's server: one address for all its token requests. */
  private final LoadDriver.Browser application;

  private OidcMode(LoadDriver driver, String clientId, String secret, OIDCProviderMetadata provider, JWKSet keys) {
    this.driver = driver;
    this.clientId = new ClientID(clientId);
    this.basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    this.issuer = provider.getIssuer().getValue();
    this.application = driver.browser("127.0.0.2");
    this.keys = new JWSVerificationKeySelector<>(JWSAlgorithm.parse(idTokenAlg()), new ImmutableJWKSet<>(keys));
  }

  /** The ID tokens' algorithm the application registers ({@code --oidc-alg=RS256|ES256}, default RS256, the spec's). */
  private static String idTokenAlg() {
    return java.util.Arrays.stream(Benchmark.ARGS).filter(a -> a.startsWith("--oidc-alg=")).findFirst()
      .map(a -> a.substring("--oidc-alg=".length())).orElse("RS256");
  }

  /** Registers the application with the operator's command and reads the discovery document and the JWKS. */
  static OidcMode register(LoadDriver driver, String dbUrl) throws Exception {
    JsonObject registered = OidcClients.add(dbUrl,
      new OidcClients.Registration("cryptact", List.of(REDIRECT.toString()), false, true, null, List.of(), null, idTokenAlg()));
    OIDCProviderMetadata provider = OIDCProviderMetadata.parse(fetch(driver.url() + "/.well-known/openid-configuration"));
    // The issuer's own address (TWOFA_PUBLIC_URL) may not be this server's port: the JWKS is read at the same path here.
    JWKSet keys = JWKSet.parse(fetch(driver.url() + provider.getJWKSetURI().getRawPath()));
    return new OidcMode(driver, registered.getString("client_id"), registered.getString("client_secret"), provider, keys);
  }

  static void run(LoadDriver driver, BenchOptions options, long pid, long databasePid, String dbUrl) throws Exception {
    OidcMode oidc = register(driver, dbUrl);
    double warmRate = Benchmark.warmUp(driver, options, oidc::login, FULL);
    if (warmRate > 0) {
      driver.ensureFree(LoadDriver.usersFor(warmRate, options.seconds(), options.clients()),
        String.format("%d s of OpenID Connect logins at the warm-up's %.0f/s", options.seconds(), warmRate));
    }
    long cpuBefore = pid > 0 ? BenchServer.cpuMillis(pid) : 0;
    long databaseBefore = databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) : 0;
    long generatorBefore = BenchServer.cpuMillis(ProcessHandle.current().pid());
    Map<String, Long> threadsBefore = pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of();
    long[] machineBefore = BenchServer.machineCpuMillis();
    Stats stats = new Stats();
    double seconds = driver.closedLoop(options.clients(), options.seconds(), () -> oidc.login(stats));
    long cpu = pid > 0 ? BenchServer.cpuMillis(pid) - cpuBefore : 0;
    long database = databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) - databaseBefore : 0;
    long generator = BenchServer.cpuMillis(ProcessHandle.current().pid()) - generatorBefore;
    Map<String, Long> threadsAfter = pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of();
    long[] machineAfter = BenchServer.machineCpuMillis();
    long logins = stats.count(FULL);
    System.out.printf("mode oidc, %d clients: %.1f logins/s (authorize, password, code, resume, token with PKCE, ID token verified)%n",
      options.clients(), logins / seconds);
    for (String step : List.of(FULL, "oidc.authorize", "oidc.lookup", "login.password", "login.totp", "oidc.resume", "oidc.token")) {
      System.out.println(stats.line(step, seconds));
    }
    System.out.println("  errors: " + stats.errors());
    Benchmark.check("oidc", stats, FULL, " 503", FULL + " 0");
    if (pid > 0 && logins > 0) {
      double perLogin = (double) cpu / logins;
      double full = Benchmark.fullCpuPerLogin();
      System.out.printf("  server CPU per login %.1f ms%s%n", perLogin,
        Double.isNaN(full) ? " (run --modes=full,oidc for the JSON-API login beside it)"
          : String.format("; the full mode's (JSON-API login) %.1f ms: x%.2f", full, perLogin / full));
      Benchmark.printSplit("server CPU per login by thread", threadsBefore, threadsAfter, logins);
      System.out.printf("  on the same cores, per login: PostgreSQL %.1f ms of CPU, the load generator (this JVM) %.1f ms%n",
        (double) database / logins, (double) generator / logins);
      System.out.println(BenchServer.machineLine(machineBefore, machineAfter, cpu + database + generator, Math.round(seconds * 1000)));
    }
  }

  /** One OpenID Connect login in a fresh browser, as far as the application's verified ID token. */
  Future<Void> login(Stats stats) {
    int user;
    try {
      user = driver.nextUser();
    } catch (RunStopped e) {
      stats.record(LoadDriver.NO_FREE_USER, 0, 0, false);
      return Future.failedFuture(e);
    }
    LoadDriver.Browser b = driver.browser();
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    URI request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "email"), clientId, REDIRECT)
      .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256).endpointURI(URI.create("/authorize"))
      .build().toURI();
    long started = System.nanoTime();
    String[] authorization = new String[1];
    return b.redirect(stats, "oidc.authorize", request.getRawPath() + "?" + request.getRawQuery())
      .compose(r -> {
        String location = String.valueOf(r.getHeader("Location"));
        if (r.statusCode() != 302 || !location.startsWith("/login?authorization=")) {
          return Future.failedFuture("authorize answered " + r.statusCode() + " " + location);
        }
        authorization[0] = location.substring(location.indexOf('=') + 1);
        return b.get(stats, "session", "/api/session", 200);
      })
      // The login screen asks whom it logs in to ("Log in to cryptact").
      .compose(r -> b.get(stats, "oidc.lookup", "/api/authorizations/" + authorization[0], 200))
      .compose(r -> b.post(stats, "login.password", "/api/login", LoadDriver.credentials(Seeder.email(user), Seeder.PASSWORD), 200))
      .compose(r -> r.statusCode() == 200
        ? b.post(stats, "login.totp", "/api/login/totp", new JsonObject().put("code", driver.code(user)), 200)
        : driver.backOff(r).compose(waited -> Future.failedFuture("password step " + r.statusCode())))
      .compose(r -> r.statusCode() == 200 ? b.redirect(stats, "oidc.resume", "/authorize/resume?authorization=" + authorization[0])
        : Future.failedFuture("totp step " + r.statusCode()))
      .compose(r -> {
        try {
          AuthorizationResponse response = AuthorizationResponse.parse(URI.create(String.valueOf(r.getHeader("Location"))));
          if (!response.indicatesSuccess() || !state.equals(response.getState()) || !issuer.equals(response.getIssuer().getValue())) {
            return Future.failedFuture("resume answered " + r.getHeader("Location"));
          }
          MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "authorization_code")
            .add("code", response.toSuccessResponse().getAuthorizationCode().getValue())
            .add("redirect_uri", REDIRECT.toString()).add("code_verifier", verifier.getValue());
          return application.postForm(stats, "oidc.token", "/token", form, basic, 200);
        } catch (Exception e) {
          return Future.failedFuture(e);
        }
      })
      .compose(r -> r.statusCode() == 200 ? verify(r.bodyAsString(), nonce) : Future.failedFuture("token " + r.statusCode()))
      .andThen(done -> stats.record(FULL, System.nanoTime() - started, 0, done.succeeded()))
      .andThen(done -> driver.release(user));
  }

  /** The application's checks of the ID token: signature (JWKS), iss, aud, times, nonce, and two factors. */
  private Future<Void> verify(String tokenResponse, Nonce nonce) {
    try {
      OIDCTokenResponse tokens = (OIDCTokenResponse) OIDCTokenResponseParser.parse(JSONObjectUtils.parse(tokenResponse));
      DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
      processor.setJWSKeySelector(keys);
      processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(clientId.getValue(),
        new JWTClaimsSet.Builder().issuer(issuer).claim("nonce", nonce.getValue()).claim("acr", "2").build(),
        Set.of("sub", "iat", "exp", "auth_time", "sid", "amr")));
      JWTClaimsSet claims = processor.process(tokens.getOIDCTokens().getIDTokenString(), null);
      return claims.getStringListClaim("amr").contains("mfa") ? Future.succeededFuture()
        : Future.failedFuture("amr without mfa: " + claims.getStringListClaim("amr"));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private static String fetch(String url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
      HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode());
    }
    return response.body();
  }
}
