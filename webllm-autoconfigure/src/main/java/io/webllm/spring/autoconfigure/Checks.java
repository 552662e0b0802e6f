package io.webllm.spring.autoconfigure;

/** Checks of property values; Spring Boot reports the exception with the property's name and origin. */
final class Checks {

    private Checks() {
    }

    static void check(boolean valid, String property, String expected, Object found) {
        if (!valid) {
            throw new IllegalArgumentException(property + " must be " + expected + " but was " + found);
        }
    }
}
