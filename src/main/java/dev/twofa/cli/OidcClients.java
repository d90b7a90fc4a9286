package dev.twofa.cli;

import dev.twofa.auth.session.SessionTokens;
import dev.twofa.db.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code clients add|list|remove|rotate-secret}: the applications (OpenID Connect clients) the operator registers, run against
 * the database while the server runs. A confidential client's secret is 256 random bits shown once and stored only
 * as its SHA-256, the same hashing as session cookies and tokens: a fast hash is enough for a high-entropy value.
 */
public final class OidcClients {
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_NAME = 100;

  private OidcClients() {
  }

  /**
   * What {@code clients add} asks for: where users come back after logging in ({@code redirectUris}) and after
   * logging out ({@code postLogoutRedirectUris}, RP-initiated logout), and where the provider POSTs a logout token
   * when a session the client got tokens from ends ({@code backchannelLogoutUri}, null: none).
   */
  public record Registration(String name, List<String> redirectUris, boolean isPublic, boolean firstParty, String clientId,
                             List<String> postLogoutRedirectUris, String backchannelLogoutUri, String idTokenAlg) {
    public Registration(String name, List<String> redirectUris, boolean isPublic, boolean firstParty, String clientId) {
      this(name, redirectUris, isPublic, firstParty, clientId, List.of(), null, "RS256");
    }

    public Registration(String name, List<String> redirectUris, boolean isPublic, boolean firstParty, String clientId,
                        List<String> postLogoutRedirectUris, String backchannelLogoutUri) {
      this(name, redirectUris, isPublic, firstParty, clientId, postLogoutRedirectUris, backchannelLogoutUri, "RS256");
    }
  }

  /**
   * Reads {@code --name NAME --redirect-uri URI ... [--post-logout-redirect-uri URI ...] [--backchannel-logout-uri URI]
   * [--id-token-signed-response-alg RS256|ES256] [--public] [--first-party] [--client-id ID]}.
   */
  public static Registration parse(List<String> args) {
    String name = null;
    String clientId = null;
    String backchannel = null;
    String alg = "RS256";
    List<String> uris = new ArrayList<>();
    List<String> postLogout = new ArrayList<>();
    boolean isPublic = false;
    boolean firstParty = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--public" -> isPublic = true;
        case "--first-party" -> firstParty = true;
        case "--name", "--redirect-uri", "--client-id", "--post-logout-redirect-uri", "--backchannel-logout-uri",
             "--id-token-signed-response-alg" -> {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          String value = args.get(++i);
          if (arg.equals("--name")) {
            name = value;
          } else if (arg.equals("--client-id")) {
            clientId = value;
          } else if (arg.equals("--id-token-signed-response-alg")) {
            if (!List.of("RS256", "ES256").contains(value)) {
              throw new IllegalArgumentException("--id-token-signed-response-alg is RS256 (the default) or ES256");
            }
            alg = value;
          } else if (arg.equals("--post-logout-redirect-uri")) {
            postLogout.add(redirectUri(value));
          } else if (arg.equals("--backchannel-logout-uri")) {
            if (backchannel != null) {
              throw new IllegalArgumentException("--backchannel-logout-uri is given once");
            }
            backchannel = redirectUri(value);
          } else {
            uris.add(redirectUri(value));
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    if (name == null || name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("--name is required: the application's name as users see it (at most " + MAX_NAME + " characters)");
    }
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("at least one --redirect-uri is required");
    }
    if (clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
      throw new IllegalArgumentException("--client-id must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    return new Registration(name.strip(), List.copyOf(uris), isPublic, firstParty, clientId, List.copyOf(postLogout),
      backchannel, alg);
  }

  /**
   * A redirect URI (also a post-logout or back-channel logout URI) must be absolute https, or http on a loopback
   * address; no fragment. Returned as given.
   */
  static String redirectUri(String value) {
    String rule = "a redirect URI must be https://..., or http:// on a loopback address (127.0.0.1, [::1], localhost), without a fragment: "
      + value;
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(rule);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawFragment() != null || uri.getRawUserInfo() != null
      || !(scheme.equals("https") || scheme.equals("http") && loopback(uri.getHost()))) {
      throw new IllegalArgumentException(rule);
    }
    return value;
  }

  private static boolean loopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;   // a name other than localhost: never resolved here
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Registers the client; returns {"client_id", "client_secret"} (no secret for a public client). */
  public static JsonObject add(String dbUrl, Registration registration) throws SQLException {
    String clientId = registration.clientId() != null ? registration.clientId() : SessionTokens.newToken().substring(0, 22);
    String secret = registration.isPublic() ? null : SessionTokens.newToken();
    try (Connection connection = connect(dbUrl);
         PreparedStatement insert = connection.prepareStatement("""
           INSERT INTO oidc_clients (client_id, name, redirect_uris, secret_hash, first_party, post_logout_redirect_uris,
                                     backchannel_logout_uri, id_token_signed_response_alg)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           """)) {
      insert.setString(1, clientId);
      insert.setString(2, registration.name());
      insert.setArray(3, connection.createArrayOf("text", registration.redirectUris().toArray()));
      insert.setBytes(4, secret == null ? null : SessionTokens.hash(secret));
      insert.setBoolean(5, registration.firstParty());
      insert.setArray(6, connection.createArrayOf("text", registration.postLogoutRedirectUris().toArray()));
      insert.setString(7, registration.backchannelLogoutUri());
      insert.setString(8, registration.idTokenAlg());
      insert.execute();
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw new IllegalArgumentException("a client with the id " + clientId + " already exists");
      }
      throw e;
    }
    JsonObject out = new JsonObject().put("client_id", clientId);
    return secret == null ? out : out.put("client_secret", secret);
  }

