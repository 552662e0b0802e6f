package io.webllm.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The models the engine knows by id: the built-in list (WebLLM's prebuilt list, for GGUF) plus entries users add.
 *
 * <p>Thread-safe. Ids are lower case; lookups ignore case.
 */
public final class ModelRegistry {

    /** Class-path resource, next to this class, holding the built-in list. */
    public static final String BUILT_IN_RESOURCE = "models.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_CLOSE_MATCHES = 5;

    private final Map<String, ModelRecord> models = new LinkedHashMap<>();

    private ModelRegistry() {
    }

    /** A registry with no entries. */
    public static ModelRegistry empty() {
        return new ModelRegistry();
    }

    /** A new registry holding the built-in list; each call returns an independent copy that users may extend. */
    public static ModelRegistry builtIn() {
        ModelRegistry registry = new ModelRegistry();
        try (InputStream in = ModelRegistry.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in model list " + BUILT_IN_RESOURCE
                        + " is missing from the class path next to " + ModelRegistry.class.getName());
            }
            readJson(in, BUILT_IN_RESOURCE).forEach(record -> {
                if (registry.register(record) != null) {
                    throw new IllegalStateException("built-in model list has the id '" + record.id() + "' twice");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in model list " + BUILT_IN_RESOURCE, e);
        }
        return registry;
    }

    /**
     * Reads a model list in the format of the built-in {@code models.json}: {@code {"models": [ {record fields} ]}}.
     *
     * @param origin names the source in error messages
     */
    public static List<ModelRecord> readJson(InputStream json, String origin) {
        try {
            ModelList list = JSON.readValue(json, ModelList.class);
            if (list.models() == null) {
                throw new IllegalArgumentException(origin + ": expected a top-level \"models\" array but found none");
            }
            return List.copyOf(list.models());
        } catch (JacksonException e) {
            throw new IllegalArgumentException(origin + ": not a valid model list: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Adds a model, replacing an entry with the same id (so users can point a built-in id at a mirror).
     *
     * @return the entry that was replaced, or {@code null}
     */
    public synchronized @Nullable ModelRecord register(ModelRecord record) {
        return models.put(record.id(), record);
    }

    /** The model with this id, if known. */
    public synchronized Optional<ModelRecord> find(String id) {
        return Optional.ofNullable(models.get(id.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * The model with this id.
     *
     * @throws UnknownModelException naming the close matches and every known id
     */
    public ModelRecord get(String id) {
        return find(id).orElseThrow(() -> unknown(id));
    }

    /** All models, built-in first, in registration order. */
    public synchronized List<ModelRecord> all() {
        return List.copyOf(models.values());
    }

    /** All known ids, in registration order. */
    public synchronized List<String> ids() {
        return List.copyOf(models.keySet());
    }

    /**
     * Interprets what a user wrote as a model: a registry id, an http(s) URL or a local file path.
     *
     * @see ModelReference#parse(String, ModelRegistry)
     */
    public ModelReference resolve(String reference) {
        return ModelReference.parse(reference, this);
    }

    UnknownModelException unknown(String id) {
        List<String> known = ids();
        List<String> close = closeMatches(id, known);
        StringBuilder message = new StringBuilder("unknown model id '").append(id).append("'");
        if (!close.isEmpty()) {
            message.append("; did you mean ").append(String.join(", ", close)).append("?");
        }
        message.append(" Known ids: ").append(known.isEmpty() ? "(none)" : String.join(", ", known))
                .append(". A local .gguf path or an http(s) URL is accepted as well.");
        return new UnknownModelException(message.toString(), id, close);
    }

    /** Known ids that contain, or are within a few edits of, the requested one; best first. */
    static List<String> closeMatches(String requested, List<String> known) {
        String wanted = requested.trim().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            return List.of();
        }
        int tolerance = Math.max(2, wanted.length() / 4);
        record Scored(String id, int score) {
        }
        List<Scored> scored = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String id : known) {
            int score;
            if (id.startsWith(wanted) || id.contains(wanted)) {
                score = id.length() - wanted.length(); // the closer in length, the better
                score = Math.min(score, tolerance);
            } else {
                score = editDistance(wanted, id);
                if (score > tolerance) {
                    continue;
                }
            }
            if (seen.add(id)) {
                scored.add(new Scored(id, score));
            }
        }
        return scored.stream()
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::id))
                .limit(MAX_CLOSE_MATCHES)
                .map(Scored::id)
                .toList();
    }

    /** Levenshtein distance, two rows. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The JSON document: one array of records. */
    record ModelList(@Nullable List<ModelRecord> models) {
    }
}
