package dev.twofa.ops;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.Totp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;

/**
 * Concurrent full 2FA logins and session lookups through one HTTP node, for fault tests: every answer is kept
 * with when it was sent and when it arrived, with the codes and security events that were acknowledged, and
 * the browsers that got a session. Each worker sends its next request as soon as its last is answered (a closed
 * loop: the load follows what the server can take, with no pause to tune).
 */
final class LoginLoad {
  /** One answer, with when its request was sent and when it arrived (ms since the load was created). */
  record Answer(long sentMs, long atMs, String what, Response response) {
  }

  private final String baseUrl;
  private final long start = System.nanoTime();
  private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> accepted = new ConcurrentHashMap<>();
  private final Map<String, Integer> ackedEvents = new ConcurrentHashMap<>();
  private final Map<ApiClient, Long> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger probeLogins = new AtomicInteger();

  LoginLoad(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** Milliseconds since this load was created. */
  long now() {
    return (System.nanoTime() - start) / 1_000_000;
  }

  List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Each TOTP step ("email totp step N") or recovery code ("email recovery CODE") answered 200, and how often. */
  Map<String, Integer> accepted() {
    return accepted;
  }

  /** Per "email event-type", how many requests that record it were answered 2xx. */
  Map<String, Integer> ackedEvents() {
    return ackedEvents;
  }

  /** Full logins the probe has tried so far. */
  int probeLogins() {
    return probeLogins.get();
  }

  /** Signed-in browsers and when their login completed. */
  Map<ApiClient, Long> sessions() {
    return sessions;
  }

  /**
   * One worker: round after round over its accounts, a password step on two browsers, then the same code on both
   * at once, then a session made earlier is looked up. The code is the next TOTP step (fresh whenever the clock
   * has moved on) or the account's next recovery code; once those are used up they come round again, and must fail.
   */
  void worker(List<TestAccounts.Enrolled> mine, AtomicBoolean running) {
    Map<String, Integer> next = new HashMap<>();
    List<ApiClient> known = new ArrayList<>();
    while (running.get()) {
      for (TestAccounts.Enrolled account : mine) {
        int i = next.merge(account.email(), 1, Integer::sum) - 1;
        int codes = account.recoveryCodes().size();
        int slot = i % (codes + 1);
        boolean totp = slot == 0;
        long step = Instant.now().getEpochSecond() / 30 + 1;
        String code = totp ? Totp.code(account.secret(), Instant.ofEpochSecond(step * 30))
          : account.recoveryCodes().get(slot - 1);
        List<ApiClient> browsers = Arrays.asList(pending(account.email()), pending(account.email()));
        if (!browsers.contains(null)) {
          String path = totp ? "/api/login/totp" : "/api/login/recovery";
          long sentMs = now();
          List<CompletableFuture<Response>> sent = browsers.stream().map(b -> b.postAsync(path, code(code))).toList();
          for (int k = 0; k < sent.size(); k++) {
            Response r = sent.get(k).join();
            answered("code " + path, sentMs, r);
            if (r.status() == 200) {
              accepted.merge(account.email() + (totp ? " totp step " + step : " recovery " + code), 1, Integer::sum);
              ackedEvents.merge(account.email() + (totp ? " login.totp" : " login.recovery_code"), 1, Integer::sum);
              sessions.put(browsers.get(k), now());
              known.add(browsers.get(k));
            }
          }
        }
        if (!known.isEmpty()) {
          ApiClient earlier = known.get(i % known.size());
          long sentMs = now();
          answered("GET /api/session", sentMs, earlier.get("/api/session"));
          sentMs = now();
          answered("GET /api/account", sentMs, earlier.get("/api/account"));
        }
      }
    }
  }

  /**
   * From the moment it is called (once the killed node is known gone), one full login after another (the app's
   * first GET, password, a recovery code of the reserve accounts), each answer also in the common list; returns
   * the recovery-code step of each login tried.
   */
  List<Answer> probe(List<TestAccounts.Enrolled> reserve, AtomicBoolean running) {
    List<Answer> logins = new ArrayList<>();
    for (TestAccounts.Enrolled account : reserve) {
      for (String code : account.recoveryCodes()) {
        if (!running.get()) {
          return logins;
        }
        long sentMs = now();
        ApiClient browser = new ApiClient(baseUrl);
        Response password = passwordStep(browser, account.email());
        Response step = password.status() == 200 ? browser.post("/api/login/recovery", code(code)) : null;
        if (step == null) {
          logins.add(new Answer(sentMs, now(), "probe", password));
          probeLogins.incrementAndGet();
        } else {
          answered("code /api/login/recovery", sentMs, step);
          logins.add(new Answer(sentMs, now(), "probe", step));
          probeLogins.incrementAndGet();
          if (step.status() == 200) {
            accepted.merge(account.email() + " recovery " + code, 1, Integer::sum);
            ackedEvents.merge(account.email() + " login.recovery_code", 1, Integer::sum);
            sessions.put(browser, now());
          }
        }
      }
    }
    return logins;
  }

  /** A browser past the password step, or null when the step was refused (counted in the answers). */
  private ApiClient pending(String email) {
    ApiClient browser = new ApiClient(baseUrl);
    return passwordStep(browser, email).status() == 200 ? browser : null;
  }

  /** The app's first request (which hands out the CSRF cookie and goes to auth too), then the password step. */
  private Response passwordStep(ApiClient browser, String email) {
    long sentMs = now();
    answered("GET /api/session", sentMs, browser.get("/api/session"));
    sentMs = now();
    Response login = browser.post("/api/login", credentials(email, PASSWORD));
    answered("POST /api/login", sentMs, login);
    if (login.status() == 200) {
      ackedEvents.merge(email + " login.password", 1, Integer::sum);
    }
    return login;
  }

  /** Full logins and 503s (arrived) per second from {@code fromMs} to {@code toMs}, seconds counted from {@code zeroMs}. */
  static String timeline(List<Answer> all, long fromMs, long toMs, long zeroMs) {
    Map<Long, String> seconds = new TreeMap<>();
    for (long second = (fromMs - zeroMs) / 1000; second < (toMs - zeroMs) / 1000; second++) {
      long from = zeroMs + second * 1000;
      List<Answer> in = all.stream().filter(a -> a.atMs() >= from && a.atMs() < from + 1000).toList();
      seconds.put(second, in.stream().filter(a -> a.what().startsWith("code") && a.response().status() == 200).count()
        + "/" + in.stream().filter(a -> a.response().status() == 503).count());
    }
    return seconds.toString();
  }

  /** Notes an answer with the time it arrived. */
  private void answered(String what, long sentMs, Response response) {
    answers.add(new Answer(sentMs, now(), what, response));
  }
}
