package dev.twofa.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/** Headers every answer carries: a strict CSP (no inline script or style), no sniffing, no referrer, no framing. */
final class SecurityHeaders {
  static final String CONTENT_SECURITY_POLICY = contentSecurityPolicy(null);

  /** The policy; with a nonce, scripts must also carry it (the app shell's module does). */
  static String contentSecurityPolicy(String scriptNonce) {
    return String.join("; ",
      "default-src 'self'",
      scriptNonce == null ? "script-src 'self'" : "script-src 'self' 'nonce-" + scriptNonce + "'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'");
  }

  private SecurityHeaders() {
  }

  static void add(RoutingContext ctx) {
    MultiMap headers = ctx.response().headers();
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    ctx.next();
  }

  /** Only when the public URL is https: a browser that once saw it never tries plaintext for a year. */
  static void strictTransport(RoutingContext ctx) {
    ctx.response().headers().set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    ctx.next();
  }
}
