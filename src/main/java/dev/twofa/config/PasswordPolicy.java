package dev.twofa.config;

/** Length bounds (in Unicode code points) and Argon2id cost parameters. */
public record PasswordPolicy(int minLength, int maxLength, int argon2MemoryKiB, int argon2Iterations, int argon2Parallelism) {
}
