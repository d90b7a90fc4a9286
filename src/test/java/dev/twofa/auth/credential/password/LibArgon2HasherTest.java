package dev.twofa.auth.credential.password;

import dev.twofa.config.PasswordPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibArgon2HasherTest {
  private static final PasswordPolicy DEFAULTS = new PasswordPolicy(8, 256, 19456, 2, 1, "native", 4, 1000);
  private static final PasswordPolicy CHEAP = new PasswordPolicy(8, 256, 64, 1, 1, "native", 4, 1000);

  @Test
  void eachThreadHashesInOneBufferOfTheCostsMemoryKeptForItsNextHash() {
    long[] sizes = CompletableFuture.supplyAsync(() -> {
      LibArgon2Hasher hasher = new LibArgon2Hasher(DEFAULTS);
      long before = LibArgon2Hasher.workingMemoryOfThisThread();
      String hash = hasher.hash("plum-violet-harbor-1987");
      long afterOne = LibArgon2Hasher.workingMemoryOfThisThread();
      hasher.verify(hash, "plum-violet-harbor-1987");
      hasher.hash("another-password-2024");
      return new long[] {before, afterOne, LibArgon2Hasher.workingMemoryOfThisThread()};
    }, command -> new Thread(command).start()).join();
    assertEquals(0, sizes[0], "a new thread has none");
    assertEquals(19456L * 1024, sizes[1], "m KiB, given by twofa rather than malloc'd by libargon2");
    assertEquals(sizes[1], sizes[2], "kept, not grown, by the next hashes");
  }

  @Test
  void aThreadThatVerifiedACostlierHashKeepsRoomForIt() {
    String costly = new LibArgon2Hasher(DEFAULTS).hash("plum-violet-harbor-1987");
    long[] sizes = CompletableFuture.supplyAsync(() -> {
      LibArgon2Hasher cheap = new LibArgon2Hasher(CHEAP);
      cheap.hash("a-cheap-password");
      long small = LibArgon2Hasher.workingMemoryOfThisThread();
      boolean verified = cheap.verify(costly, "plum-violet-harbor-1987");
      cheap.hash("a-cheap-password");
      return new long[] {small, verified ? 1 : 0, LibArgon2Hasher.workingMemoryOfThisThread()};
    }, command -> new Thread(command).start()).join();
    assertEquals(64L * 1024, sizes[0]);
    assertEquals(1, sizes[1], "an old hash's own parameters are read from its string");
    assertEquals(19456L * 1024, sizes[2]);
  }

  @Test
  void threadsHashingAtOnceNeverShareABuffer() throws Exception {
    // Were two threads given one buffer, their hashes would corrupt each other and BouncyCastle would reject them.
    PasswordPolicy policy = new PasswordPolicy(8, 256, 4096, 2, 1, "native", 4, 1000);
    LibArgon2Hasher hasher = new LibArgon2Hasher(policy);
    PasswordHasher reference = PasswordHasher.create("java", policy);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<String[]>> hashes = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String password = "parallel-password-" + i;
        hashes.add(threads.submit(() -> new String[] {password, hasher.hash(password)}));
      }
      for (java.util.concurrent.Future<String[]> hash : hashes) {
        String[] pair = hash.get();
        assertTrue(reference.verify(pair[1], pair[0]), pair[0]);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aStringThatIsNotAnArgon2idHashThisServerWroteNeverVerifies() {
    LibArgon2Hasher hasher = new LibArgon2Hasher(CHEAP);
    String good = hasher.hash("plum-violet-harbor-1987");
    assertTrue(hasher.verify(good, "plum-violet-harbor-1987"));
    String[] parts = good.split("\\$"); // "", argon2id, v=19, m=64,t=1,p=1, salt, hash
    for (String bad : List.of("", "$", good + "$", good.replace("argon2id", "argon2i"), good.replace("v=19", "v=16"),
      good.replace("m=64", "m=0"), good.replace("p=1", "p=0"), good.replace("m=64,t=1", "t=1,m=64"),
      "$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5] + "A", // a length no Base64 encoding has
      "$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5].substring(0, 40), // a shorter hash
      good.replace(parts[4], (parts[4].charAt(0) == 'A' ? "B" : "A") + parts[4].substring(1)))) { // another salt
      assertFalse(hasher.verify(bad, "plum-violet-harbor-1987"), bad);
    }
  }

  @Test
  void theStringRoundTripsAndHidesItsBytesFromLogs() {
    byte[] salt = new byte[16];
    byte[] hash = new byte[32];
    salt[0] = 1;
    hash[31] = 2;
    PhcString phc = new PhcString(19456, 2, 1, salt, hash);
    assertEquals("$argon2id$v=19$m=19456,t=2,p=1$AQAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAI",
      phc.encoded());
    PhcString read = PhcString.parse(phc.encoded()).orElseThrow();
    assertEquals(List.of(19456, 2, 1), List.of(read.memoryKiB(), read.iterations(), read.parallelism()));
    assertTrue(java.util.Arrays.equals(salt, read.salt()) && java.util.Arrays.equals(hash, read.hash()));
    assertEquals("PhcString[m=19456,t=2,p=1]", read.toString());
  }
}
