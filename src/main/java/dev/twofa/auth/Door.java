package dev.twofa.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class other rooms of auth may call: a room's service (the bus operations it answers and what other
 * rooms ask of it), or the repository through which it lets other rooms act on its tables. Everything else in a
 * room is its own business; ArchitectureTest fails the build when another room reaches past a door.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Door {
}
