/**
 * Spring AI's {@link org.springframework.ai.chat.model.ChatModel} on the webllm engine: {@link
 * io.webllm.spring.ai.WebLlmChatModel} and its options {@link io.webllm.spring.ai.WebLlmChatOptions}. No Spring Boot
 * code here; the auto-configuration lives in {@code io.webllm.spring.autoconfigure}.
 */
@NullMarked
package io.webllm.spring.ai;

import org.jspecify.annotations.NullMarked;
