package io.webllm.spring.autoconfigure;

import io.webllm.spring.ai.WebLlmChatModel;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Makes {@code ChatClient.entity(...)} use webllm's constrained decoding by default: the schema goes to the model as
 * a response format ({@link AdvisorParams#ENABLE_NATIVE_STRUCTURED_OUTPUT}), so the answer always parses, where other
 * providers need {@code useProviderStructuredOutput()} on each call. {@code webllm.native-structured-output=false}
 * restores Spring AI's default of format instructions in the prompt.
 */
@AutoConfiguration(after = WebLlmAutoConfiguration.class)
@ConditionalOnClass(ChatClientBuilderCustomizer.class)
@ConditionalOnBean(WebLlmChatModel.class)
@ConditionalOnProperty(name = SpringAIModelProperties.CHAT_MODEL, havingValue = WebLlmAutoConfiguration.PROVIDER,
        matchIfMissing = true)
@ConditionalOnProperty(name = WebLlmProperties.PREFIX + ".native-structured-output", havingValue = "true",
        matchIfMissing = true)
public class WebLlmChatClientAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "webLlmNativeStructuredOutput")
    public ChatClientBuilderCustomizer webLlmNativeStructuredOutput() {
        return builder -> builder.defaultAdvisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT);
    }
}
