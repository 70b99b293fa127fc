#!/usr/bin/env python3
"""Reference outputs of the AWS CLI's own text and table formatters, for the differential test.

Input (a file named as the first argument, or stdin): a JSON array of
    {"value": <any JSON>, "width": <terminal columns>, "color": <bool>, "title": <str, optional>}
Output (stdout): a JSON array, one object per input item:
    {"text": <str or error>, "table": <str or error>}
where an error is {"error": "<Python exception message>"}; a text error also carries
"partial": the text the CLI had already written to stdout before the exception.

Text is `awscli.text.format_text(value, stream)`. Table is `awscli.formatter.TableFormatter` with
`--color on`/`off` (title default "get-token"), its MultiTable set to the given terminal width;
with colour the stream is wrapped the way `colorama.init(autoreset=True, strip=False)` wraps
stdout, so every write is followed by ESC[0m. Both get the value after `--query` (the CLI's
formatter only adds the query and the removal of `ResponseMetadata` around these calls).

Needs the `awscli` package (v1 from PyPI; its text.py and table.py match v2's) and colorama.
"""
import atexit
import io
import json
import sys
from types import SimpleNamespace

# Keep the real stdout: colorama.init() (run by the colour styler) replaces sys.stdout.
OUT = sys.stdout

import colorama  # noqa: E402
from colorama.ansitowin32 import AnsiToWin32  # noqa: E402

from awscli import text  # noqa: E402
from awscli.formatter import TableFormatter  # noqa: E402


def run_text(value):
    buf = io.StringIO()
    try:
        text.format_text(value, buf)
    except Exception as e:  # the CLI prints str(e) with rc 255
        return {"error": str(e), "partial": buf.getvalue()}
    return buf.getvalue()


def run_table(value, title, width, color):
    formatter = TableFormatter(SimpleNamespace(color="on" if color else "off", query=None))
    if color:
        # ColorizedStyler called colorama.init(), wrapping the process's stdout; undo that and
        # wrap our buffer the same way instead.
        colorama.deinit()
    formatter.table._terminal_width = width
    buf = io.StringIO()
    stream = buf
    if color:
        stream = AnsiToWin32(buf, convert=False, strip=False, autoreset=True).stream
    try:
        formatter._format_response(title, value, stream)
    except Exception as e:
        return {"error": str(e)}
    return buf.getvalue()


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            items = json.load(f)
    else:
        items = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    results = []
    text_cache = {}
    for item in items:
        value = item["value"]
        key = json.dumps(value, sort_keys=False)
        if key not in text_cache:
            text_cache[key] = run_text(value)
        results.append(
            {
                "text": text_cache[key],
                "table": run_table(
                    value, item.get("title", "get-token"), item["width"], item["color"]
                ),
            }
        )
    try:
        atexit.unregister(colorama.initialise.reset_all)
    except AttributeError:
        pass
    OUT.buffer.write(json.dumps(results, ensure_ascii=False).encode("utf-8"))
    OUT.buffer.write(b"\n")
    OUT.flush()


if __name__ == "__main__":
    main()
