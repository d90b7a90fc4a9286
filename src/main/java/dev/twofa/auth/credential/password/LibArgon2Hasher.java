package dev.twofa.auth.credential.password;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import de.mkammerer.argon2.jna.Argon2Library;
import de.mkammerer.argon2.jna.Argon2_context;
import de.mkammerer.argon2.jna.Argon2_type;
import de.mkammerer.argon2.jna.Argon2_version;
import de.mkammerer.argon2.jna.JnaUint32;
import de.mkammerer.argon2.jna.Size_t;
import dev.twofa.config.PasswordPolicy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Argon2id by libargon2 (the reference C code, through argon2-jvm's JNA binding), given its working memory by the
 * calling thread: each hashing thread keeps one buffer of m KiB for all its hashes instead of libargon2 asking
 * malloc for m KiB each time. Left to malloc, glibc kept the freed buffers in per-thread arenas, fragmented them
 * and spread them over more arenas than threads (~110 MiB resident for two hashing threads at 19 MiB each); a
 * fresh mmap per hash instead made each hash 4 – 5× slower (page faults). A kept buffer is bounded (threads × m)
 * and warm. Blocking: call it on a worker.
 */
final class LibArgon2Hasher implements PasswordHasher {
  // argon2.h: Argon2_id, ARGON2_VERSION_13, ARGON2_FLAG_CLEAR_PASSWORD, ARGON2_OK.
  private static final Argon2_type ARGON2ID = new Argon2_type(2);
  private static final int VERSION_13 = 0x13;
  private static final int CLEAR_PASSWORD = 1;
  private static final int OK = 0;

  private static final ThreadLocal<Memory> WORKING_MEMORY = new ThreadLocal<>();

  /** {@code int allocate_fptr(uint8_t **memory, size_t bytes)}: hands out the thread's buffer, NULL when it fails. */
  public interface Allocate extends Callback {
    int invoke(Pointer memory, Size_t bytes);
  }

  /** {@code void deallocate_fptr(uint8_t *memory, size_t bytes)}: nothing; the buffer waits for the thread's next hash. */
  public interface Keep extends Callback {
    void invoke(Pointer memory, Size_t bytes);
  }

  // Static, so the GC never collects a callback libargon2 still points to.
  private static final Allocate ALLOCATE = (memory, bytes) -> {
    try {
      memory.setPointer(0, workingMemory(bytes.longValue()));
    } catch (OutOfMemoryError | IllegalArgumentException e) {
      memory.setPointer(0, null); // libargon2 answers ARGON2_MEMORY_ALLOCATION_ERROR
    }
    return 0;
  };
  private static final Keep KEEP = (memory, bytes) -> { };
  private static final Pointer ALLOCATE_FN = CallbackReference.getFunctionPointer(ALLOCATE);
  private static final Pointer KEEP_FN = CallbackReference.getFunctionPointer(KEEP);

  private final SecureRandom random = new SecureRandom();
  private final PasswordPolicy policy;

  LibArgon2Hasher(PasswordPolicy policy) {
    this.policy = policy;
  }

  /** Loads libargon2 and runs it once at the smallest cost: throws a {@link LinkageError} where it cannot load. */
  static void probe() {
    argon2id("probe".getBytes(StandardCharsets.US_ASCII), new byte[SALT_BYTES], 8, 1, 1, HASH_BYTES);
  }

  /** The calling thread's working memory in bytes (0 before its first hash). */
  static long workingMemoryOfThisThread() {
    Memory buffer = WORKING_MEMORY.get();
    return buffer == null ? 0 : buffer.size();
  }

  @Override
  public String name() {
    return "libargon2";
  }

  @Override
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = argon2id(password.getBytes(StandardCharsets.UTF_8), salt, policy.argon2MemoryKiB(),
      policy.argon2Iterations(), policy.argon2Parallelism(), HASH_BYTES);
    return new PhcString(policy.argon2MemoryKiB(), policy.argon2Iterations(), policy.argon2Parallelism(), salt, hash)
      .encoded();
  }

  @Override
  public boolean verify(String phcHash, String password) {
    return PhcString.parse(phcHash).map(stored -> MessageDigest.isEqual(stored.hash(),
        argon2id(password.getBytes(StandardCharsets.UTF_8), stored.salt(), stored.memoryKiB(), stored.iterations(),
          stored.parallelism(), stored.hash().length)))
      .orElse(false);
  }

  private static byte[] argon2id(byte[] password, byte[] salt, int memoryKiB, int iterations, int parallelism,
                                 int hashBytes) {
    try (Memory pwd = copy(password); Memory saltCopy = copy(salt); Memory out = new Memory(hashBytes)) {
      Argon2_context.ByReference context = new Argon2_context.ByReference();
      context.out = out;
      context.outlen = new JnaUint32(hashBytes);
      context.pwd = pwd;
      context.pwdlen = new JnaUint32(password.length);
      context.salt = saltCopy;
      context.saltlen = new JnaUint32(salt.length);
      context.secret = null;
      context.secretlen = new JnaUint32(0);
      context.ad = null;
      context.adlen = new JnaUint32(0);
      context.t_cost = new JnaUint32(iterations);
      context.m_cost = new JnaUint32(memoryKiB);
      context.lanes = new JnaUint32(parallelism);
      context.threads = new JnaUint32(parallelism);
      context.version = new Argon2_version(VERSION_13);
      context.allocate_cbk = ALLOCATE_FN;
      context.free_cbk = KEEP_FN;
      context.flags = new JnaUint32(CLEAR_PASSWORD);
      int result = Argon2Library.INSTANCE.argon2_ctx(context, ARGON2ID);
      if (result != OK) {
        throw new IllegalStateException("argon2id failed: " + Argon2Library.INSTANCE.argon2_error_message(result));
      }
      return out.getByteArray(0, hashBytes);
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  private static Memory copy(byte[] bytes) {
    Memory memory = new Memory(Math.max(1, bytes.length));
    memory.write(0, bytes, 0, bytes.length);
    return memory;
  }

  /** Grows only: a thread that verified a costlier old hash keeps room for it. */
  private static Memory workingMemory(long bytes) {
    Memory buffer = WORKING_MEMORY.get();
    if (buffer == null || buffer.size() < bytes) {
      if (buffer != null) {
        buffer.close();
      }
      buffer = new Memory(bytes);
      WORKING_MEMORY.set(buffer);
    }
    return buffer;
  }
}
