package io.webllm.spring.autoconfigure;

import io.webllm.engine.registry.ModelRecord;
import io.webllm.engine.output.ToolCallFormat;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/** A model users add to the registry ({@code webllm.registry.<id>.*}); only the URL is required. */
public class RegistryEntry {

    /** Where the single GGUF file is downloaded from (http or https). */
    private @Nullable URI url;

    /** Name the file is stored under; unset: the last segment of the URL. */
    private @Nullable String fileName;

    /** Exact size of the file, checked after the download. */
    private @Nullable DataSize size;

    /** SHA-256 of the file as 64 hex digits, checked after the download. */
    private @Nullable String sha256;

    /** A human readable name for logs and UIs. */
    private @Nullable String displayName;

    /** GGML quantization of most weights, e.g. Q4_K_M. */
    private String quantization = "unknown";

    /** Context length the model was trained for, in tokens. */
    private int contextLength = 4096;

    /** The GGUF general.architecture, e.g. llama or qwen2. */
    private String architecture = "unknown";

    /** How the model writes tool calls. */
    private ToolCallFormat toolCallFormat = ToolCallFormat.HERMES;

    /** The registry record of this entry; the record's own checks name the id in their messages. */
    ModelRecord toRecord(String id) {
        if (url == null) {
            throw new IllegalArgumentException("webllm.registry." + id + ".url must be set to the http(s) address "
                    + "of the model's GGUF file");
        }
        String path = url.getPath() == null ? "" : url.getPath();
        String name = fileName != null ? fileName : path.substring(path.lastIndexOf('/') + 1);
        return new ModelRecord(id, displayName != null ? displayName : id, url, name,
                size == null ? null : size.toBytes(), sha256, quantization, contextLength, architecture,
                toolCallFormat);
    }

    public @Nullable URI getUrl() {
        return url;
    }

    public void setUrl(@Nullable URI url) {
        this.url = url;
    }

    public @Nullable String getFileName() {
        return fileName;
    }

    public void setFileName(@Nullable String fileName) {
        this.fileName = fileName;
    }

    public @Nullable DataSize getSize() {
        return size;
    }

    public void setSize(@Nullable DataSize size) {
        this.size = size;
    }

    public @Nullable String getSha256() {
        return sha256;
    }

    public void setSha256(@Nullable String sha256) {
        this.sha256 = sha256;
    }

    public @Nullable String getDisplayName() {
        return displayName;
    }

    public void setDisplayName(@Nullable String displayName) {
        this.displayName = displayName;
    }

    public String getQuantization() {
        return quantization;
    }

    public void setQuantization(String quantization) {
        this.quantization = quantization;
    }

    public int getContextLength() {
        return contextLength;
    }

    public void setContextLength(int contextLength) {
        Checks.check(contextLength > 0, "context-length", "positive", contextLength);
        this.contextLength = contextLength;
    }

    public String getArchitecture() {
        return architecture;
    }

    public void setArchitecture(String architecture) {
        this.architecture = architecture;
    }

    public ToolCallFormat getToolCallFormat() {
        return toolCallFormat;
    }

    public void setToolCallFormat(ToolCallFormat toolCallFormat) {
        this.toolCallFormat = toolCallFormat;
    }
}
