package dev.twofa.bus;

/**
 * One request/reply operation of the bus contract: the address it is served at and the record that travels
 * each way. A {@code Void} reply is an empty acknowledgement.
 */
public record Operation<Q, R>(String address, Class<Q> requestType, Class<R> replyType) {
}
