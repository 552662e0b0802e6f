#!/usr/bin/env python3
"""Gives every function that clang's PTX declares but never defines (OpenCL built-ins such as get_global_id, which
NVIDIA's driver supplies) an empty body, so that ptxas can assemble the file and check the inline PTX in it: clang
passes asm strings through unread. Usage: ptx-stub-builtins.py IN.ptx OUT.ptx"""
import re
import sys

lines = open(sys.argv[1]).read().split('\n')
NAME = re.compile(r'\.func\s+(?:\([^)]*\)\s*)?([\w$]+)')


def header_end(i):
    """Index of the line that ends the .func header starting at line i: a ';' (declaration) or a '{' (body)."""
    j = i
    while not (lines[j].rstrip().endswith(';') or lines[j].strip() == '{'):
        j += 1
    return j


defined = set()
for i, line in enumerate(lines):
    if line.startswith('.func') and lines[header_end(i)].strip() == '{':
        defined.add(NAME.match(' '.join(lines[i:header_end(i) + 1])).group(1))

out = []
i = 0
while i < len(lines):
    if lines[i].startswith('.func'):
        j = header_end(i)
        name = NAME.match(' '.join(lines[i:j + 1])).group(1)
        if lines[j].rstrip().endswith(';') and name not in defined:
            block = lines[i:j + 1]
            block[-1] = block[-1].rstrip()[:-1]
            out.extend(block + ['{', '\tret;', '}'])
            i = j + 1
            continue
    out.append(lines[i])
    i += 1
open(sys.argv[2], 'w').write('\n'.join(out))
