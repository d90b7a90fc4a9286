package dev.twofa.http;

import dev.twofa.config.PublicUrl;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * The session cookie: an opaque value that only auth can resolve. This node keeps no session state; it reads
 * the value, passes it on, and sets whatever new value auth answers with.
 */
final class SessionCookie {
  static final String BASE_NAME = "twofa.session";
  private static final String KEY = "twofa.sessionCookie";
  private static final String NEXT_KEY = "twofa.sessionCookie.next";
  private final String name;
  private final boolean secure;

  /** {@code __Host-twofa.session}, Secure, when the public URL is https; {@code twofa.session} otherwise. */
  SessionCookie(PublicUrl publicUrl) {
    this.name = publicUrl.cookieName(BASE_NAME);
    this.secure = publicUrl.https();
  }

  /** Remembers the presented value for the resources of this request; mounted on /api/*. */
  void read(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(name);
    if (cookie != null && !cookie.getValue().isEmpty()) {
      ctx.put(KEY, cookie.getValue());
    }
    ctx.next();
  }

  /** The value the request carries, or null; readable before {@link #read} has run (the CSRF check binds to it). */
  String presented(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(name);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  /** The value the browser holds once this answer arrives: the one set or cleared by it, else the presented one. */
  String after(RoutingContext ctx) {
    String next = ctx.get(NEXT_KEY);
    return next != null ? (next.isEmpty() ? null : next) : presented(ctx);
  }

  /** The presented value, or null. */
  static String value(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Sets a new value (a browser-session cookie: it ends with the browser, or earlier on the server). */
  void set(RoutingContext ctx, String token) {
    ctx.response().addCookie(base(token));
    ctx.put(NEXT_KEY, token);
  }

  /**
   * Tells the browser to forget the cookie, when it presented one that names nothing any more (GET /api/session
   * and logout; a refusal elsewhere leaves it, since a pending login's cookie is refused by signed-in endpoints).
   */
  void clear(RoutingContext ctx) {
    if (value(ctx) != null) {
      ctx.response().addCookie(base("").setMaxAge(0));
      ctx.put(NEXT_KEY, "");
    }
  }

  private Cookie base(String value) {
    return Cookie.cookie(name, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX).setSecure(secure);
  }
}
