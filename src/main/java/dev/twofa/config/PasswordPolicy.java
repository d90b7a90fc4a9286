package dev.twofa.config;

/**
 * Length bounds (in Unicode code points), Argon2id cost parameters, which implementation hashes
 * ({@code auto}, {@code native}, {@code java}), and hash admission: a hash is admitted while its expected wait is
 * under {@code maxHashWaitMs}, and never beyond {@code maxHashesInFlight} running or waiting (a memory cap).
 */
public record PasswordPolicy(int minLength, int maxLength, int argon2MemoryKiB, int argon2Iterations, int argon2Parallelism,
                             String hasher, int maxHashesInFlight, int maxHashWaitMs) {
}
