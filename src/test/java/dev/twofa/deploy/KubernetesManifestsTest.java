package dev.twofa.deploy;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes/ read as data, since no Kubernetes schema validator installs here: every document parses and
 * has the fields its kind needs (with the API group that kind lives in today), the selectors match the pods they
 * mean, and the Deployments keep the rules: probes on the management port, resources, a non-root read-only
 * container, secrets only from Secrets, a grace period above the drain, members found through the headless
 * Service, edges without the key ring. Every TWOFA_* variable they set is documented.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("deploy/kubernetes");
  private static final Map<String, String> API_VERSIONS = Map.of(
    "Deployment", "apps/v1", "Service", "v1", "ConfigMap", "v1", "PodDisruptionBudget", "policy/v1",
    "NetworkPolicy", "networking.k8s.io/v1", "Kustomization", "kustomize.config.k8s.io/v1beta1");

  private record Manifest(Path file, Map<String, Object> doc) {
    String kind() {
      return (String) doc.get("kind");
    }

    String name() {
      return (String) map(doc, "metadata").get("name");
    }
  }

  private static List<Manifest> manifests() throws IOException {
    List<Manifest> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          if (doc != null) {
            all.add(new Manifest(file, asMap(doc, file.toString())));
          }
        }
      }
    }
    return all;
  }

  private static Manifest one(String kind, String name) throws IOException {
    return manifests().stream().filter(m -> m.kind().equals(kind) && name.equals(m.name())).findFirst()
      .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value, String where) {
    assertTrue(value instanceof Map, where + " is a mapping: " + value);
    return (Map<String, Object>) value;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertNotNull(value, "missing " + key + " in " + parent.keySet());
    return asMap(value, key);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertTrue(value instanceof List, key + " is a list in " + parent.keySet());
    return (List<Map<String, Object>>) value;
  }

  @Test
  void everyDocumentParsesWithItsKindsRequiredFieldsAndKustomizeListsEveryFile() throws IOException {
    List<Manifest> manifests = manifests();
    assertFalse(manifests.isEmpty());
    for (Manifest m : manifests) {
      String where = m.file() + " " + m.kind();
      assertTrue(API_VERSIONS.containsKey(m.kind()), where + ": a kind these manifests are meant to hold");
      assertEquals(API_VERSIONS.get(m.kind()), m.doc().get("apiVersion"), where);
      if (!m.kind().equals("Kustomization")) {
        assertTrue(m.name().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && m.name().length() <= 63, where + " name");
        assertEquals("twofa", map(map(m.doc(), "metadata"), "labels").get("app.kubernetes.io/part-of"), where);
      }
      switch (m.kind()) {
        case "Service" -> assertFalse(list(map(m.doc(), "spec"), "ports").isEmpty(), where);
        case "ConfigMap" -> map(m.doc(), "data").values().forEach(v -> assertTrue(v instanceof String, where + ": " + v));
        case "PodDisruptionBudget" -> assertTrue(map(m.doc(), "spec").containsKey("minAvailable"), where);
        default -> {
        }
      }
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> all = Files.list(DIR)) {
      all.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
        .forEach(files::add);
    }
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) manifests.stream().filter(m -> m.kind().equals("Kustomization")).findFirst()
      .orElseThrow().doc().get("resources");
    assertEquals(files, new TreeSet<>(resources), "kustomization.yaml lists every manifest");
  }

  @Test
  void eachDeploymentIsProbedOnTheManagementPortRunsAsNonRootAndTakesSecretsFromSecrets() throws IOException {
    Map<String, String> config = stringMap(map(one("ConfigMap", "twofa-config").doc(), "data"));
    int drain = Integer.parseInt(config.get("TWOFA_SHUTDOWN_SECONDS"));
    String uid = dockerfileUid();
    for (String name : List.of("twofa-edge", "twofa-auth")) {
      Map<String, Object> spec = map(one("Deployment", name).doc(), "spec");
      Map<String, Object> template = map(spec, "template");
      Map<String, Object> pod = map(template, "spec");
      assertTrue(stringMap(map(template, "metadata").get("labels"))
        .entrySet().containsAll(stringMap(map(map(spec, "selector"), "matchLabels")).entrySet()), name + " selector");
      assertTrue(((Number) pod.get("terminationGracePeriodSeconds")).intValue() > drain, name + ": grace above " + drain);
      Map<String, Object> podSecurity = map(pod, "securityContext");
      assertEquals(Boolean.TRUE, podSecurity.get("runAsNonRoot"), name);
      assertEquals(uid, String.valueOf(podSecurity.get("runAsUser")), name + " runs as the image's user");
      List<Map<String, Object>> containers = new ArrayList<>(list(pod, "containers"));
      if (pod.containsKey("initContainers")) {
        containers.addAll(list(pod, "initContainers"));
      }
      for (Map<String, Object> container : containers) {
        String where = name + "/" + container.get("name");
        assertEquals("twofa", container.get("image"), where + ": the one image (kustomize sets its registry)");
        Map<String, Object> security = map(container, "securityContext");
        assertEquals(Boolean.FALSE, security.get("allowPrivilegeEscalation"), where);
        assertEquals(Boolean.TRUE, security.get("readOnlyRootFilesystem"), where);
        assertEquals(List.of("ALL"), map(security, "capabilities").get("drop"), where);
        Map<String, Object> resources = map(container, "resources");
        assertTrue(map(resources, "requests").containsKey("cpu") && map(resources, "requests").containsKey("memory"), where);
        assertTrue(map(resources, "limits").containsKey("memory"), where);
        List<String> mounts = list(container, "volumeMounts").stream().map(v -> (String) v.get("mountPath")).toList();
        assertTrue(mounts.containsAll(List.of("/tmp", "/app/data")), where + ": writable /tmp and data folder " + mounts);
        for (Map<String, Object> variable : container.get("env") == null ? List.<Map<String, Object>>of() : list(container, "env")) {
          String variableName = (String) variable.get("name");
          boolean secret = variableName.contains("KEY") || variableName.contains("PASSWORD") || variableName.endsWith("_URL")
            && !variableName.equals("TWOFA_PUBLIC_URL");
          if (secret) {
            assertTrue(variable.containsKey("valueFrom") && map(variable, "valueFrom").containsKey("secretKeyRef"),
              where + ": " + variableName + " comes from a Secret");
          }
        }
      }
      Map<String, Object> main = list(pod, "containers").get(0);
      Map<String, Object> ports = new HashMap<>();
      list(main, "ports").forEach(p -> ports.put((String) p.get("name"), p.get("containerPort")));
      assertEquals(Integer.parseInt(config.get("TWOFA_MANAGEMENT_PORT")), ports.get("management"), name);
      assertEquals("0.0.0.0", config.get("TWOFA_MANAGEMENT_HOST"), "the kubelet reaches it on the pod's address");
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        Map<String, Object> httpGet = map(map(main, probe), "httpGet");
        assertEquals("management", httpGet.get("port"), name + " " + probe);
        assertEquals(probe.equals("readinessProbe") ? "/health/ready" : "/health/live", httpGet.get("path"), name + " " + probe);
      }
      Map<String, String> env = env(main);
      assertEquals("$(POD_IP)", env.get("TWOFA_CLUSTER_HOST"), name);
      assertTrue(env.get("TWOFA_CLUSTER_DNS").startsWith("twofa-cluster.$(POD_NAMESPACE).svc."), name + " finds members through DNS");
      assertFalse(config.containsKey("TWOFA_CLUSTER_MEMBERS") || env.containsKey("TWOFA_CLUSTER_MEMBERS"), name);
      List<String> secrets = list(main, "envFrom").stream().filter(e -> e.containsKey("secretRef"))
        .map(e -> (String) map(e, "secretRef").get("name")).toList();
      assertEquals(List.of(name), secrets, name + " takes its secrets from the Secret of its own name");
    }
    assertEquals("http", env(list(map(map(map(one("Deployment", "twofa-edge").doc(), "spec"), "template"), "spec"), "containers")
      .get(0)).get("TWOFA_VERTICLES"), "edges run HTTP only, with derive-keys' output instead of the ring");
    Map<String, Object> authPod = map(map(map(one("Deployment", "twofa-auth").doc(), "spec"), "template"), "spec");
    Map<String, Object> migrate = list(authPod, "initContainers").get(0);
    assertEquals(List.of("migrate"), migrate.get("args"));
    assertTrue(env(list(authPod, "containers").get(0)).keySet().stream().noneMatch(n -> n.equals("TWOFA_DB_MIGRATE_URL")),
      "only the init container holds the schema owner's URL");
  }

  @Test
  void theHeadlessServiceListsEveryTwofaPodAndEachBudgetItsDeployment() throws IOException {
    Map<String, Object> cluster = map(one("Service", "twofa-cluster").doc(), "spec");
    assertEquals("None", cluster.get("clusterIP"), "headless: its name answers with the pods' addresses");
    assertEquals(Boolean.TRUE, cluster.get("publishNotReadyAddresses"), "a pod is ready only after it joined");
    Map<String, String> selector = stringMap(cluster.get("selector"));
    for (String name : List.of("twofa-edge", "twofa-auth")) {
      Map<String, String> labels = stringMap(map(map(map(one("Deployment", name).doc(), "spec"), "template"), "metadata").get("labels"));
      assertTrue(labels.entrySet().containsAll(selector.entrySet()), name + " is behind twofa-cluster");
      Map<String, String> budget = stringMap(map(map(one("PodDisruptionBudget", name).doc(), "spec"), "selector").get("matchLabels"));
      assertTrue(labels.entrySet().containsAll(budget.entrySet()), "the budget " + name + " selects its pods");
    }
    assertEquals(Map.of("app.kubernetes.io/name", "twofa-edge"), stringMap(map(one("Service", "twofa-http").doc(), "spec")
      .get("selector")), "users reach the edges only");
  }

  @Test
  void everyTwofaVariableTheyUseIsDocumented() throws IOException {
    String documented = Files.readString(Path.of("docs/configuration.md"));
    Set<String> undocumented = new TreeSet<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.toList()) {
        Matcher variable = Pattern.compile("TWOFA_[A-Z0-9_]+").matcher(Files.readString(file));
        while (variable.find()) {
          if (!documented.contains("`" + variable.group() + "`")) {
            undocumented.add(variable.group());
          }
        }
      }
    }
    assertEquals(Set.of(), undocumented);
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    list(container, "env").forEach(v -> env.put((String) v.get("name"), v.get("value") == null ? "" : (String) v.get("value")));
    return env;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Map<String, String> stringMap(Object value) {
    return (Map<String, String>) (Map) asMap(value, "labels");
  }

  private static String dockerfileUid() throws IOException {
    List<String> users = Files.readAllLines(Path.of("Dockerfile")).stream().filter(l -> l.startsWith("USER ")).toList();
    String user = users.get(users.size() - 1).substring(5).trim();
    return user.substring(0, user.indexOf(':'));
  }
}
