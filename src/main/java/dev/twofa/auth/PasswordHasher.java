package dev.twofa.auth;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import dev.twofa.config.PasswordPolicy;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

import java.nio.charset.StandardCharsets;

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
      case "native" -> new Native(policy);
      case "java" -> new PureJava(policy);
      default -> {
        try {
          Native hasher = new Native(policy);
          hasher.verify(hasher.hash("probe"), "probe");
          yield hasher;
        } catch (LinkageError e) {
          yield new PureJava(policy);
        }
      }
    };
  }

  final class Native implements PasswordHasher {
    private final Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id, SALT_BYTES, HASH_BYTES);
    private final PasswordPolicy policy;

    Native(PasswordPolicy policy) {
      this.policy = policy;
    }

    @Override
    public String name() {
      return "libargon2";
    }

    @Override
    public String hash(String password) {
      return argon2.hash(policy.argon2Iterations(), policy.argon2MemoryKiB(), policy.argon2Parallelism(),
        password.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean verify(String phcHash, String password) {
      return argon2.verify(phcHash, password.getBytes(StandardCharsets.UTF_8));
    }
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
