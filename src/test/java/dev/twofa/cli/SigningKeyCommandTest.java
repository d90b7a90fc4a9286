package dev.twofa.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What `rotate-signing-keys` accepts: no option (24 hours) or --publish-hours 1 to 720. */
class SigningKeyCommandTest {
  @Test
  void readsThePublishDelay() {
    assertEquals(Duration.ofHours(24), SigningKeyCommand.publishDelay(List.of()));
    assertEquals(Duration.ofHours(2), SigningKeyCommand.publishDelay(List.of("--publish-hours", "2")));
    assertEquals(Duration.ofHours(720), SigningKeyCommand.publishDelay(List.of("--publish-hours", "720")));
    for (List<String> bad : List.of(List.of("--publish-hours"), List.of("--publish-hours", "0"), List.of("--publish-hours", "721"),
        List.of("--publish-hours", "-1"), List.of("--publish-hours", "99999"), List.of("--bogus", "1"),
        List.of("--publish-hours", "1", "x"))) {
      assertThrows(IllegalArgumentException.class, () -> SigningKeyCommand.publishDelay(bad), bad.toString());
    }
  }
}
