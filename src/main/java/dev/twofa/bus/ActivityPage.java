package dev.twofa.bus;

import java.util.List;

/** A page of Activity, newest first; {@code next} is the cursor of the following page, null on the last. */
public record ActivityPage(List<ActivityEvent> events, String next) {
}
