package dev.twofa.bus;

/** What auth asks of audit beyond recording a {@link SecurityEvent}. Only auth calls audit with a user id. */
public final class AuditRequests {
  private AuditRequests() {
  }

  /** A page of a user's events before {@code before} (null: newest); {@code staffView} shows who acted and why. */
  public record ActivityQuery(long userId, int limit, Long before, boolean staffView) {
  }

  /** Events relayed from auth's outbox, each with its id (recorded once however often it comes). */
  public record EventBatch(java.util.List<SecurityEvent> events) {
  }

  /**
   * Audit's answer to a batch: an HMAC-SHA-256 of its event ids under a key only auth and audit hold, so auth drops
   * events from its outbox only once a real audit node has recorded them, whoever else answered.
   */
  public record BatchReceipt(String mac) {
    public static BatchReceipt of(byte[] key, EventBatch batch) {
      return new BatchReceipt(java.util.Base64.getEncoder().encodeToString(mac(key, batch)));
    }

    /** Constant-time comparison with the MAC this batch should have. */
    public boolean confirms(byte[] key, EventBatch batch) {
      try {
        return mac != null && java.security.MessageDigest.isEqual(mac(key, batch), java.util.Base64.getDecoder().decode(mac));
      } catch (IllegalArgumentException notBase64) {
        return false;
      }
    }

    private static byte[] mac(byte[] key, EventBatch batch) {
      try {
        javax.crypto.Mac hmac = javax.crypto.Mac.getInstance("HmacSHA256");
        hmac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        StringBuilder ids = new StringBuilder("twofa audit receipt v1");
        batch.events().forEach(event -> ids.append('\n').append(event.eventId()));
        return hmac.doFinal(ids.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
      }
    }
  }
}
