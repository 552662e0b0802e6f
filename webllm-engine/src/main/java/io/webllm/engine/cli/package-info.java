/** The {@code ./webllm} command-line tool: inspect, synth, tokenize, generate, chat, bench, serve-bench, perplexity, devices. */
@NullMarked
package io.webllm.engine.cli;

import org.jspecify.annotations.NullMarked;
