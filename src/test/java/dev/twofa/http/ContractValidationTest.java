package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ContractValidation takes the router's place for operations without parameters; openapi.yaml stays the contract.
 * For every such operation, a table of bodies built from its own schema (each field missing, of every wrong type,
 * empty, at and past its maxLength in ASCII, accents and emoji, off its pattern or enum; extra fields; broken
 * JSON; other content types) gets the same verdict from ContractValidation as from vertx-openapi's
 * RequestValidator (what the router ran before), and the hot login routes answer it over HTTP as the schema says.
 */
class ContractValidationTest {
  private static final List<String> CONTENT_TYPES = Arrays.asList("application/json", "application/json; charset=utf-8",
    "application/json;charset=UTF-8", "text/plain", null, "multipart/form-data; boundary=x", "application/hal+json");
  private static final List<String> HOT = List.of("login", "loginTotp", "loginRecovery", "signup");

  @RegisterExtension
  static TestServer server = new TestServer();
  private static Vertx vertx;
  private static OpenAPIContract contract;

  @BeforeAll
  static void loadContract() {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, "openapi.yaml").await();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  @Test
  void everyOperationWithoutParametersGetsTheRouterValidatorsVerdictOnEveryBody() {
    RequestValidator router = RequestValidator.create(vertx, contract);
    ContractValidation fast = new ContractValidation(contract);
    List<String> disagreements = new ArrayList<>();
    int checked = 0;
    int refused = 0;
    for (Operation operation : contract.operations()) {
      if (!operation.getParameters().isEmpty()) {
        continue;
      }
      var validators = fast.validators(operation.getRequestBody());
      for (String body : bodies(operation)) {
        for (String contentType : CONTENT_TYPES) {
          boolean routerRefuses = routerRefuses(router, operation, contentType, body);
          String problem = ContractValidation.problem(operation.getRequestBody(), validators, contentType,
            Buffer.buffer(body));
          if (routerRefuses != (problem != null)) {
            disagreements.add(operation.getOperationId() + " " + contentType + " " + body + ": router "
              + (routerRefuses ? "refuses" : "accepts") + ", ContractValidation " + (problem == null ? "accepts" : problem));
          }
          checked++;
          refused += routerRefuses ? 1 : 0;
        }
      }
    }
    assertEquals(List.of(), disagreements);
    assertTrue(checked > 1000 && refused > checked / 2 && refused < checked, checked + " checked, " + refused + " refused");
  }

