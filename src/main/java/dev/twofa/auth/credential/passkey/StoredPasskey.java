package dev.twofa.auth.credential.passkey;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A passkey as stored: its public key (COSE) and last counter; toString names it only. */
record StoredPasskey(UUID id, long userId, byte[] credentialId, byte[] publicKey, long signCount, List<String> transports,
                     UUID aaguid, String name, Instant createdAt, Instant lastUsedAt) {
  @Override
  public String toString() {
    return "StoredPasskey[id=" + id + "]";
  }
}
