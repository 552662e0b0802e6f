package io.webllm.sample.todo;

import io.webllm.sample.SampleProperties;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The list lives in {@code todos.json} under {@code webllm.sample.data-directory}. */
@Configuration(proxyBeanMethods = false)
public class TodoConfiguration {

    @Bean
    TodoStore todoStore(SampleProperties properties, JsonMapper json) {
        return new TodoStore(properties.dataDirectory().resolve("todos.json"), json, Clock.systemUTC());
    }

    @Bean
    TodoTools todoTools(TodoStore store) {
        return new TodoTools(store);
    }
}
