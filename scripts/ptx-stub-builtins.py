#!/usr/bin/env python3
"""Gives every function that clang's PTX only declares (OpenCL built-ins such as get_global_id, which NVIDIA's
driver supplies) an empty body, so that ptxas can assemble the file and check the inline PTX in it: clang passes
asm strings through unread. Usage: ptx-stub-builtins.py IN.ptx OUT.ptx"""
import sys

lines = open(sys.argv[1]).read().split('\n')
out = []
i = 0
while i < len(lines):
    if lines[i].startswith('.func'):
        j = i
        while not (lines[j].rstrip().endswith(';') or lines[j].strip() == '{'):
            j += 1
        if lines[j].rstrip().endswith(';'):
            block = lines[i:j + 1]
            block[-1] = block[-1].rstrip()[:-1]
            out.extend(block + ['{', '\tret;', '}'])
            i = j + 1
            continue
    out.append(lines[i])
    i += 1
open(sys.argv[2], 'w').write('\n'.join(out))
