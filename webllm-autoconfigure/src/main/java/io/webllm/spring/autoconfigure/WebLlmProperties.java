package io.webllm.spring.autoconfigure;

import io.webllm.engine.registry.DownloadPolicy;
import io.webllm.engine.registry.ModelStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of webllm ({@code webllm.*}): the default chat model, further named models, where model files are
 * kept and how engines are loaded. The engine settings here apply to every model unless the model sets its own.
 */
@ConfigurationProperties(WebLlmProperties.PREFIX)
public class WebLlmProperties {

    public static final String PREFIX = "webllm";

    /** The default chat model. */
    private final Chat chat = new Chat();

    /** OpenCL device: auto, gpu, cpu, an index as './webllm devices' lists them, or part of the device's name. */
    private String device = "auto";

    /** Tokens per sequence; 0 takes the model's own context length, capped to bound KV cache memory. */
    private int contextLength;

    /** Sequences decoded together (KV cache slots), so requests answered at the same time. */
    private int maxSequences = 4;

    /** Requests waiting for a free sequence before further ones are refused as busy. */
    private int maxQueuedRequests = 64;

    /** Chat template (Jinja text, or chatml, llama3, llama2, gemma or phi3) replacing the model's own. */
    private @Nullable String chatTemplate;

    /** Where downloaded model files are kept. */
    private Path cacheDirectory = ModelStore.defaultCacheDirectory();

    /** When model files may be downloaded: never, if-missing, or always (download again and replace). */
    private DownloadPolicy downloadPolicy = DownloadPolicy.IF_MISSING;

    /** Whether to load models on their first request instead of at startup. */
    private boolean lazy;

    /**
     * Whether ChatClient's entity(...) hands its JSON schema to the model, whose decoding then only produces answers
     * the schema accepts, instead of appending format instructions to the prompt.
     */
    private boolean nativeStructuredOutput = true;

    /** Further models by name; each becomes a ChatModel bean of that name. */
    private Map<String, NamedModel> models = new LinkedHashMap<>();

    /** Models added to the built-in list by id (or replacing a built-in entry, e.g. to use a mirror). */
    private Map<String, RegistryEntry> registry = new LinkedHashMap<>();

    public Chat getChat() {
        return chat;
    }

    public String getDevice() {
        return device;
    }

    public void setDevice(String device) {
        Checks.check(!device.isBlank(), "webllm.device", "auto, gpu, cpu, a device index or part of a device name",
                "blank");
        this.device = device.trim();
    }

    public int getContextLength() {
        return contextLength;
    }

    public void setContextLength(int contextLength) {
        Checks.check(contextLength >= 0, "webllm.context-length", ">= 0 (0: the model's own)", contextLength);
        this.contextLength = contextLength;
    }

    public int getMaxSequences() {
        return maxSequences;
    }

    public void setMaxSequences(int maxSequences) {
        Checks.check(maxSequences >= 1, "webllm.max-sequences", ">= 1", maxSequences);
        this.maxSequences = maxSequences;
    }

    public int getMaxQueuedRequests() {
        return maxQueuedRequests;
    }

    public void setMaxQueuedRequests(int maxQueuedRequests) {
        Checks.check(maxQueuedRequests >= 0, "webllm.max-queued-requests", ">= 0", maxQueuedRequests);
        this.maxQueuedRequests = maxQueuedRequests;
    }

    public @Nullable String getChatTemplate() {
        return chatTemplate;
    }

    public void setChatTemplate(@Nullable String chatTemplate) {
        this.chatTemplate = chatTemplate;
    }

    public Path getCacheDirectory() {
        return cacheDirectory;
    }

    public void setCacheDirectory(Path cacheDirectory) {
        this.cacheDirectory = cacheDirectory;
    }

    public DownloadPolicy getDownloadPolicy() {
        return downloadPolicy;
    }

    public void setDownloadPolicy(DownloadPolicy downloadPolicy) {
        this.downloadPolicy = downloadPolicy;
    }

    public boolean isLazy() {
        return lazy;
    }

    public void setLazy(boolean lazy) {
        this.lazy = lazy;
    }

    public boolean isNativeStructuredOutput() {
        return nativeStructuredOutput;
    }

