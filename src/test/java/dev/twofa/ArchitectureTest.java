package dev.twofa;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.twofa.auth.Door;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The boundaries the build enforces, read from the compiled classes (so a fully qualified name counts like an
 * import): the verticles meet only through the bus contract; auth's rooms meet only through their doors; and no
 * room's SQL names a table another room owns.
 */
class ArchitectureTest {
  private static final String[] TOP = {"http", "auth", "audit", "bus", "config", "db", "cluster", "cli", "logging", "tracing"};
  /** Who may use whom among dev.twofa's packages (the root package, Main and MainVerticle, assembles them all). */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
    "http", Set.of("bus", "config"),
    "auth", Set.of("bus", "config", "db"),
    "audit", Set.of("bus", "config", "db"),
    "bus", Set.of(),
    "config", Set.of(),
    "db", Set.of("config"),
    "cluster", Set.of("config"),
    "cli", Set.of("config", "db", "auth"),
    "logging", Set.of(),
    "tracing", Set.of());
  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.twofa");
  }

  @Test
  void packagesUseOnlyWhatTheyMay() {
    for (Map.Entry<String, Set<String>> rule : ALLOWED.entrySet()) {
      String[] forbidden = Stream.of(TOP).filter(p -> !p.equals(rule.getKey()) && !rule.getValue().contains(p))
        .map(p -> "dev.twofa." + p + "..").toArray(String[]::new);
      noClasses().that().resideInAPackage("dev.twofa." + rule.getKey() + "..")
        .should().dependOnClassesThat().resideInAnyPackage(forbidden)
        .because(rule.getKey() + " may use only " + rule.getValue()).check(main);
    }
  }

  @Test
  void theCommandLineUsesOnlyAuthsDoors() {
    classes().that().resideInAPackage("dev.twofa.cli..")
      .should(new ReachAuthOnlyThroughDoors(cls -> "cli")).check(main);
  }

  @Test
  void roomsMeetOnlyAtTheirDoors() {
    classes().that().resideInAPackage("dev.twofa.auth..")
      .should(new ReachAuthOnlyThroughDoors(ArchitectureTest::room)).check(main);
  }

  /** The auth room a class lives in: the first package under dev.twofa.auth ("" for the verticle and its wiring). */
  static String room(JavaClass cls) {
    String rest = cls.getPackageName().substring("dev.twofa.auth".length());
    return rest.isEmpty() ? "" : rest.substring(1).split("\\.")[0];
  }

  /** Another room's class is reached only when it is a door, a value (record, enum, interface) or nested in a door. */
  private static final class ReachAuthOnlyThroughDoors extends ArchCondition<JavaClass> {
    private final java.util.function.Function<JavaClass, String> roomOf;

    ReachAuthOnlyThroughDoors(java.util.function.Function<JavaClass, String> roomOf) {
      super("reach other rooms of auth only through their doors");
      this.roomOf = roomOf;
    }

    @Override
    public void check(JavaClass cls, ConditionEvents events) {
      for (Dependency dependency : cls.getDirectDependenciesFromSelf()) {
        JavaClass target = dependency.getTargetClass().getBaseComponentType();
        if (!target.getPackageName().startsWith("dev.twofa.auth") || roomOf.apply(cls).equals(room(target))) {
          continue;
        }
        if (!isDoorOrValue(target)) {
          events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
        }
      }
    }

    private static boolean isDoorOrValue(JavaClass target) {
      if (target.getName().equals(Door.class.getName())) {
        return true;
      }
      boolean value = target.isEnum() || target.isInterface() || target.getRawSuperclass()
        .map(superclass -> superclass.getName().equals("java.lang.Record")).orElse(false);
      Optional<JavaClass> door = Optional.of(target);
      while (door.isPresent()) {
        if (door.get().isAnnotatedWith(Door.class)) {
          return true;
        }
        door = door.get().getEnclosingClass();
      }
      return value && target.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC);
    }
  }

  /** Which room owns (is the only one to name in SQL) each table; audit owns its own. */
  private static final Map<String, String> OWNER = Map.ofEntries(
    Map.entry("users", "account"),
    Map.entry("sessions", "session"),
    Map.entry("pending_logins", "session"),
    Map.entry("recovery_codes", "credential"),
    Map.entry("twofa_checkups", "credential"),
    Map.entry("passkeys", "credential"),
    Map.entry("passkey_challenges", "credential"),
    Map.entry("throttle_attempts", "throttle"),
    Map.entry("account_links", "links"),
    Map.entry("email_verifications", "links"),
    Map.entry("support_requests", "support"),
    Map.entry("event_outbox", "events"),
    Map.entry("mail_outbox", "notify"),
    Map.entry("known_devices", "notify"),
    Map.entry("sign_in_digests", "notify"),
    Map.entry("sign_in_notices", "notify"),
    Map.entry("oidc_clients", "oidc"),
    Map.entry("oidc_subjects", "oidc"),
    Map.entry("oidc_signing_keys", "oidc"),
    Map.entry("oidc_authorizations", "oidc"),
    Map.entry("oidc_codes", "oidc"),
    Map.entry("oidc_tokens", "oidc"),
    Map.entry("oidc_consents", "oidc"),
    Map.entry("oidc_app_access", "oidc"),
    Map.entry("trusted_browsers", "trust"),
    Map.entry("two_factor_requirements", "requirement"),
    Map.entry("oidc_logouts", "oidc"),
    Map.entry("oidc_session_clients", "oidc"),
    Map.entry("oidc_logout_outbox", "oidc"),
    Map.entry("security_events", "audit"));
  /** A table named where SQL reads or writes one: FROM, JOIN, INTO, UPDATE, DELETE FROM, TABLE. */
  private static final Pattern TABLE = Pattern.compile("(?i)\\b(?:from|join|into|update|table)\\s+([a-z_]+)\\b");
  private static final Pattern STRING = Pattern.compile("\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"", Pattern.DOTALL);

  @Test
  void noRoomsSqlNamesAnotherRoomsTable() throws IOException {
    Set<String> crossings = new TreeSet<>();
    Path auth = Path.of("src/main/java/dev/twofa/auth");
    try (Stream<Path> files = Files.walk(auth)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String relative = auth.relativize(file).toString().replace('\\', '/');
        String room = relative.contains("/") ? relative.substring(0, relative.indexOf('/')) : "";
        String source = Files.readString(file).replaceAll("(?m)^\\s*(//|\\*|/\\*\\*).*$", "");
        Matcher string = STRING.matcher(source);
        while (string.find()) {
          String literal = string.group(1) != null ? string.group(1) : string.group(2);
          Matcher table = TABLE.matcher(literal);
          while (table.find()) {
            String owner = OWNER.get(table.group(1).toLowerCase());
            if (owner != null && !owner.equals(room)) {
              crossings.add(relative.replace(".java", "") + " -> " + table.group(1).toLowerCase());
            }
          }
        }
      }
    }
    Path migrations = Path.of("src/main/resources/db/migration");
    try (Stream<Path> files = Files.list(migrations)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("R__")).toList()) {
        String name = file.getFileName().toString();
        String room = name.substring("R__".length(), name.length() - ".sql".length());
        Matcher table = TABLE.matcher(Files.readString(file).replaceAll("(?m)--.*$", ""));
        while (table.find()) {
          String owner = OWNER.get(table.group(1).toLowerCase());
          if (owner != null && !owner.equals(room)) {
            crossings.add(name + " -> " + table.group(1).toLowerCase());
          }
        }
      }
    }
    assertEquals(Set.of(), crossings, "other rooms' tables are read through their owner's SQL functions (R__<room>.sql)");
  }
}
