package dev.twofa.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Latencies and outcomes per step of a benchmark run. */
final class Stats {
  private final Map<String, List<Long>> micros = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

  /**
   * An answer to {@code step}: expected ones count as the step's successes; others are counted by status, and
   * their latencies kept under "step status" too (how fast a 503 comes back is a figure of its own).
   */
  void record(String step, long nanos, int status, boolean expected) {
    String key = expected ? step : step + " " + status;
    micros.computeIfAbsent(key, s -> Collections.synchronizedList(new ArrayList<>())).add(nanos / 1000);
    if (!expected) {
      outcomes.computeIfAbsent(key, s -> new LongAdder()).increment();
    }
  }

  long count(String step) {
    List<Long> list = micros.get(step);
    return list == null ? 0 : list.size();
  }

  /** The {@code q} quantile of a step's successful latencies (or of "step status" answers), in milliseconds. */
  double quantileMs(String step, double q) {
    List<Long> list = micros.get(step);
    if (list == null || list.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted;
    synchronized (list) {
      sorted = new ArrayList<>(list);
    }
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1000.0;
  }

  /** Unexpected outcomes of {@code step}, whatever their status. */
  long failed(String step) {
    return errors().entrySet().stream().filter(e -> e.getKey().startsWith(step + " ")).mapToLong(Map.Entry::getValue).sum();
  }

  Map<String, Long> errors() {
    Map<String, Long> result = new TreeMap<>();
    outcomes.forEach((k, v) -> result.put(k, v.sum()));
    return result;
  }

  String line(String step, double seconds) {
    return String.format("  %-16s %8d ok  %8.1f/s   p50 %7.2f ms   p95 %7.2f ms   p99 %7.2f ms", step, count(step),
      count(step) / seconds, quantileMs(step, 0.50), quantileMs(step, 0.95), quantileMs(step, 0.99));
  }
}
