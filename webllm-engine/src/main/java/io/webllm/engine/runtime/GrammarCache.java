package io.webllm.engine.runtime;

import io.webllm.engine.grammar.CompiledGrammar;
import io.webllm.engine.grammar.GrammarException;
import io.webllm.engine.grammar.JsonSchemaCompiler;
import io.webllm.engine.grammar.TokenTrie;
import io.webllm.engine.chat.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled grammars by schema text, bound to the model's vocabulary: the vocabulary trie is built once per engine and
 * each schema's per-position masks are shared by every request that uses it, so repeated schemas (the same
 * {@code entity()} type, the same tools) cost nothing after the first request.
 */
final class GrammarCache {

    private static final int MAX_GRAMMARS = 64;
    private static final String ANY_OBJECT = "\u0000any-json-object";

    private final TokenizerVocabulary vocabulary;
    private volatile TokenTrie trie;
    private final Map<String, CompiledGrammar> grammars = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompiledGrammar> eldest) {
            return size() > MAX_GRAMMARS;
        }
    };

    GrammarCache(TokenizerVocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** A grammar for the schema; compile errors name the field at fault. */
    CompiledGrammar schema(String field, String schemaJson) {
        return compile(field, schemaJson);
    }

    CompiledGrammar anyJsonObject() {
        return compile("response_format", ANY_OBJECT);
    }

    int maskWords() {
        return trie().maskWords();
    }

    private synchronized CompiledGrammar compile(String field, String key) {
        CompiledGrammar cached = grammars.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            CompiledGrammar compiled = new CompiledGrammar(
                    key.equals(ANY_OBJECT) ? JsonSchemaCompiler.anyJsonObject() : JsonSchemaCompiler.compile(key), trie());
            grammars.put(key, compiled);
            return compiled;
        } catch (GrammarException e) {
            throw new InvalidRequestException(field, "the schema cannot be compiled: " + e.getMessage());
        }
    }

    private TokenTrie trie() {
        TokenTrie built = trie;
        if (built == null) {
            synchronized (this) {
                if (trie == null) {
                    trie = TokenTrie.build(vocabulary);
                }
                built = trie;
            }
        }
        return built;
    }
}
