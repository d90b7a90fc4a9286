package dev.twofa.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The shape every refusal has: a status, an error code, and a sentence for a person. */
public final class ApiAssertions {
  private ApiAssertions() {
  }

  public static void assertError(ApiClient.Response response, int status, String error) {
    assertEquals(status, response.status(), response.toString());
    assertEquals(error, response.error(), response.toString());
    assertNotNull(response.json().getString("message"));
  }
}