  @Test
  void theLoginRoutesAnswerEveryBodyAsTheSchemaSays() {
    RequestValidator router = RequestValidator.create(vertx, contract);
    ApiClient client = server.newClient();
    List<String> wrong = new ArrayList<>();
    for (String operationId : HOT) {
      Operation operation = contract.operation(operationId);
      String path = "/api" + operation.getOpenAPIPath();
      for (String body : bodies(operation)) {
        ApiClient.Response response = client.postRaw(path, body, client.xsrfToken());
        if (body.getBytes(StandardCharsets.UTF_8).length > HttpVerticle.BODY_LIMIT_BYTES) {
          if (response.status() != 413 || !"payload_too_large".equals(response.error())) {
            wrong.add(operationId + " oversized body -> " + response.status() + " " + response.text());
          }
          continue;
        }
        boolean refused = routerRefuses(router, operation, "application/json", body);
        boolean invalidRequest = response.status() == 400 && "invalid_request".equals(response.error());
        if (refused != invalidRequest || response.status() >= 500) {
          wrong.add(operationId + " " + body + " -> " + response.status() + " " + response.text()
            + " (the schema " + (refused ? "refuses" : "accepts") + " it)");
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void otherContentTypesAreUnsupportedAndAMissingBodyIsAnInvalidRequest() throws Exception {
    ApiClient client = server.newClient();
    String token = client.xsrfToken();
    HttpClient http = HttpClient.newHttpClient();
    String credentials = new JsonObject().put("email", "a@example.com").put("password", "x").encode();
    for (String contentType : Arrays.asList("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
      "application/hal+json", null, "application/json")) {
      for (String body : List.of(credentials, "")) {
        if ("application/json".equals(contentType) && !body.isEmpty()) {
          continue;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/login"))
          .header("Cookie", "XSRF-TOKEN=" + token).header("X-XSRF-TOKEN", token)
          .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
          request.header("Content-Type", contentType);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        boolean json = "application/json".equals(contentType);
        assertEquals(json ? 400 : 415, response.statusCode(), contentType + " " + body + " -> " + response.body());
        assertEquals(json ? "invalid_request" : "unsupported_media_type", new JsonObject(response.body()).getString("error"));
      }
    }
    assertNotEquals(400, client.postRaw("/api/login", credentials, token).status(), "the same body as JSON passes");
  }

  private static boolean routerRefuses(RequestValidator router, Operation operation, String contentType, String body) {
    ValidatableRequestImpl request = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
      new RequestParameterImpl(Buffer.buffer(body)), contentType);
    return router.validate(request, operation.getOperationId()).transform(ar -> Future.succeededFuture(ar.failed())).await();
  }

  /** Bodies for one operation, built from its schema in openapi.yaml. */
  private static List<String> bodies(Operation operation) {
    List<String> bodies = new ArrayList<>(List.of("", " ", "{", "[]", "\"text\"", "null", "5", "true", "{}",
      "{\"a\":1,}", "{\"extra\":1}", "{\"__proto__\":{}}", "{\"\":\"\"}"));
    JsonObject schema = schemaOf(operation);
    if (schema == null) {
      return bodies;
    }
    JsonObject properties = schema.getJsonObject("properties", new JsonObject());
    List<String> required = schema.getJsonArray("required", new JsonArray()).stream().map(String::valueOf).toList();
    JsonObject valid = new JsonObject();
    required.forEach(name -> valid.put(name, validValue(properties.getJsonObject(name))));
    JsonObject full = valid.copy();
    properties.fieldNames().forEach(name -> full.put(name, validValue(properties.getJsonObject(name))));
    bodies.add(valid.encode());
    bodies.add(full.encode());
    bodies.add(valid.copy().put("extra", "x").encode());
    bodies.add(valid.copy().put("EXTRA", JsonObject.of()).encode());
    for (String name : required) {
      JsonObject missing = valid.copy();
      missing.remove(name);
      bodies.add(missing.encode());
    }
    for (String name : properties.fieldNames()) {
      JsonObject field = properties.getJsonObject(name);
      bodies.add(valid.copy().put(name.toUpperCase(), validValue(field)).encode());
      // Duplicate keys: the last one counts, for both validators.
      bodies.add("{" + "\"" + name + "\":5," + valid.copy().put(name, validValue(field)).encode().substring(1));
      for (Object wrongType : List.of(5, 1.5, -1, true, false, new JsonArray().add("x"), JsonObject.of("x", "y"))) {
        bodies.add(valid.copy().put(name, wrongType).encode());
      }
      bodies.add(valid.copy().putNull(name).encode());
      for (String text : List.of("", " ", "x", "01", "1 ", "lost_phone", "LOST_PHONE", "a@example.com", "\u3042")) {
        bodies.add(valid.copy().put(name, text).encode());
      }
      Integer max = field.getInteger("maxLength");
      if (max != null) {
        for (String unit : List.of("1", "\u00e9", "e\u0301", "\ud83d\ude00", "\u65e5")) {
          int perUnit = unit.codePointCount(0, unit.length());
          bodies.add(valid.copy().put(name, unit.repeat(max / perUnit)).encode());
          bodies.add(valid.copy().put(name, unit.repeat(max / perUnit + 1)).encode());
        }
      }
    }
    return bodies;
  }

  private static Object validValue(JsonObject field) {
    JsonArray allowed = field.getJsonArray("enum");
    return allowed != null ? allowed.getValue(0) : "1";   // "1" matches every pattern and length in the contract
  }

  /** The JSON body's schema as written in openapi.yaml, its $ref followed; null when the operation takes none. */
  private static JsonObject schemaOf(Operation operation) {
    if (operation.getRequestBody() == null) {
      return null;
    }
    JsonObject schema = operation.getRequestBody().getOpenAPIModel().getJsonObject("content")
      .getJsonObject("application/json").getJsonObject("schema");
    while (schema.containsKey("$ref")) {
      JsonObject target = contract.getRawContract();
      for (String step : schema.getString("$ref").substring(2).split("/")) {
        target = target.getJsonObject(step);
      }
      schema = target;
    }
    return schema;
  }
}
