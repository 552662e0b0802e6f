#!/usr/bin/env python3
"""Renders the expected chat-template outputs with Python's Jinja2, configured as Hugging Face's
apply_chat_template configures it (transformers' chat_template_utils): ImmutableSandboxedEnvironment with
trim_blocks and lstrip_blocks, the loopcontrols extension, tojson as json.dumps(ensure_ascii=False),
raise_exception and strftime_now (here at a fixed time, so the outputs are reproducible).

Usage (from the repository root):
    python3 webllm-engine/src/test/resources/template/render_expected.py [path/to/shared/testdata]

Writes expected.json (templates x conversations) and semantics-expected.json (interpreter cases) beside
this script. Templates: every *.jinja in testdata/templates, the tokenizer.chat_template of the vocabulary
GGUFs in testdata/tokenizer that carry one, and the engine's built-in formats.
"""
import datetime
import json
import os
import struct
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ENGINE = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
BUILTIN_DIR = os.path.join(REPO_ENGINE, "src", "main", "resources", "io", "webllm", "engine", "template", "builtin")


class GenerationTag(jinja2.ext.Extension):
    """Hugging Face's AssistantTracker: {% generation %}...{% endgeneration %} renders its body unchanged."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.Scope(body, lineno=lineno)


def make_environment(now):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return now.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, context):
    try:
        return {"output": env.from_string(source).render(**context)}
    except jinja2.exceptions.TemplateError as e:
        kind = type(e).__name__
        return {"error": str(e), "type": "raise_exception" if kind == "TemplateError" else kind}
    except Exception as e:  # TypeError and friends, as Jinja lets them through
        return {"error": str(e), "type": type(e).__name__}


def gguf_chat_template(path):
    """The tokenizer.chat_template string of a GGUF file: the key, type 8 (string), u64 length, UTF-8 bytes."""
    data = open(path, "rb").read()
    key = b"tokenizer.chat_template"
    at = data.find(struct.pack("<Q", len(key)) + key)
    if at < 0:
        return None
    at += 8 + len(key)
    (value_type,) = struct.unpack_from("<I", data, at)
    assert value_type == 8, value_type
    (length,) = struct.unpack_from("<Q", data, at + 4)
    return data[at + 12:at + 12 + length].decode("utf-8")


def templates(testdata):
    found = {}
    tdir = os.path.join(testdata, "templates")
    for name in sorted(os.listdir(tdir)):
        if name.endswith(".jinja"):
            with open(os.path.join(tdir, name), encoding="utf-8", newline="") as f:
                found["templates/" + name] = f.read()
    kdir = os.path.join(testdata, "tokenizer")
    for name in sorted(os.listdir(kdir)):
        if name.endswith(".gguf"):
            source = gguf_chat_template(os.path.join(kdir, name))
            if source is not None:
                found["tokenizer/" + name] = source
    for name in sorted(os.listdir(BUILTIN_DIR)):
        with open(os.path.join(BUILTIN_DIR, name), encoding="utf-8", newline="") as f:
            found["builtin/" + name] = f.read()
    return found


def contexts(spec):
    """(case name, context) for every conversation, with and without the generation prompt."""
    for conv in spec["conversations"]:
        for gen in (True, False):
            context = {
                "messages": conv["messages"],
                # Hugging Face passes tools=None when none are offered, so templates see a defined None.
                "tools": spec["tools"][conv["tools"]] if "tools" in conv else None,
                "documents": None,
                "add_generation_prompt": gen,
            }
            context.update(spec["special_tokens"])
            context.update(conv.get("extra", {}))
            yield "%s/add_generation_prompt=%s" % (conv["name"], str(gen).lower()), context


def main():
    testdata = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO_ENGINE, "..", "..", "shared", "testdata")
    with open(os.path.join(HERE, "conversations.json"), encoding="utf-8") as f:
        spec = json.load(f)
    env = make_environment(datetime.datetime.fromisoformat(spec["fixed_now"]))
    expected = {}
    for template_name, source in templates(testdata).items():
        expected[template_name] = {case: render(env, source, ctx) for case, ctx in contexts(spec)}
    write(os.path.join(HERE, "expected.json"), {"jinja2": jinja2.__version__, "templates": expected})

    with open(os.path.join(HERE, "semantics.json"), encoding="utf-8") as f:
        cases = json.load(f)
    results = {c["name"]: render(env, c["template"], c.get("context", {})) for c in cases}
    write(os.path.join(HERE, "semantics-expected.json"), {"jinja2": jinja2.__version__, "cases": results})


def write(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
