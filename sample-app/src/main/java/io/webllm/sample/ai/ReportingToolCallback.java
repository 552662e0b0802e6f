package io.webllm.sample.ai;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;

/** Runs a tool and reports the call to {@link ToolActivity} under the chat id found in the tool context. */
final class ReportingToolCallback implements ToolCallback {

    private final ToolCallback tool;
    private final ToolActivity activity;

    ReportingToolCallback(ToolCallback tool, ToolActivity activity) {
        this.tool = tool;
        this.activity = activity;
    }

    @Override
    public ToolDefinition getToolDefinition() {
        return tool.getToolDefinition();
    }

    @Override
    public ToolMetadata getToolMetadata() {
        return tool.getToolMetadata();
    }

    @Override
    public String call(String toolInput) {
        return call(toolInput, null);
    }

    @Override
    public String call(String toolInput, @Nullable ToolContext context) {
        String result = tool.call(toolInput, context);
        Object chatId = context == null ? null : context.getContext().get(ToolActivity.CHAT_ID);
        if (chatId != null) {
            activity.report(new ToolEvent(chatId.toString(), getToolDefinition().name(), toolInput, result));
        }
        return result;
    }
}
