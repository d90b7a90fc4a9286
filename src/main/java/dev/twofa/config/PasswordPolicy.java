package dev.twofa.config;

/**
 * Length bounds (in Unicode code points), Argon2id cost parameters, which implementation hashes
 * ({@code auto}, {@code native}, {@code java}) and how many hashes may run or wait at once.
 */
public record PasswordPolicy(int minLength, int maxLength, int argon2MemoryKiB, int argon2Iterations, int argon2Parallelism,
                             String hasher, int maxHashesInFlight) {
}
