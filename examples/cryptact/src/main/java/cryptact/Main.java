package cryptact;

import io.vertx.core.Vertx;

/** Runs cryptact: {@code mvn -q -f examples/cryptact exec:java} (settings: see {@link Settings}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    Settings settings = Settings.from(System.getenv());
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new CryptactApp(settings))
      .onSuccess(id -> System.out.println("cryptact on " + settings.url() + " (logs in with " + settings.issuer() + ")"))
      .onFailure(e -> {
        System.err.println("cryptact did not start: " + e.getMessage());
        vertx.close();
      });
  }
}
