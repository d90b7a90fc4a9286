package dev.twofa.auth.account;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An address is the addr-spec a mail server delivers to: a dot-atom, @, a host name. Nothing a parser could read twice. */
class EmailsTest {
  @ParameterizedTest
  @ValueSource(strings = {"a@example.com", "first.last@example.co.jp", "o'neil+tag@example.org", "x_y-z@sub.example.io",
    "!#$%&*/=?^`{|}~@example.com", "josé@example.com", "山田@例え.jp", "user@xn--r8jz45g.jp", "a@b.co",
    "1@2.example"})
  void deliverableAddressesAreKept(String email) {
    assertTrue(Emails.canonical(email).isPresent(), email);
  }

  @ParameterizedTest
  @ValueSource(strings = {"c>,<evil@evil.example", "g;h@x.test", "i@[127.0.0.1]", "i@127.0.0.1", "i@[IPv6:::1]",
    "\"quoted\"@example.com", "\"a b\"@example.com", "a(comment)@example.com", "a@example.com(comment)",
    "a\\b@example.com", "a,b@example.com", "a:b@example.com", "<a@example.com>", "a@b@example.com",
    ".a@example.com", "a.@example.com", "a..b@example.com", "a@example..com", "a@-example.com", "a@example-.com",
    "a@example.com.", "a@.example.com", "a@example", "a@exa_mple.com", "a b@example.com",
    "a\u200b@example.com", "a@exam\u200bple.com", "a\u202e@example.com", "a@example\u2066.com", "\u200da@example.com",
    "a\ufeff@example.com", "a\u0000@example.com", "a\u0007@example.com", "a\u0085@example.com", "a@exa\nmple.com",
    "a@exam\u00a0ple.com", "a\u3000@example.com", "a@123.456", "a@example.c0m1.123"})
  void anythingElseIsRefused(String email) {
    assertEquals(Optional.empty(), Emails.canonical(email), email);
  }

  @org.junit.jupiter.api.Test
  void partsLongerThanAMailServerTakesAreRefused() {
    assertEquals(Optional.empty(), Emails.canonical("x".repeat(65) + "@example.com"));
    assertEquals(Optional.empty(), Emails.canonical("a@" + "b".repeat(64) + ".com"));
    assertTrue(Emails.canonical("x".repeat(64) + "@" + "b".repeat(63) + ".com").isPresent());
  }

  @org.junit.jupiter.api.Test
  void anAddressIsStoredInOneForm() {
    assertEquals(Optional.of("josé@example.com"), Emails.canonical("  JOSE\u0301@Example.COM "));
  }
}
