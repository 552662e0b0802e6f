package io.webllm.spring.autoconfigure;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.spring.ai.WebLlmChatModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@link WebLlmChatModel} bean per configured model, because their number comes from the properties:
 * {@value ModelSpec#DEFAULT_MODEL_NAME} for {@code webllm.chat.model} (or for the application's own {@link ChatEngine}
 * bean), and one named after each key of {@code webllm.models}.
 *
 * <p>Backing off as {@code @ConditionalOnMissingBean} would: a bean the application defines under the same name
 * replaces the model, and an application-defined {@link WebLlmChatModel} bean replaces the default model.
 *
 * <p>Exactly one bean is primary, so that {@code ChatClient.Builder} finds its model: the named model marked
 * {@code primary}, else the default model, else the first named model.
 */
class WebLlmChatModelRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private @Nullable Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Binder binder = Binder.get(Objects.requireNonNull(environment));
        String defaultModel = binder.bind(WebLlmProperties.PREFIX + ".chat.model", String.class).orElse(null);
        Map<String, WebLlmProperties.NamedModel> named = binder
                .bind(WebLlmProperties.PREFIX + ".models",
                        Bindable.mapOf(String.class, WebLlmProperties.NamedModel.class))
                .orElseGet(LinkedHashMap::new);

        ListableBeanFactory beans = (ListableBeanFactory) registry;
        boolean userEngine = beans.getBeanNamesForType(ChatEngine.class, true, false).length > 0;
        boolean userModel = beans.getBeanNamesForType(WebLlmChatModel.class, true, false).length > 0;

        Map<String, Function<WebLlmChatModelFactory, WebLlmChatModel>> toRegister = new LinkedHashMap<>();
        if ((defaultModel != null || userEngine) && !userModel
                && !registry.containsBeanDefinition(ModelSpec.DEFAULT_MODEL_NAME)) {
            toRegister.put(ModelSpec.DEFAULT_MODEL_NAME, WebLlmChatModelFactory::createDefault);
        }
        List<String> chatModels = List.of(beans.getBeanNamesForType(ChatModel.class, true, false));
        named.forEach((name, model) -> {
            checkName(name);
            if (!registry.containsBeanDefinition(name)) {
                toRegister.put(name, factory -> factory.createNamed(name));
            }
            else if (!chatModels.contains(name)) {
                throw new IllegalStateException("webllm.models." + name + ": the name is taken by a bean that is not a "
                        + "ChatModel (" + registry.getBeanDefinition(name).getBeanClassName() + "); choose another "
                        + "name");
            }
        });
        String primary = primary(named, toRegister.keySet());
        toRegister.forEach((name, create) -> {
            RootBeanDefinition definition = new RootBeanDefinition(WebLlmChatModel.class);
            definition.setTargetType(WebLlmChatModel.class);
            definition.setInstanceSupplier(() -> create.apply(((BeanFactory) registry)
                    .getBean(WebLlmChatModelFactory.class)));
            definition.setPrimary(name.equals(primary));
            definition.setDescription("webllm chat model '" + name + "'");
            registry.registerBeanDefinition(name, definition);
        });
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("webllm.models." + name + ": a model name must start with a letter and "
                    + "hold only letters, digits, '-' and '_' (it becomes the ChatModel bean's name) but was '"
                    + name + "'");
        }
        if (name.equals(ModelSpec.DEFAULT_MODEL_NAME)) {
            throw new IllegalArgumentException("webllm.models." + name + ": the name " + name + " belongs to the "
                    + "model of webllm.chat.model; choose another name");
        }
    }

    private static @Nullable String primary(Map<String, WebLlmProperties.NamedModel> named,
            Set<String> registered) {
        List<String> marked = new ArrayList<>();
        named.forEach((name, model) -> {
            if (model.isPrimary()) {
                marked.add(name);
            }
        });
        if (marked.size() > 1) {
            throw new IllegalArgumentException("webllm.models: only one model may be primary but " + marked
                    + " are marked primary");
        }
        if (!marked.isEmpty()) {
            return marked.getFirst();
        }
        // the default model comes first, then the named ones in their order
        return registered.stream().findFirst().orElse(null);
    }
}
