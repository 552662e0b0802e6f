package io.webllm.engine.template;

import java.util.List;

/** A Python tuple (from {@code items()}, {@code dictsort}, tuple literals): prints as {@code (a, b)}. */
record PyTuple(List<Object> items) { }
