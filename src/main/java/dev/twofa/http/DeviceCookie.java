package dev.twofa.http;

import dev.twofa.bus.ClientInfo.Device;
import dev.twofa.config.PublicUrl;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The long-lived device cookie: a random value naming this browser, so auth can tell a sign-in from a browser it
 * has not seen on the account, and let a browser the account knows past the account-wide failure ceiling. The
 * value is {@code <random>.<HMAC-SHA-256 of it>} under the device-cookie key, so a value no node issued (a
 * script's fresh random one each time) is recognised and replaced, as if absent. This node only checks it,
 * sets one when the browser has none, and passes it on with every request (in {@link dev.twofa.bus.ClientInfo});
 * what it means is auth's business.
 */
final class DeviceCookie {
  static final String BASE_NAME = "twofa.device";
  /** The longest lifetime browsers accept (Chrome caps Max-Age at 400 days). */
  static final Duration MAX_AGE = Duration.ofDays(400);
  private static final String KEY = "twofa.deviceCookie";
  /** The shape of what this class sets (256 random bits and their MAC, base64url); anything else is replaced. */
  private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9_-]{43})\\.([A-Za-z0-9_-]{43})");
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String name;
  private final boolean secure;
  private final SecretKeySpec key;

  /**
   * {@code __Host-twofa.device}, Secure, when the public URL is https; {@code twofa.device} otherwise. {@code key}
   * signs the values (the same on every node).
   */
  DeviceCookie(PublicUrl publicUrl, byte[] key) {
    this.name = publicUrl.cookieName(BASE_NAME);
    this.secure = publicUrl.https();
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /** Reads the browser's device cookie, or sets a new one on this answer; mounted on /api/*. */
  void read(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(name);
    if (cookie != null && issued(cookie.getValue())) {
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

  /** True when a node with this key set {@code value}: its MAC matches, compared in constant time. */
  boolean issued(String value) {
    var parts = VALUE.matcher(value);
    return parts.matches() && MessageDigest.isEqual(mac(parts.group(1)).getBytes(StandardCharsets.US_ASCII),
      parts.group(2).getBytes(StandardCharsets.US_ASCII));
  }

  String newValue() {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    return id + "." + mac(id);
  }

  private String mac(String id) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(id.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
