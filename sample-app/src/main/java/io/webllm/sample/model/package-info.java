/** Loading the model in the background after the server is up, with download and load progress for the page. */
@NullMarked
package io.webllm.sample.model;

import org.jspecify.annotations.NullMarked;
