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
  void limitsCountAnIpv6ClientByItsNetworkAndAnIpv4OneByItsAddress() {
    assertEquals("2001:db8:1:2:0:0:0:0/64", ClientInfo.network("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64));
    assertEquals(ClientInfo.network("2001:db8:1:2::1", 64), ClientInfo.network("2001:db8:1:2:ffff::9", 64));
    assertEquals("2001:db8:1:0:0:0:0:0/48", ClientInfo.network("2001:db8:1:2::1", 48));
    assertEquals("2001:db8:1:2:0:0:0:1/128", ClientInfo.network("2001:db8:1:2::1", 128));
    assertEquals("2001:db8:1:2:8000:0:0:0/65", ClientInfo.network("2001:db8:1:2:ffff::1", 65));
    assertEquals("203.0.113.9", ClientInfo.network("203.0.113.9", 64));
    assertEquals("203.0.113.9", ClientInfo.network("::ffff:203.0.113.9", 64), "an IPv4-mapped address is IPv4");
    assertEquals("", ClientInfo.network("", 64));
    assertEquals("not:an:address:x", ClientInfo.network("not:an:address:x", 64), "never a name lookup");
    ClientInfo client = new ClientInfo("2001:db8:5:6::7", "Firefox");
    assertEquals("2001:db8:5:6::7", client.ip(), "Activity keeps the full address");
    assertEquals("2001:db8:5:6:0:0:0:0/64", client.network(), "the default /64");
    ClientInfo decoded = Json.CODEC.fromString("{\"ip\":\"2001:db8::1\",\"userAgent\":\"x\"}", ClientInfo.class);
    assertEquals("2001:db8:0:0:0:0:0:0/64", decoded.network(), "a node that sends no network");
  }

  @Test
  void noLogLineCanShowTheDevice() {
    assertFalse(CLIENT.toString().contains(DEVICE), CLIENT.toString());
    assertFalse(CLIENT.device().toString().contains(DEVICE));
  }
}
