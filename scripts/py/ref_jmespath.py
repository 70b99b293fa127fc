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

Also: --version prints the jmespath and Python versions.
"""

import argparse
import json
import sys

import jmespath


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
        print("jmespath %s, Python %s" % (jmespath.__version__, sys.version.split()[0]))
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
