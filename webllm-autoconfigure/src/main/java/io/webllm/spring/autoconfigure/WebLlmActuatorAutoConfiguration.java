package io.webllm.spring.autoconfigure;

import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** With Spring Boot Actuator: the models' health ({@code webllm}) and the loaded models in the info endpoint. */
@AutoConfiguration(after = WebLlmAutoConfiguration.class)
@ConditionalOnBean(WebLlmEngines.class)
public class WebLlmActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("webllm")
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "webllmHealthIndicator")
        WebLlmHealthIndicator webllmHealthIndicator(WebLlmEngines engines) {
            return new WebLlmHealthIndicator(engines);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(InfoContributor.class)
    static class Info {

        @Bean
        @ConditionalOnMissingBean(name = "webllmInfoContributor")
        WebLlmInfoContributor webllmInfoContributor(WebLlmEngines engines) {
            return new WebLlmInfoContributor(engines);
        }
    }
}
