#!/usr/bin/env python3
"""Reference evaluator for the differential JMESPath test.

Reads a JSON array of cases from stdin, each {"expression": str, "document": str}
(the document as JSON text), evaluates them with the installed python `jmespath`
the way the AWS CLI does, and writes a JSON array with one result per case:

  {"ok": text}            the result as json.dumps(result, ensure_ascii=False,
                          separators=(",", ":")) - keeps int/float and key order
  {"compile_error": text} str() of the exception jmespath.compile raised
  {"search_error": text}  str() of the exception search (or the CLI's JSON
                          encoder, for values it cannot print) raised

The AWS CLI compiles --query and applies it deep inside its own call stack, which
matters for when Python's recursion limit is hit. Both calls are made at the stack
depths given by --compile-first-frame (the depth of the parser's first `_expression`
frame) and --search-first-frame (the depth of the first `visit` frame), the same
model the Rust implementation uses.

The AWS CLI bundles CPython 3.13/3.14, whose builtin sum() adds floats with Neumaier
compensation (since 3.12). On an older Python the reference would differ from the CLI for
float sums, so there jmespath's functions module is given a sum() that computes what
CPython 3.12+ computes.

Also: --version prints the jmespath and Python versions.
"""

import argparse
import json
import math
import sys

import jmespath
import jmespath.functions

C_LONG_MIN = -(2**63)
C_LONG_MAX = 2**63 - 1


def sum_as_cpython_312(items):
    """builtins.sum(items) with start 0, as CPython 3.12+ computes it: ints are added
    exactly while the total fits a C long; from the first float on, floats are added with
    Neumaier's compensation and C-long ints plainly; anything else falls back to `+`."""
    it = iter(items)
    total = 0
    for item in it:
        if (
            type(item) is int
            and C_LONG_MIN <= item <= C_LONG_MAX
            and C_LONG_MIN <= total + item <= C_LONG_MAX
        ):
            total += item
            continue
        total = total + item
        break
    else:
        return total
    if type(total) is float:
        f, c = total, 0.0
        for item in it:
            if type(item) is float:
                t = f + item
                if abs(f) >= abs(item):
                    c += (f - t) + item
                else:
                    c += (item - t) + f
                f = t
                continue
            if type(item) is int and C_LONG_MIN <= item <= C_LONG_MAX:
                f += float(item)
                continue
            if c and math.isfinite(c):
                f += c
            total = f + item
            break
        else:
            if c and math.isfinite(c):
                f += c
            return f
    for item in it:
        total = total + item
    return total


SUM_NOTE = "builtin sum"
if sys.version_info < (3, 12):
    # jmespath.functions calls the global name `sum` (in _func_sum and _func_avg).
    jmespath.functions.sum = sum_as_cpython_312
    SUM_NOTE = "sum() as in CPython 3.12+"


def cli_json_encoder(obj):
    # awscli.utils.json_encoder: anything json cannot encode natively is an error.
    raise TypeError("Encountered unrecognized type in JSON encoder.")


def stack_depth():
    depth = 0
    frame = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def call_at_depth(target, func):
    """Call func() from a frame at stack depth `target` (func's own frame is target+1)."""
    # This frame is at stack_depth() + 1 as seen from here; recurse until the
    # caller of func sits at `target`.
    def descend():
        if stack_depth() + 1 >= target:
            return func()
        return descend()

    return descend()


def evaluate(expression, document, compile_first_frame, search_first_frame):
    # jmespath.compile -> Parser.parse -> _do_parse -> _parse -> _expression
    try:
        parsed = call_at_depth(
            compile_first_frame - 5, lambda: jmespath.compile(expression)
        )
    except Exception as e:  # the CLI catches everything here (globalargs._resolve_query)
        return {"compile_error": str(e)}
    # The compile cache would hide a parse at another depth; clear it per case.
    jmespath.parser.Parser.purge()
    data = json.loads(document)
    # ParsedResult.search -> TreeInterpreter.visit
    try:
        result = call_at_depth(search_first_frame - 2, lambda: parsed.search(data))
        text = json.dumps(
            result,
            ensure_ascii=False,
            separators=(",", ":"),
            default=cli_json_encoder,
        )
    except Exception as e:
        return {"search_error": str(e)}
    return {"ok": text}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compile-first-frame", type=int, default=22)
    parser.add_argument("--search-first-frame", type=int, default=15)
    parser.add_argument("--version", action="store_true")
    args = parser.parse_args()
    if args.version:
        print(
            "jmespath %s, Python %s (%s)"
            % (jmespath.__version__, sys.version.split()[0], SUM_NOTE)
        )
        return
    cases = json.load(sys.stdin)
    results = [
        evaluate(
            c["expression"],
            c["document"],
            args.compile_first_frame,
            args.search_first_frame,
        )
        for c in cases
    ]
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
