package dev.twofa.config;

import dev.twofa.support.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A setting that holds a password in its URL never shows it: the server started with a malformed one stops with a
 * message that names the variable and the expected shape, and neither its log nor its output holds the password.
 */
class ConfigErrorsTest {
  private static final String PASSWORD = "Sup3rSecretPw";

  @Test
  void malformedUrlsWithPasswordsStopTheServerWithoutShowingThem(@TempDir Path dir) throws Exception {
    List<Map<String, String>> settings = List.of(
      Map.of("TWOFA_DB_URL", "postgresql://app:" + PASSWORD + "@db host/twofa"),
      Map.of("TWOFA_DB_URL", "postgresql://app:" + PASSWORD + "@127.0.0.1:notaport/twofa"),
      Map.of("TWOFA_DB_URL", "postgresql://app:" + PASSWORD + "@[::1/twofa"),
      Map.of("TWOFA_DB_URL", "mysql://app:" + PASSWORD + "@127.0.0.1/twofa"),
      Map.of("TWOFA_DB_URL", "postgresql://app:" + PASSWORD + "@127.0.0.1:99999/twofa"),
      Map.of("TWOFA_DB_URL", "app:" + PASSWORD + "@127.0.0.1/twofa"),
      Map.of("TWOFA_DB_URL", "postgresql://app:" + PASSWORD + "@127.0.0.1/twofa?sslmode=verify-full&sslrootcert=%zz"),
      Map.of("TWOFA_SMTP_URL", "smtps://mailer:" + PASSWORD + "@mail host:465"),
      Map.of("TWOFA_SMTP_URL", "smtp://mailer:" + PASSWORD + "@mail.example.com:587?starttls=sometimes"));
    List<String> leaks = new ArrayList<>();
    int n = 0;
    for (Map<String, String> setting : settings) {
      Map<String, String> env = new java.util.HashMap<>(setting);
      env.put("TWOFA_DATA_DIR", dir.resolve("data" + n).toString());
      env.put("TWOFA_SECRET_KEYS", "HSjQrrH5G28x5ZoEJE4y4OIqpvjy3jQT8yEbxFnECaE=");
      ServerProcess.Result result = ServerProcess.run(env, dir.resolve("run" + n++ + ".log"));
      assertTrue(result.exitCode() != 0, setting + " must stop the server: " + result.output());
      String name = setting.keySet().iterator().next();
      assertTrue(result.output().contains(name), "the message names " + name + ": " + result.output());
      if (result.output().contains(PASSWORD)) {
        leaks.add(setting + " -> " + result.output());
      }
    }
    assertEquals(List.of(), leaks);
  }

  @Test
  void theMigratorsUrlNeedsTheServingRolesUrlAndNeverShowsItsPassword() {
    IllegalArgumentException alone = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
      () -> TwofaConfig.from(Map.of("TWOFA_DB_MIGRATE_URL", "postgresql://owner:" + PASSWORD + "@db:5432/twofa")));
    assertTrue(alone.getMessage().contains("TWOFA_DB_MIGRATE_URL") && alone.getMessage().contains("TWOFA_DB_URL"),
      alone.getMessage());
    IllegalArgumentException malformed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
      () -> TwofaConfig.from(Map.of("TWOFA_DB_URL", "postgresql://app:x@db:5432/twofa",
        "TWOFA_DB_MIGRATE_URL", "postgresql://owner:" + PASSWORD + "@db host/twofa")));
    assertTrue(malformed.getMessage().startsWith("TWOFA_DB_MIGRATE_URL"), malformed.getMessage());
    assertTrue(!alone.getMessage().contains(PASSWORD) && !malformed.getMessage().contains(PASSWORD));
    TwofaConfig both = TwofaConfig.from(Map.of("TWOFA_DB_URL", "postgresql://app:x@db:5432/twofa",
      "TWOFA_DB_MIGRATE_URL", "postgresql://owner:y@db:5432/twofa"));
    assertEquals("postgresql://owner:y@db:5432/twofa", both.migratorUrl().orElseThrow());
    assertEquals("postgresql://app:x@db:5432/twofa",
      TwofaConfig.from(Map.of("TWOFA_DB_URL", "postgresql://app:x@db:5432/twofa")).migratorUrl().orElseThrow());
  }

  @Test
  void aQuotedUrlLosesItsPasswordWhateverItHolds() {
    assertEquals("cannot reach postgresql://app:***@db/twofa or smtps://m:***@mail:465",
      Redacted.urlPasswords("cannot reach postgresql://app:p w:d@db/twofa or smtps://m:x%40y@mail:465"));
    assertEquals("no URL here: a:b@c", Redacted.urlPasswords("no URL here: a:b@c"));
  }
}
