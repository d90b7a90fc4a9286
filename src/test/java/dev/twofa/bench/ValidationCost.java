package dev.twofa.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * What checking one second-step body ({"code":"123456"}) against openapi.yaml costs on one thread, without the
 * server: decoding it, then validating it with a schema validator built for the request (what vertx-openapi 5.0.7's
 * router does, on a worker thread) or built once (what ContractValidation does, on the event loop). Prints
 * microseconds per body; asserts nothing.
 *
 * <pre>mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.twofa.bench.ValidationCost</pre>
 */
public final class ValidationCost {
  private ValidationCost() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = OpenAPIContract.from(vertx, "openapi.yaml").await();
      JsonSchema schema = contract.operation("loginTotp").getRequestBody().determineContentType("application/json").getSchema();
      Buffer body = Buffer.buffer("{\"code\":\"123456\"}");
      Validator once = contract.getSchemaRepository().validator(schema);
      for (int round = 1; round <= 5; round++) {
        int n = 100_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          check(contract.getSchemaRepository().validator(schema), Json.decodeValue(body));
        }
        long perRequest = System.nanoTime();
        for (int i = 0; i < n; i++) {
          check(once, Json.decodeValue(body));
        }
        long builtOnce = System.nanoTime();
        for (int i = 0; i < n; i++) {
          if (Json.decodeValue(body) == null) {
            throw new IllegalStateException();
          }
        }
        long decoded = System.nanoTime();
        System.out.printf("round %d: validator built per request %.2f us, built once %.2f us, decoding alone %.2f us%n",
          round, (perRequest - start) / 1e3 / n, (builtOnce - perRequest) / 1e3 / n, (decoded - builtOnce) / 1e3 / n);
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void check(Validator validator, Object value) {
    if (!validator.validate(value).getValid()) {
      throw new IllegalStateException("the sample body should be valid");
    }
  }
}
