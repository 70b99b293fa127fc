#!/usr/bin/env python3
"""Reference YAML dumper for tests/differential_yaml.rs.

Reads a JSON array of values (from the file named by the first argument, or from stdin) and
writes a JSON array with, for each value, the text that ruamel.yaml dumps for it with the
AWS CLI's exact settings (awscli/formatter.py `YAMLDumper`, AWS CLI v2.36.7):

    yaml = YAML(typ='safe'); yaml.encoding = None
    yaml.representer.default_flow_style = False
    yaml.dump(value, stream)

The CLI pins ruamel.yaml 0.19.1 and ruamel.yaml.clib 0.2.15, so `typ='safe'` uses the C
emitter (libyaml). This script refuses to run with the pure-Python emitter, whose output
differs (e.g. emoji are written raw instead of as `\\U0001F600`).

Unlike `YAMLDumper.dump`, top-level scalars are YAML-dumped too (the CLI prints those as
JSON before reaching ruamel; our Rust `dump` mirrors ruamel itself).
"""

import io
import json
import sys

from ruamel.yaml import YAML
from ruamel.yaml.main import CEmitter


def make_yaml():
    yaml = YAML(typ='safe')
    if CEmitter is None or yaml.Emitter is not CEmitter:
        sys.exit(
            'ref_yaml.py: ruamel.yaml is not using the C emitter; '
            'install ruamel.yaml.clib (scripts/setup)'
        )
    # As awscli's YAMLDumper.__init__ does.
    yaml.encoding = None
    yaml.representer.default_flow_style = False
    return yaml


def dump(value):
    # A fresh YAML object per value, like one CLI invocation.
    stream = io.StringIO()
    make_yaml().dump(value, stream)
    return stream.getvalue()


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding='utf-8') as f:
            values = json.load(f)
    else:
        values = json.load(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8'))
    if not isinstance(values, list):
        sys.exit('ref_yaml.py: expected a JSON array of values')
    out = [dump(v) for v in values]
    # ASCII-only JSON: nothing can be mangled by the pipe's encoding.
    sys.stdout.write(json.dumps(out, ensure_ascii=True))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
