package io.webllm.engine.template;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Anything a template can call: globals, bound string/dict methods, macros, {@code loop.cycle}. */
@FunctionalInterface
interface PyCallable {

    @Nullable Object call(List<@Nullable Object> args, Map<String, @Nullable Object> kwargs);
}
