package io.webllm.engine.registry;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where in the cache directory a downloaded file lives. Files keep their own name under a folder that says where
 * they came from, so that two repositories publishing the same file name do not overwrite each other:
 * <ul>
 * <li>{@code https://huggingface.co/<owner>/<repo>/resolve/main/<file>} becomes {@code <owner>/<repo>/<file>}
 * (another revision adds a {@code <revision>} folder);</li>
 * <li>any other URL becomes {@code <host>[_<port>]/<file>}.</li>
 * </ul>
 */
final class CacheLayout {

    private CacheLayout() {
    }

    static Path relativePath(DownloadSource source) {
        URI url = source.url();
        String host = url.getHost() == null ? "unknown-host" : url.getHost().toLowerCase(Locale.ROOT);
        List<String> folders = new ArrayList<>();
        List<String> segments = decodedSegments(url);
        boolean huggingFace = host.equals("huggingface.co") || host.equals("www.huggingface.co")
                || host.equals("hf.co");
        if (huggingFace && segments.size() >= 5 && segments.get(2).equals("resolve")) {
            folders.add(segments.get(0));
            folders.add(segments.get(1));
            String revision = segments.get(3);
            if (!revision.equals("main")) {
                folders.add(revision);
            }
            folders.addAll(segments.subList(4, segments.size() - 1)); // folders inside the repository
        } else {
            folders.add(url.getPort() == -1 ? host : host + "_" + url.getPort());
        }
        Path relative = Path.of(safe(folders.getFirst()));
        for (String folder : folders.subList(1, folders.size())) {
            relative = relative.resolve(safe(folder));
        }
        return relative.resolve(safe(source.fileName()));
    }

    private static List<String> decodedSegments(URI url) {
        String raw = url.getRawPath() == null ? "" : url.getRawPath();
        return Arrays.stream(raw.split("/"))
                .filter(segment -> !segment.isEmpty())
                .map(segment -> URLDecoder.decode(segment, StandardCharsets.UTF_8))
                .toList();
    }

    /** A name that cannot climb out of the cache or hide itself: unusual characters become '_'. */
    static String safe(String segment) {
        String cleaned = segment.replaceAll("[^A-Za-z0-9._+@-]", "_");
        if (cleaned.isEmpty() || cleaned.startsWith(".")) {
            cleaned = "_" + cleaned;
        }
        return cleaned;
    }
}
