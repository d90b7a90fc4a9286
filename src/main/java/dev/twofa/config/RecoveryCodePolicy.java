package dev.twofa.config;

/** How many recovery codes a user gets and how long each is; fixed, but said once so the browser app can show it. */
public final class RecoveryCodePolicy {
  public static final int COUNT = 8;
  public static final int LENGTH = 10;
  /** With this many codes left the owner is mailed to make new ones (and again at none); Prometheus counts such accounts. */
  public static final int FEW = 2;

  private RecoveryCodePolicy() {
  }
}
