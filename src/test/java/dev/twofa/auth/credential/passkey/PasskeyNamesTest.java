package dev.twofa.auth.credential.passkey;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The name a new passkey gets: a known provider's, else the browser and system, in the account's language. */
class PasskeyNamesTest {
  private static final String CHROME_LINUX =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
  private static final String SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15"
    + " (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
  private static final String EDGE_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    + " Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";

  @Test
  void aKnownProviderNamesItselfElseTheBrowserAndSystemDo() {
    assertEquals("Google Password Manager",
      PasskeyNames.defaultName(UUID.fromString("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), CHROME_LINUX, "en"));
    assertEquals("Passkey on Chrome / Linux", PasskeyNames.defaultName(new UUID(0, 0), CHROME_LINUX, "en"));
    assertEquals("Chrome / Linux のパスキー", PasskeyNames.defaultName(null, CHROME_LINUX, "ja"));
    assertEquals("Passkey on Safari / iOS", PasskeyNames.defaultName(null, SAFARI_IPHONE, "en"));
    assertEquals("Passkey on Edge / Windows", PasskeyNames.defaultName(null, EDGE_WINDOWS, "en"));
    assertEquals("Passkey on Browser / ?", PasskeyNames.defaultName(null, null, "en"));
  }

  @Test
  void aTypedNameIsTrimmedAndMustBeOneTo64Characters() {
    assertEquals(Optional.of("Work laptop"), PasskeyNames.clean("  Work laptop "));
    assertEquals(Optional.empty(), PasskeyNames.clean("   "));
    assertEquals(Optional.empty(), PasskeyNames.clean(null));
    assertEquals(Optional.of("鍵".repeat(64)), PasskeyNames.clean("鍵".repeat(64)));
    assertEquals(Optional.empty(), PasskeyNames.clean("鍵".repeat(65)));
  }
}
