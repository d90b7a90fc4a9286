package dev.twofa.http;

import dev.twofa.bus.ClientInfo.Device;
import dev.twofa.config.PublicUrl;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The long-lived device cookie: a random value naming this browser, so auth can tell a sign-in from a browser it
 * has not seen on the account. This node only reads it, sets one when the browser has none, and passes it on
 * with every request (in {@link dev.twofa.bus.ClientInfo}); what it means is auth's business.
 */
final class DeviceCookie {
  static final String BASE_NAME = "twofa.device";
  /** The longest lifetime browsers accept (Chrome caps Max-Age at 400 days). */
  static final Duration MAX_AGE = Duration.ofDays(400);
  private static final String KEY = "twofa.deviceCookie";
  /** What this class sets (256 bits, base64url); anything else is replaced, as if absent. */
  private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String name;
  private final boolean secure;

  /** {@code __Host-twofa.device}, Secure, when the public URL is https; {@code twofa.device} otherwise. */
  DeviceCookie(PublicUrl publicUrl) {
    this.name = publicUrl.cookieName(BASE_NAME);
    this.secure = publicUrl.https();
  }

  /** Reads the browser's device cookie, or sets a new one on this answer; mounted on /api/*. */
  void read(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(name);
    if (cookie != null && VALUE.matcher(cookie.getValue()).matches()) {
      ctx.put(KEY, new Device(cookie.getValue(), false));
    } else {
      String value = newValue();
      ctx.response().addCookie(Cookie.cookie(name, value).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX).setSecure(secure).setMaxAge(MAX_AGE.toSeconds()));
      ctx.put(KEY, new Device(value, true));
    }
    ctx.next();
  }

  /** This request's device (presented, or just issued); null where {@link #read} did not run. */
  static Device of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  private static String newValue() {
    byte[] value = new byte[32];
    RANDOM.nextBytes(value);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
  }
}
