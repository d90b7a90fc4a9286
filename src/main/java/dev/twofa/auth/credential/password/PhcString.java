package dev.twofa.auth.credential.password;

import dev.twofa.config.PasswordPolicy;

import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An argon2id hash in the PHC string format that libargon2 and BouncyCastle both write
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, unpadded standard Base64). Read strictly: anything else,
 * including other Argon2 variants and versions, is not a hash this server wrote.
 */
record PhcString(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {
  private static final Pattern FORMAT = Pattern.compile(
    "\\$argon2id\\$v=19\\$m=([1-9][0-9]{0,8}),t=([1-9][0-9]{0,8}),p=([1-9][0-9]{0,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{11,128})");

  static Optional<PhcString> parse(String encoded) {
    Matcher m = FORMAT.matcher(encoded);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      Base64.Decoder base64 = Base64.getDecoder();
      return Optional.of(new PhcString(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)), base64.decode(m.group(4)), base64.decode(m.group(5))));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a length no Base64 encoding has
    }
  }

  /** True when no cost parameter is more than {@code factor} times the configured one. */
  boolean costsAtMost(PasswordPolicy policy, int factor) {
    return memoryKiB <= (long) factor * policy.argon2MemoryKiB()
      && iterations <= (long) factor * policy.argon2Iterations()
      && parallelism <= (long) factor * policy.argon2Parallelism();
  }

  /** True when this is what the hashers write now: the configured cost, salt and hash lengths. */
  boolean current(PasswordPolicy policy) {
    return memoryKiB == policy.argon2MemoryKiB() && iterations == policy.argon2Iterations()
      && parallelism == policy.argon2Parallelism() && salt.length == PasswordHasher.SALT_BYTES
      && hash.length == PasswordHasher.HASH_BYTES;
  }

  String encoded() {
    Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + "$"
      + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
  }

  @Override
  public String toString() {
    return "PhcString[m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + "]";
  }
}
