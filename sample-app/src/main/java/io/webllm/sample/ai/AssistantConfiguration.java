package io.webllm.sample.ai;

import io.webllm.sample.SampleProperties;
import io.webllm.sample.todo.TodoTools;
import java.util.Arrays;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The assistant: a {@link ChatClient} on the starter's {@code ChatModel} with the to-do tools, memory per chat id, and
 * the system prompt.
 */
@Configuration(proxyBeanMethods = false)
public class AssistantConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ToolCallingManager toolCallingManager() {
        return ToolCallingManager.builder().build();
    }

    @Bean
    ChatMemory chatMemory(SampleProperties properties) {
        return MessageWindowChatMemory.builder().maxMessages(properties.memoryMessages()).build();
    }

    @Bean
    ToolActivity toolActivity() {
        return new ToolActivity();
    }

    @Bean
    ChatClient assistant(ChatModel model, ChatMemory memory, TodoTools todoTools, ToolActivity activity,
            SampleProperties properties) {
        ToolCallback[] tools = Arrays.stream(MethodToolCallbackProvider.builder().toolObjects(todoTools).build()
                        .getToolCallbacks())
                .map(tool -> (ToolCallback) new ReportingToolCallback(tool, activity))
                .toArray(ToolCallback[]::new);
        return ChatClient.builder(model)
                .defaultSystem(properties.systemPrompt())
                .defaultToolCallbacks(tools)
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
                .build();
    }
}
