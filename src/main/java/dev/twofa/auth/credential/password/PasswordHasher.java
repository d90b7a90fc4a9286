package dev.twofa.auth.credential.password;

import dev.twofa.config.PasswordPolicy;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id in the PHC string format, from one of two maintained implementations that read each other's hashes:
 * libargon2 (the reference C code, through argon2-jvm and JNA: the fastest here) or BouncyCastle's pure Java
 * (through Spring Security's encoder) where the native library does not load. Blocking: call it on a worker.
 */
public interface PasswordHasher {
  int SALT_BYTES = 16;
  int HASH_BYTES = 32;

  String name();

  String hash(String password);

  boolean verify(String phcHash, String password);

  /** {@code native}, {@code java}, or {@code auto}: native when libargon2 loads here, else pure Java. */
  static PasswordHasher create(String choice, PasswordPolicy policy) {
    return switch (choice) {
      case "native" -> new LibArgon2Hasher(policy);
      case "java" -> new PureJava(policy);
      default -> {
        try {
          LibArgon2Hasher.probe(); // at the smallest cost: this runs where the verticle starts, an event loop
          yield new LibArgon2Hasher(policy);
        } catch (LinkageError e) {
          yield new PureJava(policy);
        }
      }
    };
  }

  final class PureJava implements PasswordHasher {
    private final Argon2PasswordEncoder encoder;

    PureJava(PasswordPolicy policy) {
      this.encoder = new Argon2PasswordEncoder(SALT_BYTES, HASH_BYTES, policy.argon2Parallelism(),
        policy.argon2MemoryKiB(), policy.argon2Iterations());
    }

    @Override
    public String name() {
      return "bouncycastle";
    }

    @Override
    public String hash(String password) {
      return encoder.encode(password);
    }

    @Override
    public boolean verify(String phcHash, String password) {
      return encoder.matches(password, phcHash);
    }
  }
}
