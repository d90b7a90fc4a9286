package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.PublicUrl;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Writes come only as JSON and only from this site's own pages, a defence beside the CSRF token: a state-changing
 * request the browser says another site sent ({@code Sec-Fetch-Site} other than {@code same-origin}, or an
 * {@code Origin} that is neither TWOFA_PUBLIC_URL's nor the address the request was sent to) is refused 403, and
 * one that is not {@code application/json} is refused 415, so no HTML form on any site can post. Programs that
 * are not browsers send neither header; the CSRF token judges them as before.
 */
final class BrowserWrites implements Handler<RoutingContext> {
  private final String publicOrigin;
  private final boolean jsonOnly;

  BrowserWrites(PublicUrl publicUrl) {
    this(publicUrl, true);
  }

  private BrowserWrites(PublicUrl publicUrl, boolean jsonOnly) {
    this.publicOrigin = origin(publicUrl.uri().getScheme(), publicUrl.uri().getRawAuthority());
    this.jsonOnly = jsonOnly;
  }

  /** The same-site check alone, for the few HTML forms served outside /api (the "Log out?" page's). */
  static BrowserWrites forms(PublicUrl publicUrl) {
    return new BrowserWrites(publicUrl, false);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String site = request.getHeader("Sec-Fetch-Site");
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (site != null && !site.equals("same-origin") || origin != null && !sameSite(origin, request)) {
      ctx.fail(new BusFailure(ErrorCode.CROSS_SITE));
    } else if (jsonOnly && !json(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      ctx.fail(new BusFailure(ErrorCode.UNSUPPORTED_MEDIA_TYPE));
    } else {
      ctx.next();
    }
  }

  /**
   * The public address, or the one this request was sent to (a test server, a node reached directly): a page of
   * another site cannot send our cookies to a host name it controls, so matching the Host header is safe.
   */
  private boolean sameSite(String origin, HttpServerRequest request) {
    String normalized = origin.toLowerCase(Locale.ROOT);
    return normalized.equals(publicOrigin)
      || request.authority() != null && normalized.equals(origin(request.scheme(), request.authority().toString()));
  }

  private static String origin(String scheme, String authority) {
    String normalized = (scheme + "://" + authority).toLowerCase(Locale.ROOT);
    // Browsers leave the default port out of Origin.
    return normalized.endsWith(":443") && normalized.startsWith("https:") ? normalized.substring(0, normalized.length() - 4)
      : normalized.endsWith(":80") && normalized.startsWith("http:") ? normalized.substring(0, normalized.length() - 3)
      : normalized;
  }

  /** application/json, with parameters (charset) or without. */
  private static boolean json(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.equalsIgnoreCase("application/json");
  }
}
