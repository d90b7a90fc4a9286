package dev.twofa.config;

import dev.twofa.config.MailSettings.Smtp;
import dev.twofa.config.MailSettings.StartTls;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TWOFA_SMTP_URL: TLS unless the URL itself says otherwise, and the password never printed. */
class MailSettingsTest {
  private static Smtp smtp(String url) {
    return MailSettings.parse("TWOFA_SMTP_URL", Optional.of(url), "TWOFA_MAIL_FROM", "a <a@b.c>").smtp().orElseThrow();
  }

  @Test
  void smtpRequiresStartTlsAndSmtpsIsTlsFromTheStart() {
    Smtp plain = smtp("smtp://user:p%40ss@mail.example.com:587");
    assertEquals(new Smtp("mail.example.com", 587, false, StartTls.REQUIRED, "user", "p@ss"), plain);
    Smtp tls = smtp("smtps://user:pw@mail.example.com");
    assertEquals(465, tls.port());
    assertTrue(tls.implicitTls());
    assertEquals(StartTls.OPTIONAL, smtp("smtp://mailpit:1025?starttls=optional").startTls());
    assertEquals(null, smtp("smtp://mailpit:1025?starttls=optional").username());
  }

  @Test
  void refusesOtherSchemesAndOptions() {
    for (String bad : new String[] {"http://mail.example.com", "smtp://", "smtps://h?starttls=optional", "smtp://h?tls=no"}) {
      assertThrows(IllegalArgumentException.class, () -> smtp(bad), bad);
    }
    assertThrows(IllegalArgumentException.class,
      () -> MailSettings.parse("TWOFA_SMTP_URL", Optional.empty(), "TWOFA_MAIL_FROM", "a@b\r\nBcc: x@y"));
  }

  @Test
  void withoutAUrlMailsGoToFilesAndThePasswordIsNeverPrinted() {
    assertTrue(MailSettings.parse("U", Optional.empty(), "F", "twofa <no-reply@localhost>").smtp().isEmpty());
    assertFalse(smtp("smtp://user:secret-pw@h:25").toString().contains("secret-pw"));
  }

  @Test
  void theSenderIsTheProductByDefaultAndTheVariableStillWins() {
    assertEquals("cryptact <no-reply@localhost>", TwofaConfig.from(Map.of()).mail().from());
    assertEquals("Acme <no-reply@localhost>", TwofaConfig.from(Map.of("TWOFA_PRODUCT_NAME", "Acme")).mail().from());
    // A name with a comma or quote would otherwise read as two addresses, or break the header: it is quoted.
    assertEquals("\"Acme, \\\"Inc.\\\"\" <no-reply@localhost>",
      TwofaConfig.from(Map.of("TWOFA_PRODUCT_NAME", "Acme, \"Inc.\"")).mail().from());
    assertEquals("Ops <ops@example.com>", TwofaConfig.from(Map.of("TWOFA_PRODUCT_NAME", "Acme",
      "TWOFA_MAIL_FROM", "Ops <ops@example.com>")).mail().from());
  }
}
