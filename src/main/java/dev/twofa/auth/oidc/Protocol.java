package dev.twofa.auth.oidc;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.twofa.bus.OidcMessages.ProtocolRequest;

import java.net.URI;

/** The HTTP request Nimbus parses, rebuilt from what the edge forwarded. */
final class Protocol {
  private Protocol() {
  }

  static HTTPRequest httpRequest(ProtocolRequest request, URI endpoint) {
    HTTPRequest http = new HTTPRequest("GET".equalsIgnoreCase(request.method()) ? HTTPRequest.Method.GET
      : HTTPRequest.Method.POST, endpoint);
    if (request.contentType() != null) {
      http.setHeader("Content-Type", request.contentType());
    }
    if (request.body() != null && !request.body().isEmpty()) {
      http.setBody(request.body());
    }
    if (request.authorization() != null) {
      http.setAuthorization(request.authorization());
    }
    return http;
  }
}
