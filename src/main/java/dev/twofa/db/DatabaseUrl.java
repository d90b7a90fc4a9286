package dev.twofa.db;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One {@code postgresql://user:password@host:port/database?sslmode=...} URL read the same way for both drivers,
 * so Flyway and the command line (JDBC) reach the database with the TLS settings the pools (Vert.x) use.
 * Parameters follow libpq: sslmode, sslrootcert, sslcert, sslkey, application_name, options, connect_timeout.
 */
record DatabaseUrl(URI uri, Map<String, String> rawParameters) {
  /** In the JDBC URL's authority and path, or passed to DriverManager apart: never repeated in its query. */
  private static final Set<String> NOT_IN_JDBC_QUERY = Set.of("user", "password", "host", "hostaddr", "port", "dbname");
  /** libpq's name on the left, pgjdbc's on the right, where they differ. */
  private static final Map<String, String> JDBC_NAMES = Map.of("connect_timeout", "connectTimeout");
  private static final Path LIBPQ_DEFAULT_ROOT_CERT = Path.of(System.getProperty("user.home"), ".postgresql", "root.crt");

  static DatabaseUrl parse(String url) {
    URI uri = URI.create(url);
    Map<String, String> parameters = new LinkedHashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int equals = pair.indexOf('=');
        if (!pair.isEmpty()) {
          parameters.put(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
        }
      }
    }
    return new DatabaseUrl(uri, parameters);
  }

  String parameter(String name) {
    String raw = rawParameters.get(name);
    return raw == null ? null : URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }

  PgConnectOptions connectOptions() {
    PgConnectOptions options = PgConnectOptions.fromUri(uri.toString());
    // A URL's application_name or options replaces the client's whole startup map, DateStyle and encoding included.
    Map<String, String> properties = new HashMap<>(PgConnectOptions.DEFAULT_PROPERTIES);
    properties.putAll(options.getProperties());
    options.setProperties(properties);
    if (options.getSslMode() != SslMode.DISABLE) {
      options.setSslOptions(sslOptions(options.getSslMode()));
    }
    return options;
  }

  /** libpq's meaning of each mode: without a root certificate, require/prefer/allow encrypt but trust any certificate. */
  private ClientSSLOptions sslOptions(SslMode mode) {
    ClientSSLOptions ssl = new ClientSSLOptions();
    boolean verify = mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL;
    String rootCert = parameter("sslrootcert");
    if (rootCert == null && verify && Files.isReadable(LIBPQ_DEFAULT_ROOT_CERT)) {
      rootCert = LIBPQ_DEFAULT_ROOT_CERT.toString();
    }
    if (rootCert != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(rootCert));
    } else if (verify) {
      throw new IllegalArgumentException("sslmode=" + parameter("sslmode") + " needs sslrootcert=<CA certificate file>");
    } else {
      ssl.setTrustAll(true);
    }
    ssl.setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
    if (parameter("sslcert") != null && parameter("sslkey") != null) {
      ssl.setKeyCertOptions(new PemKeyCertOptions().setCertPath(parameter("sslcert")).setKeyPath(parameter("sslkey")));
    }
    return ssl;
  }

  /** The same database as a JDBC URL, parameters kept (user and password go to DriverManager separately). */
  String jdbcUrl() {
    PgConnectOptions options = PgConnectOptions.fromUri(uri.toString());
    String host = options.getHost().contains(":") ? "[" + options.getHost() + "]" : options.getHost();
    String query = rawParameters.entrySet().stream()
      .filter(parameter -> !NOT_IN_JDBC_QUERY.contains(parameter.getKey()))
      .map(parameter -> JDBC_NAMES.getOrDefault(parameter.getKey(), parameter.getKey()) + "=" + parameter.getValue())
      .collect(Collectors.joining("&"));
    return "jdbc:postgresql://" + host + ":" + options.getPort() + "/" + options.getDatabase()
      + (query.isEmpty() ? "" : "?" + query);
  }

  /** This URL with another database name; credentials, host and parameters unchanged. */
  String withDatabase(String name) {
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/" + name
      + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }
}
