package dev.twofa.config;

import java.time.Duration;

/** At most {@code maxAttempts} within any sliding {@code window}. */
public record ThrottlePolicy(int maxAttempts, Duration window) {
}
