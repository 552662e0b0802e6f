package io.webllm.engine.template;

/**
 * Jinja2's default {@code Undefined}: prints empty, is falsy, iterates as empty, equals only another undefined,
 * and raises (with {@link #hint()}) when used for attribute access, arithmetic or a call.
 */
record Undefined(String hint) {

    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object attribute) {
        return new Undefined(PyValues.objectTypeRepr(owner) + " has no attribute " + PyValues.repr(attribute));
    }

    static Undefined element(Object owner, Object key) {
        return new Undefined(PyValues.objectTypeRepr(owner) + " has no element " + PyValues.repr(key));
    }

    PyException error() {
        return new PyException(hint);
    }
}