  /** Every client, without secrets. */
  public static JsonArray list(String dbUrl) throws SQLException {
    JsonArray clients = new JsonArray();
    try (Connection connection = connect(dbUrl);
         PreparedStatement select = connection.prepareStatement(
           "SELECT client_id, name, redirect_uris, post_logout_redirect_uris, backchannel_logout_uri, id_token_signed_response_alg,"
             + " secret_hash IS NULL AS public, first_party, created_at FROM oidc_clients ORDER BY created_at, client_id");
         ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        clients.add(new JsonObject().put("client_id", rows.getString("client_id")).put("name", rows.getString("name"))
          .put("redirect_uris", new JsonArray(List.of((Object[]) rows.getArray("redirect_uris").getArray())))
          .put("post_logout_redirect_uris", new JsonArray(List.of((Object[]) rows.getArray("post_logout_redirect_uris").getArray())))
          .put("backchannel_logout_uri", rows.getString("backchannel_logout_uri"))
          .put("id_token_signed_response_alg", rows.getString("id_token_signed_response_alg"))
          .put("public", rows.getBoolean("public")).put("first_party", rows.getBoolean("first_party"))
          .put("created_at", rows.getTimestamp("created_at").toInstant().toString()));
      }
    }
    return clients;
  }

  /** Removes the client and, by cascade, its pending authorizations, codes and tokens; false when there is none. */
  public static boolean remove(String dbUrl, String clientId) throws SQLException {
    try (Connection connection = connect(dbUrl);
         PreparedStatement delete = connection.prepareStatement("DELETE FROM oidc_clients WHERE client_id = ?")) {
      delete.setString(1, clientId);
      return delete.executeUpdate() == 1;
    }
  }

  /**
   * A new secret for a confidential client, returned as {"client_id", "client_secret"}: the old one stops working at
   * once (no grace period: the operator deploys the new secret to the application first thing after). Refused for a
   * public client (it has no secret) and an unknown id.
   */
  public static JsonObject rotateSecret(String dbUrl, String clientId) throws SQLException {
    String secret = SessionTokens.newToken();
    try (Connection connection = connect(dbUrl);
         PreparedStatement update = connection.prepareStatement("""
           UPDATE oidc_clients SET secret_hash = CASE WHEN secret_hash IS NULL THEN NULL ELSE ? END
           WHERE client_id = ? RETURNING secret_hash IS NULL AS public
           """)) {
      update.setBytes(1, SessionTokens.hash(secret));
      update.setString(2, clientId);
      try (ResultSet row = update.executeQuery()) {
        if (!row.next()) {
          throw new IllegalArgumentException("No client has the id " + clientId);
        }
        if (row.getBoolean("public")) {
          throw new IllegalArgumentException("The client " + clientId
            + " is public (it proves itself with PKCE only): it has no secret to rotate");
        }
      }
    }
    return new JsonObject().put("client_id", clientId).put("client_secret", secret);
  }

  private static Connection connect(String dbUrl) throws SQLException {
    PgConnectOptions options = Database.connectOptions(dbUrl);
    return DriverManager.getConnection(Database.jdbcUrl(dbUrl), options.getUser(), options.getPassword());
  }
}
