package dev.twofa.bus;

import dev.twofa.bus.ClientInfo.Device;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The device cookie travels to auth with the client (between nodes too) and nowhere further. */
class ClientInfoTest {
  private static final String DEVICE = "q2Vw1k4mJ0b9Zx7sT3uYp8aLc6dEf5gHi1jKl2mNo3P";
  private static final ClientInfo CLIENT = new ClientInfo("203.0.113.9", "Firefox", new Device(DEVICE, true));

  @Test
  void betweenNodesTheDeviceCrossesAsJson() {
    ClientInfo decoded = Json.CODEC.fromBuffer(Json.CODEC.toBuffer(CLIENT), ClientInfo.class);
    assertEquals(CLIENT, decoded);
    assertNull(Json.CODEC.fromString("{\"ip\":\"::1\",\"userAgent\":\"x\"}", ClientInfo.class).device(),
      "a node that sends no device");
  }

  @Test
  void anEventNeverCarriesTheDevice() {
    SecurityEvent event = new SecurityEvent(1, SecurityEvent.LOGIN_PASSWORD, true, CLIENT, null, Map.of(), null);
    assertNull(event.client().device());
    assertEquals("203.0.113.9", event.client().ip());
    assertFalse(JsonObject.mapFrom(event).encode().contains(DEVICE), "what the event outbox stores");
    assertNull(SecurityEvent.of(1, SecurityEvent.LOGOUT, true, CLIENT).client().device());
  }

  @Test
  void noLogLineCanShowTheDevice() {
    assertFalse(CLIENT.toString().contains(DEVICE), CLIENT.toString());
    assertFalse(CLIENT.device().toString().contains(DEVICE));
  }
}
