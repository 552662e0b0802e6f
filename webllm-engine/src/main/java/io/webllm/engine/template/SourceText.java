package io.webllm.engine.template;

import java.util.ArrayList;
import java.util.List;

/**
 * A template's source after Jinja's own normalization (newlines to {@code \n}, one trailing newline dropped),
 * with the offset-to-line/column mapping that error messages use.
 */
final class SourceText {

    private final String name;
    private final String text;
    private final int[] lineStarts;

    SourceText(String name, String raw) {
        this.name = name;
        String normalized = raw.replace("\r\n", "\n").replace('\r', '\n');
        // Jinja's keep_trailing_newline=False drops exactly one final newline.
        if (normalized.endsWith("\n")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        this.text = normalized;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < normalized.length(); i++) {
            if (normalized.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    String name() {
        return name;
    }

    String text() {
        return text;
    }

    int line(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo + 1;
    }

    int column(int offset) {
        return offset - lineStarts[line(offset) - 1] + 1;
    }

    /** The source of a construct, shortened and on one line, for error messages. */
    String snippet(int start, int end) {
        int from = Math.max(0, Math.min(start, text.length()));
        int to = Math.max(from, Math.min(end, text.length()));
        String s = text.substring(from, to).replace('\n', ' ').strip();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    TemplateException error(int start, int end, String reason) {
        return new TemplateException(name, line(start), column(start), snippet(start, end), reason);
    }
}
