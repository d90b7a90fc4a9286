package dev.twofa.deploy;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-compose.yml and the Dockerfile, read as data (there is no Docker engine on every build machine; .ci/run
 * also runs {@code docker compose config} where there is one): no fixed password, the nodes on a role that owns
 * nothing, PostgreSQL on an internal network without nginx and Mailpit, one image build, a stop grace period above
 * the drain, and an image that runs as a numeric non-root user with a data folder of its own.
 */
class ComposeFileTest {
  private static final Pattern GENERATED = Pattern.compile("\\$\\{([A-Z_]+):\\?[^}]+}");
  private static final String NODE_IMAGE = "twofa:local";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose() throws IOException {
    return new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    return (Map<String, Map<String, Object>>) compose().get("services");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environment(Map<String, Object> service) {
    Object environment = service.get("environment");
    return environment == null ? Map.of() : (Map<String, Object>) environment;
  }

  /** The networks a service is on (compose allows a list or a map). */
  @SuppressWarnings("unchecked")
  private static List<String> networks(Map<String, Object> service) {
    Object networks = service.get("networks");
    if (networks == null) {
      return List.of("default");
    }
    return networks instanceof List<?> list ? (List<String>) list : new ArrayList<>(((Map<String, Object>) networks).keySet());
  }

  private static List<String> nodes(Map<String, Map<String, Object>> services) {
    return services.entrySet().stream()
      .filter(s -> NODE_IMAGE.equals(s.getValue().get("image")) && !"migrate".equals(s.getKey()))
      .map(Map.Entry::getKey).toList();
  }

  @Test
  void everyPasswordAndKeyIsGeneratedNeverWrittenInTheFile() throws IOException {
    List<String> fixed = new ArrayList<>();
    for (var service : services().entrySet()) {
      for (var variable : environment(service.getValue()).entrySet()) {
        String name = variable.getKey();
        String value = String.valueOf(variable.getValue());
        boolean secret = name.contains("PASSWORD") || name.contains("SECRET") || name.endsWith("_KEY");
        if (secret && !GENERATED.matcher(value).matches()) {
          fixed.add(service.getKey() + "." + name + "=" + value);
        }
        if (value.startsWith("postgresql://")) {
          Matcher password = Pattern.compile("postgresql://[^:]+:(.*)@").matcher(value);
          assertTrue(password.find() && GENERATED.matcher(password.group(1)).matches(), service.getKey() + "." + name
            + " takes its password from .env: " + value);
        }
      }
    }
    assertEquals(List.of(), fixed, "fixed secrets");
    String script = Files.readString(Path.of("scripts/compose-env"));
    for (String variable : List.of("POSTGRES_PASSWORD", "TWOFA_DB_OWNER_PASSWORD", "TWOFA_DB_APP_PASSWORD", "TWOFA_SECRET_KEY")) {
      assertTrue(script.contains("echo \"" + variable + "=$("), "scripts/compose-env generates " + variable);
    }
    assertTrue(Files.readAllLines(Path.of(".gitignore")).contains(".env"), ".env is never committed");
  }

  @Test
  void theNodesServeWithARoleThatOwnsNothingAndOnlyTheMigrationHoldsTheOwners() throws IOException {
    var services = services();
    List<String> nodes = nodes(services);
    assertTrue(nodes.size() >= 2, "two clustered nodes: " + nodes);
    for (String node : nodes) {
      Map<String, Object> env = environment(services.get(node));
      assertTrue(String.valueOf(env.get("TWOFA_DB_URL")).startsWith("postgresql://twofa_app:"), node + " serves as twofa_app");
      assertFalse(env.containsKey("TWOFA_DB_MIGRATE_URL"), node + " never holds the owner's password");
      assertFalse(env.values().stream().anyMatch(v -> String.valueOf(v).contains("POSTGRES_PASSWORD")
        || String.valueOf(v).contains("OWNER_PASSWORD")), node + " holds neither the superuser's nor the owner's password");
      assertEquals(Map.of("migrate", Map.of("condition", "service_completed_successfully")),
        services.get(node).get("depends_on"), node + " starts once the migration succeeded");
    }
    Map<String, Object> migrate = services.get("migrate");
    assertEquals(List.of("migrate"), migrate.get("command"));
    assertTrue(String.valueOf(environment(migrate).get("TWOFA_DB_MIGRATE_URL")).startsWith("postgresql://twofa_owner:"));
    assertTrue(String.valueOf(environment(migrate).get("TWOFA_DB_URL")).startsWith("postgresql://twofa_app:"),
      "the role the migration grants the rows to");
    assertFalse(environment(migrate).containsKey("TWOFA_SECRET_KEY"), "migrating needs no key");

    String roles = Files.readString(Path.of("deploy/postgres/roles.sh"));
    assertTrue(List.of((List<?>) services.get("postgres").get("volumes")).toString()
      .contains("./deploy/postgres/roles.sh:/docker-entrypoint-initdb.d/"), "the postgres image runs roles.sh");
    for (String role : List.of("twofa_owner", "twofa_app")) {
      assertTrue(roles.contains("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'"), roles);
    }
    assertTrue(roles.contains("ALTER DATABASE twofa OWNER TO twofa_owner;"), roles);
    assertTrue(roles.contains("ALTER SCHEMA public OWNER TO twofa_owner;"), roles);
    assertFalse(roles.contains("OWNER TO twofa_app"), "the serving role owns nothing");
  }

  @Test
  @SuppressWarnings("unchecked")
  void postgresIsOnAnInternalNetworkThatNginxAndMailpitAreNotOn() throws IOException {
    Map<String, Object> compose = compose();
    var services = services();
    Map<String, Map<String, Object>> networks = (Map<String, Map<String, Object>>) compose.get("networks");
    List<String> postgresNetworks = networks(services.get("postgres"));
    assertFalse(postgresNetworks.isEmpty());
    for (String network : postgresNetworks) {
      assertEquals(Boolean.TRUE, networks.get(network).get("internal"), network + " is internal");
      for (String exposed : List.of("nginx", "mailpit")) {
        assertFalse(networks(services.get(exposed)).contains(network), exposed + " is not on " + network);
      }
    }
    assertFalse(services.get("postgres").containsKey("ports"), "PostgreSQL is not published");
    for (String node : nodes(services)) {
      Map<String, Object> nodeNetworks = (Map<String, Object>) services.get(node).get("networks");
      String clusterHost = String.valueOf(environment(services.get(node)).get("TWOFA_CLUSTER_HOST"));
      Map<String, Object> backend = (Map<String, Object>) nodeNetworks.get(postgresNetworks.get(0));
      assertEquals(List.of(clusterHost), backend.get("aliases"), node + "'s cluster ports listen on its internal address");
      assertFalse(services.get(node).containsKey("ports"), node + " publishes nothing; nginx is the way in");
    }
  }

  @Test
  void oneImageBuildAndAStopGracePeriodAboveTheDrain() throws IOException {
    var services = services();
    List<String> builds = services.entrySet().stream().filter(s -> s.getValue().containsKey("build"))
      .map(Map.Entry::getKey).toList();
    assertEquals(List.of("migrate"), builds, "one build");
    assertEquals(NODE_IMAGE, services.get("migrate").get("image"), "named, so the nodes reuse it");
    for (String node : nodes(services)) {
      assertFalse(services.get(node).containsKey("build"));
      int drain = Integer.parseInt(String.valueOf(environment(services.get(node)).get("TWOFA_SHUTDOWN_SECONDS")));
      Duration grace = Duration.parse("PT" + String.valueOf(services.get(node).get("stop_grace_period")).toUpperCase());
      assertTrue(grace.compareTo(Duration.ofSeconds(drain)) > 0, node + ": grace " + grace + " above the " + drain + " s bound");
    }
  }

  @Test
  void theImageRunsAsANumericUserThatIsNotRootWithAWritableDataFolder() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
    List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
    String user = users.get(users.size() - 1).substring(5).trim();
    assertTrue(user.matches("[1-9]\\d*:[1-9]\\d*"), "numeric uid:gid, not root (runAsNonRoot can check it): " + user);
    String uid = user.substring(0, user.indexOf(':'));
    String dockerfile = String.join("\n", lines);
    assertTrue(dockerfile.contains("mkdir -p /app/data && chown " + user + " /app/data"), "the data folder is the user's");
    assertTrue(dockerfile.contains("--uid " + uid), "the user exists in the image");
    assertTrue(lines.contains("ENV TWOFA_DATA_DIR=/app/data"), "and the server uses it");
  }
}
