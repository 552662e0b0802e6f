/**
 * Spring Boot auto-configuration for webllm: {@code webllm.*} properties, one {@link
 * io.webllm.spring.ai.WebLlmChatModel} bean per configured model, download and loading progress as application events,
 * and Actuator health and info when Actuator is present.
 */
@NullMarked
package io.webllm.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
