package dev.twofa.ops;

import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hashes refused at admission are counted by reason in /metrics, one count per 503 the clients saw; a client
 * back before its Retry-After gets its 503 late (held while its first refusal is answered at once).
 */
class AdmissionMetricsTest {
  @RegisterExtension
  static TestServer server = new TestServer()
    // One hash at a time in the whole node, at a cost that makes concurrent logins overlap.
    .with("TWOFA_HASH_QUEUE", "1")
    .with("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32")
    .with("TWOFA_ARGON2_MEMORY_KIB", "19456")
    .with("TWOFA_ARGON2_ITERATIONS", "2");

  @Test
  void refusalsAreCountedByReason() {
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    Map<String, Double> before = refusalsByReason();
    List<CompletableFuture<Response>> sent = IntStream.range(0, 8)
      .mapToObj(i -> server.newClient().postAsync("/api/login", credentials(email, PASSWORD))).toList();
    List<Response> answers = sent.stream().map(CompletableFuture::join).toList();
    long refused = answers.stream().filter(r -> r.status() == 503).count();
    assertTrue(refused > 0, "8 at once with room for one: " + answers);
    answers.stream().filter(r -> r.status() == 503).forEach(r -> {
      assertEquals("overloaded", r.error(), r.toString());
      assertTrue(r.header("Retry-After") != null, r.toString());
    });

    Map<String, Double> after = refusalsByReason();
    assertEquals(Map.of("hard_cap", (double) refused, "wait", 0.0, "address_share", 0.0, "account_share", 0.0),
      Map.of("hard_cap", after.get("hard_cap") - before.get("hard_cap"), "wait", after.get("wait") - before.get("wait"),
        "address_share", after.get("address_share") - before.get("address_share"),
        "account_share", after.get("account_share") - before.get("account_share")));
  }

  /** twofa_hash_refusals_total by reason, as /metrics shows it now. */
  private static Map<String, Double> refusalsByReason() {
    Matcher counts = Pattern.compile("twofa_hash_refusals_total\\{reason=\"(\\w+)\"} (\\S+)")
      .matcher(server.managementClient().get("/metrics").text());
    Map<String, Double> byReason = new HashMap<>();
    while (counts.find()) {
      byReason.put(counts.group(1), Double.parseDouble(counts.group(2)));
    }
    return byReason;
  }

  /**
   * The hold is the server's (a second, on a timer), so the test asserts its outcome, not its length: when the
   * first refusal has been answered, a repeat refusal to the same address is still unanswered.
   */
  @Test
  void aClientBackBeforeItsRetryAfterGetsItsRefusalLate() {
    // Eight at once from one address with room for one: the first refusal goes at once, and the rest come from
    // an address already told to wait.
    assertARepeatIsHeld(i -> "127.0.0.1");
  }

  @Test
  void anIpv6ClientIsHeldByItsSlash64WhateverAddressOfItAsks() {
    assertARepeatIsHeld(i -> "2001:db8:99:1::" + Integer.toHexString(i + 1));
  }

  private static void assertARepeatIsHeld(java.util.function.IntFunction<String> address) {
    String email = TestAccounts.uniqueEmail();
    new TestAccounts(server).signedUp(email);
    List<CompletableFuture<Response>> sent = IntStream.range(0, 8)
      .mapToObj(i -> server.newClient().extraHeaders("X-Forwarded-For", address.apply(i))
        .postAsync("/api/login", credentials(email, PASSWORD))).toList();
    CompletableFuture<List<Integer>> unansweredAtFirstRefusal = new CompletableFuture<>();
    for (CompletableFuture<Response> answer : sent) {
      answer.thenAccept(r -> {
        if (r.status() == 503) {
          unansweredAtFirstRefusal.complete(
            IntStream.range(0, sent.size()).filter(i -> !sent.get(i).isDone()).boxed().toList());
        }
      });
    }
    List<Response> answers = sent.stream().map(CompletableFuture::join).toList();
    long refusals = answers.stream().filter(r -> r.status() == 503).count();
    assertTrue(refusals >= 2, "refused: " + answers);
    List<Integer> waiting = unansweredAtFirstRefusal.join();
    assertTrue(waiting.stream().anyMatch(i -> answers.get(i).status() == 503), "a repeat is held: when the first "
      + "refusal was answered, another was not yet; unanswered then " + waiting + " of " + answers);
  }
}
