package dev.twofa.ops;

import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hashes refused at admission are counted by reason in /metrics, one count per 503 the clients saw. */
class AdmissionMetricsTest {
  @RegisterExtension
  static TestServer server = new TestServer()
    // One hash at a time in the whole node, at a cost that makes concurrent logins overlap.
    .with("TWOFA_HASH_QUEUE", "1")
    .with("TWOFA_ARGON2_MEMORY_KIB", "19456")
    .with("TWOFA_ARGON2_ITERATIONS", "2");

  @Test
  void refusalsAreCountedByReason() {
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    List<CompletableFuture<Response>> sent = IntStream.range(0, 8)
      .mapToObj(i -> server.newClient().postAsync("/api/login", credentials(email, PASSWORD))).toList();
    List<Response> answers = sent.stream().map(CompletableFuture::join).toList();
    long refused = answers.stream().filter(r -> r.status() == 503).count();
    assertTrue(refused > 0, "8 at once with room for one: " + answers);
    answers.stream().filter(r -> r.status() == 503).forEach(r -> {
      assertEquals("overloaded", r.error(), r.toString());
      assertTrue(r.header("Retry-After") != null, r.toString());
    });

    String metrics = server.newClient().get("/metrics").text();
    assertTrue(metrics.contains("twofa_hash_refusals_total{reason=\"hard_cap\"} " + refused + ".0"), metrics);
    assertTrue(metrics.contains("twofa_hash_refusals_total{reason=\"wait\"} 0.0"), metrics);
    assertTrue(metrics.contains("twofa_hash_refusals_total{reason=\"address_share\"} 0.0"), metrics);
    assertTrue(metrics.contains("twofa_hash_refusals_total{reason=\"account_share\"} 0.0"), metrics);
  }
}
