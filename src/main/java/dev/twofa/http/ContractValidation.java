package dev.twofa.http;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.analyser.ContentAnalyser;

import java.util.HashMap;
import java.util.Map;

/**
 * The router's request validation for operations without parameters (a JSON body or nothing), run on the event
 * loop with each body schema's validator built once. vertx-openapi 5.0.7 builds a new schema validator per request
 * (copying the contract's whole schema lookup table) and validates on a worker thread, which made validation a
 * fifth of the server's CPU on the second-factor step; these bodies are at most 16 KiB, so they validate in
 * microseconds where they arrive. The steps and the validator are vertx-openapi's own (RequestValidatorImpl.validateBody
 * and BaseValidator.validate), so openapi.yaml stays the one contract and the answers stay the same: 400
 * invalid_request. Operations with parameters keep the router's validation.
 */
final class ContractValidation {
  private final OpenAPIContract contract;

  ContractValidation(OpenAPIContract contract) {
    this.contract = contract;
  }

  /** Validates the route's requests here instead of in the router, if it has no parameters; before its handlers. */
  void takeOver(OpenAPIRoute route) {
    Operation operation = route.getOperation();
    if (operation.getParameters().isEmpty()) {
      route.setDoValidation(false).addHandler(handler(operation.getRequestBody()));
    }
  }

  /** The check of one operation's body: null when it passes, else why not (for tests and logs). */
  static String problem(RequestBody declared, Map<String, Validator> validators, String contentType, Buffer body) {
    if (declared == null) {
      return null;
    }
    if (body == null || body.length() == 0) {
      return declared.isRequired() ? "the body is missing" : null;
    }
    MediaType mediaType = declared.determineContentType(contentType);
    ContentAnalyser analyser = mediaType == null ? null
      : ContentAnalyser.getContentAnalyser(mediaType, contentType, body, ValidationContext.REQUEST);
    if (analyser == null) {
      return "unsupported content type";
    }
    try {
      analyser.checkSyntacticalCorrectness();
      Validator validator = validators.get(mediaType.getIdentifier());
      if (validator != null && !validator.validate(analyser.transform()).getValid()) {
        return "the body does not match its schema";
      }
      return null;
    } catch (ValidatorException e) {
      return "the body is not well-formed";
    }
  }

  /** The validator of each media type's schema, built once; none where the schema leaves the body unchecked. */
  Map<String, Validator> validators(RequestBody declared) {
    Map<String, Validator> validators = new HashMap<>();
    if (declared != null) {
      for (MediaType mediaType : declared.getContent().values()) {
        if (needsSchemaValidation(mediaType)) {
          validators.put(mediaType.getIdentifier(), contract.getSchemaRepository().validator(mediaType.getSchema()));
        }
      }
    }
    return validators;
  }

  private Handler<RoutingContext> handler(RequestBody declared) {
    Map<String, Validator> validators = validators(declared);
    return ctx -> {
      Buffer body = ctx.body() == null ? null : ctx.body().buffer();
      if (problem(declared, validators, ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), body) == null) {
        ctx.next();
      } else {
        ctx.fail(new BusFailure(ErrorCode.INVALID_REQUEST));
      }
    };
  }

  /** BaseValidator.isSchemaValidationRequired: no schema, or a bare binary string, means the body is not checked. */
  private static boolean needsSchemaValidation(MediaType mediaType) {
    if (mediaType.getSchema() == null) {
      return false;
    }
    boolean bareBinary = "string".equalsIgnoreCase(mediaType.getSchema().get("type"))
      && "binary".equalsIgnoreCase(mediaType.getSchema().get("format"))
      && mediaType.getSchema().fieldNames().size() == 2;
    return !bareBinary;
  }
}
