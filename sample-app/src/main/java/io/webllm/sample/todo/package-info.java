/** The to-do list: a JSON file written atomically, the tools the assistant calls, and a live feed of changes. */
@NullMarked
package io.webllm.sample.todo;

import org.jspecify.annotations.NullMarked;
