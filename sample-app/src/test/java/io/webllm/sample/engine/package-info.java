/** The app end to end on the real engine (LocalEngine on OpenCL, PoCL without a GPU) and stories260K. */
@NullMarked
package io.webllm.sample.engine;

import org.jspecify.annotations.NullMarked;