    public void setNativeStructuredOutput(boolean nativeStructuredOutput) {
        this.nativeStructuredOutput = nativeStructuredOutput;
    }

    public Map<String, NamedModel> getModels() {
        return models;
    }

    public void setModels(Map<String, NamedModel> models) {
        this.models = new LinkedHashMap<>(models);
    }

    public Map<String, RegistryEntry> getRegistry() {
        return registry;
    }

    public void setRegistry(Map<String, RegistryEntry> registry) {
        this.registry = new LinkedHashMap<>(registry);
    }

    /** The default chat model ({@code webllm.chat.*}), the bean {@code webLlmChatModel}. */
    public static class Chat {

        /** The model: an id of the built-in list or of webllm.registry, a path to a .gguf file, or an http(s) URL. */
        private @Nullable String model;

        /** Defaults of every request to the model. */
        @NestedConfigurationProperty
        private final ChatOptionsProperties options = new ChatOptionsProperties();

        public @Nullable String getModel() {
            return model;
        }

        public void setModel(@Nullable String model) {
            Checks.check(model == null || !model.isBlank(), "webllm.chat.model",
                    "a model id, a .gguf path or an http(s) URL", "blank");
            this.model = model == null ? null : model.trim();
        }

        public ChatOptionsProperties getOptions() {
            return options;
        }
    }

    /** A model of {@code webllm.models.<name>.*}; unset engine settings take those of {@code webllm.*}. */
    public static class NamedModel {

        /** The model: an id of the built-in list or of webllm.registry, a path to a .gguf file, or an http(s) URL. */
        private @Nullable String model;

        /** Whether this model's ChatModel bean is the primary one. */
        private boolean primary;

        /** Defaults of every request to the model. */
        @NestedConfigurationProperty
        private final ChatOptionsProperties options = new ChatOptionsProperties();

        /** OpenCL device for this model. */
        private @Nullable String device;

        /** Tokens per sequence for this model; 0 takes the model's own. */
        private @Nullable Integer contextLength;

        /** Sequences decoded together for this model. */
        private @Nullable Integer maxSequences;

        /** Requests waiting for a free sequence of this model. */
        private @Nullable Integer maxQueuedRequests;

        /** Chat template replacing the model's own. */
        private @Nullable String chatTemplate;

        /** Whether to load this model on its first request. */
        private @Nullable Boolean lazy;

        public @Nullable String getModel() {
            return model;
        }

        public void setModel(@Nullable String model) {
            Checks.check(model == null || !model.isBlank(), "model", "a model id, a .gguf path or an http(s) URL",
                    "blank");
            this.model = model == null ? null : model.trim();
        }

        public boolean isPrimary() {
            return primary;
        }

        public void setPrimary(boolean primary) {
            this.primary = primary;
        }

        public ChatOptionsProperties getOptions() {
            return options;
        }

        public @Nullable String getDevice() {
            return device;
        }

        public void setDevice(@Nullable String device) {
            this.device = device;
        }

        public @Nullable Integer getContextLength() {
            return contextLength;
        }

        public void setContextLength(@Nullable Integer contextLength) {
            Checks.check(contextLength == null || contextLength >= 0, "context-length", ">= 0", contextLength);
            this.contextLength = contextLength;
        }

        public @Nullable Integer getMaxSequences() {
            return maxSequences;
        }

        public void setMaxSequences(@Nullable Integer maxSequences) {
            Checks.check(maxSequences == null || maxSequences >= 1, "max-sequences", ">= 1", maxSequences);
            this.maxSequences = maxSequences;
        }

        public @Nullable Integer getMaxQueuedRequests() {
            return maxQueuedRequests;
        }

        public void setMaxQueuedRequests(@Nullable Integer maxQueuedRequests) {
            Checks.check(maxQueuedRequests == null || maxQueuedRequests >= 0, "max-queued-requests", ">= 0",
                    maxQueuedRequests);
            this.maxQueuedRequests = maxQueuedRequests;
        }

        public @Nullable String getChatTemplate() {
            return chatTemplate;
        }

        public void setChatTemplate(@Nullable String chatTemplate) {
            this.chatTemplate = chatTemplate;
        }

        public @Nullable Boolean getLazy() {
            return lazy;
        }

        public void setLazy(@Nullable Boolean lazy) {
            this.lazy = lazy;
        }
    }
}
