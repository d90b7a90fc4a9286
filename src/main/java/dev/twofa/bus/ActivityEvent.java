package dev.twofa.bus;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/** One entry of an Activity list. Users see {@code actor} as "support"; staff see who acted and {@code details}. */
public record ActivityEvent(String id, String at, String type, boolean success, String ip, String userAgent,
                            String actor, @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> details) {
}
