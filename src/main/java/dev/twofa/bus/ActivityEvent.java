package dev.twofa.bus;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** One entry of an Activity list. Users see {@code actor} as "support"; staff see who acted and {@code details}. */
@JsonIgnoreProperties(value = "browser", allowGetters = true)
public record ActivityEvent(String id, String at, String type, boolean success, String ip, String userAgent,
                            String actor, @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> details) {
  /** The browser and system the User-Agent names: what Activity shows ({@link Browser}, the one list of names). */
  @JsonProperty("browser")
  public Browser browser() {
    return Browser.of(userAgent);
  }
}
