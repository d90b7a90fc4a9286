package dev.twofa.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.Json;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * How the contract's records travel: between nodes as JSON written by Vert.x's Jackson mapper (readable,
 * cluster-safe, each field named once, in its record); inside one node as the record itself, since records are
 * immutable and copying them would only cost time. A body that does not decode reaches the consumer as an
 * INVALID_REQUEST, never a crash.
 */
final class BusCodec<T> implements MessageCodec<T, T> {
  private static final Set<Vertx> REGISTERED = Collections.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));
  private final Class<T> type;

  BusCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers a codec for every record of {@link Operations} on {@code vertx}, once. */
  static void registerAll(Vertx vertx) {
    synchronized (REGISTERED) {
      if (!REGISTERED.add(vertx)) {
        return;
      }
      for (Class<?> type : recordTypes()) {
        register(vertx, type);
      }
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    vertx.eventBus().registerDefaultCodec(type, new BusCodec<>(type));
  }

  private static Set<Class<?>> recordTypes() {
    Set<Class<?>> types = new LinkedHashSet<>();
    for (Field field : Operations.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == Operation.class) {
        try {
          Operation<?, ?> operation = (Operation<?, ?>) field.get(null);
          types.add(operation.requestType());
          types.add(operation.replyType());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    types.remove(Void.class);
    return types;
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    Buffer json = Json.CODEC.toBuffer(value);
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    try {
      return Json.CODEC.fromBuffer(buffer.slice(pos + 4, pos + 4 + length), type);
    } catch (RuntimeException e) {
      throw new BusFailure(ErrorCode.INVALID_REQUEST);
    }
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "twofa." + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  /** The body of a message as the operation's record; INVALID_REQUEST when it is anything else. */
  static <T> T body(Object body, Class<T> type) {
    if (body == null ? type != Void.class : !type.isInstance(body)) {
      throw new BusFailure(ErrorCode.INVALID_REQUEST);
    }
    return type.cast(body);
  }
}
