package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.PublicUrl;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

/**
 * The CSRF token, bound to the session cookie it goes with: {@code nonce.issuedAtMillis.HMAC(key, nonce.issued.session)}
 * in the readable cookie XSRF-TOKEN (__Host-XSRF-TOKEN over https), which every write must echo as X-XSRF-TOKEN.
 * A token issued with another session cookie (another browser's, or this browser's before it logged in) is refused.
 * Nothing is stored: any HTTP node holding the CSRF key checks any token, and parallel writes of one page all pass,
 * since the token changes only when the session cookie does (the answer that sets or clears it carries a new one)
 * or when half its lifetime has passed.
 */
final class CsrfTokens implements Handler<RoutingContext> {
  static final String HEADER = "X-XSRF-TOKEN";
  private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
  /** Nodes' clocks may differ a little; a token a moment "from the future" is still one of ours. */
  private static final long SKEW_MILLIS = Duration.ofMinutes(1).toMillis();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private final SecretKeySpec key;
  private final SessionCookie sessionCookie;
  private final String cookieName;
  private final boolean secure;
  private final long lifetimeMillis;
  private final Clock clock;

  CsrfTokens(byte[] key, SessionCookie sessionCookie, PublicUrl publicUrl, Duration lifetime, Clock clock) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
    this.sessionCookie = sessionCookie;
    this.cookieName = publicUrl.cookieName("XSRF-TOKEN");
    this.secure = publicUrl.https();
    this.lifetimeMillis = lifetime.toMillis();
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String session = sessionCookie.presented(ctx);
    Cookie cookie = ctx.request().getCookie(cookieName);
    String token = cookie == null ? null : cookie.getValue();
    if (WRITES.contains(ctx.request().method()) && !(echoed(token, ctx.request().getHeader(HEADER)) && valid(token, session))) {
      ErrorResponses.send(ctx, new BusFailure(ErrorCode.CSRF));
      return;
    }
    ctx.addHeadersEndHandler(done -> {
      String next = sessionCookie.after(ctx);
      if (!fresh(token, next)) {
        ctx.response().addCookie(Cookie.cookie(cookieName, issue(next)).setPath("/").setHttpOnly(false)
          .setSecure(secure).setSameSite(CookieSameSite.LAX));
      }
    });
    ctx.next();
  }

  private static boolean echoed(String cookie, String header) {
    return cookie != null && header != null
      && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
  }

  private boolean valid(String token, String session) {
    return age(token, session) <= lifetimeMillis;
  }

  /** Valid for {@code session} and young enough to keep: a token past half its life is replaced by the answer. */
  private boolean fresh(String token, String session) {
    return age(token, session) <= lifetimeMillis / 2;
  }

  /** The token's age in milliseconds when it was issued by us for {@code session}, else Long.MAX_VALUE. */
  private long age(String token, String session) {
    if (token == null) {
      return Long.MAX_VALUE;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[1].isEmpty() || parts[1].length() > 15 || !parts[1].chars().allMatch(Character::isDigit)) {
      return Long.MAX_VALUE;
    }
    byte[] expected = mac(parts[0], parts[1], session).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.UTF_8))) {
      return Long.MAX_VALUE;
    }
    long age = clock.millis() - Long.parseLong(parts[1]);
    return age < -SKEW_MILLIS ? Long.MAX_VALUE : Math.max(age, 0);
  }

  private String issue(String session) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String nonceText = BASE64.encodeToString(nonce);
    String issued = Long.toString(clock.millis());
    return nonceText + "." + issued + "." + mac(nonceText, issued, session);
  }

  /** Neither the nonce (base64url) nor the time holds a dot, so the three parts cannot be shifted into each other. */
  private String mac(String nonce, String issued, String session) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return BASE64.encodeToString(mac.doFinal((nonce + "." + issued + "." + (session == null ? "" : session))
        .getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
