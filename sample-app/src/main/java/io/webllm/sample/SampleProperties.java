package io.webllm.sample;

import io.webllm.engine.registry.DownloadPolicy;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the sample under {@code webllm.sample}. The model itself is chosen with {@code webllm.chat.model}.
 *
 * @param dataDirectory  where the to-do list file lives
 * @param modelCache     where downloaded models are kept; null: the engine's default cache
 * @param download       whether a model missing from the cache may be downloaded
 * @param apiKey         bearer token that {@code /v1} requires; null or empty: no key needed
 * @param maxRequestSize largest {@code /v1} request body
 * @param maxTokens      largest {@code max_tokens} a request may ask for, and the limit when it asks for none
 * @param memoryMessages messages of a chat the assistant remembers
 * @param systemPrompt   instructions the assistant gets in every chat
 */
@ConfigurationProperties("webllm.sample")
public record SampleProperties(
        @DefaultValue("data") Path dataDirectory,
        @Nullable Path modelCache,
        @DefaultValue("IF_MISSING") DownloadPolicy download,
        @Nullable String apiKey,
        @DefaultValue("256KB") DataSize maxRequestSize,
        @DefaultValue("2048") int maxTokens,
        @DefaultValue("20") int memoryMessages,
        @DefaultValue("You are a helpful assistant that manages the user's to-do list. Use the tools to read and change"
                + " the list; never invent to-dos or ids. Answer briefly.") String systemPrompt) {
}
