package io.webllm.engine.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments: positionals, {@code --name value} / {@code -n value} options and {@code --flag} switches.
 * Each command declares its flags so that a flag never swallows the next word, and unknown options are errors.
 */
final class Args {

    private final List<String> positionals = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final Set<String> used = new HashSet<>();

    Args(List<String> words, Set<String> knownFlags) {
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.startsWith("-") && word.length() > 1 && !isNumber(word)) {
                String name = word.replaceFirst("^--?", "");
                if (knownFlags.contains(name)) {
                    flags.add(name);
                } else if (name.contains("=")) {
                    options.put(name.substring(0, name.indexOf('=')), name.substring(name.indexOf('=') + 1));
                } else if (i + 1 < words.size()) {
                    options.put(name, words.get(++i));
                } else {
                    throw new UsageException("option " + word + " needs a value");
                }
            } else {
                positionals.add(word);
            }
        }
    }

    private static boolean isNumber(String word) {
        return word.matches("-\\d+(\\.\\d+)?");
    }

    boolean flag(String name) {
        used.add(name);
        return flags.contains(name);
    }

    String option(String name, String alias, String fallback) {
        String value = get(name, alias);
        return value != null ? value : fallback;
    }

    String required(String name, String alias, String description) {
        String value = get(name, alias);
        if (value == null) {
            throw new UsageException("missing " + description + " (--" + name + (alias.isEmpty() ? "" : " or -" + alias) + ")");
        }
        return value;
    }

    int intOption(String name, String alias, int fallback) {
        String value = get(name, alias);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + value + "'");
        }
    }

    double doubleOption(String name, String alias, double fallback) {
        String value = get(name, alias);
        try {
            return value == null ? fallback : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    private String get(String name, String alias) {
        used.add(name);
        used.add(alias);
        String value = options.get(name);
        return value != null ? value : options.get(alias);
    }

    List<String> positionals() {
        return positionals;
    }

    String positional(int index, String description) {
        if (index >= positionals.size()) {
            throw new UsageException("missing " + description);
        }
        return positionals.get(index);
    }

    /** Fails on options no command asked for, so typos do not pass silently. */
    void checkAllUsed() {
        for (String name : options.keySet()) {
            if (!used.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
        }
        for (String name : flags) {
            if (!used.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
