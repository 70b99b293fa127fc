#!/usr/bin/env python3
"""Oracle for compat-tests/tests/yaml_ruamel.rs: AWS CLI v2.36.7's kubeconfig YAML loader and
dumper (awscli/customizations/eks/ordered_yaml.py), run by the reference's own Python.

stdin: a JSON object {"path": P, "docs": [base64, ...]}. Each document is written to the file
P and loaded exactly as `KubeconfigLoader.load_kubeconfig` does (`compat_open(P, "r")`, then
`ordered_yaml_load`); what loaded is dumped with `ordered_yaml_dump`.

stdout: a JSON array with one object per document:
  {"load": "ok", "dump": TEXT | null, "dump_error": TEXT | null, "warnings": [TEXT, ...],
   "root": "none" | "other"}
  {"load": "yaml", "error": str(e)}      a ruamel YAMLError
  {"load": "python", "error": str(e)}    any other exception
"""
import base64
import json
import sys
import warnings

from awscli.compat import compat_open
from awscli.customizations.eks.ordered_yaml import ordered_yaml_dump, ordered_yaml_load
import ruamel.yaml


def load(path, data):
    with open(path, 'wb') as f:
        f.write(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            with compat_open(path, 'r') as stream:
                loaded = ordered_yaml_load(stream)
        except ruamel.yaml.YAMLError as e:
            return {'load': 'yaml', 'error': str(e)}, None
        except Exception as e:  # noqa: BLE001 - the CLI prints str(e) of anything
            return {'load': 'python', 'error': str(e)}, None
    out = {
        'load': 'ok',
        'warnings': [str(w.message) for w in caught],
        'root': 'none' if loaded is None else 'other',
        'dump': None,
        'dump_error': None,
    }
    return out, loaded


def dump(out, loaded):
    try:
        out['dump'] = ordered_yaml_dump(loaded)
    except Exception as e:  # noqa: BLE001
        out['dump_error'] = str(e)


# The CLI loads and dumps kubeconfigs deeper in Python's stack than this script; padding the
# stack makes `RecursionError` strike at the nesting depths measured with
# `aws eks update-kubeconfig` (488 nested flow sequences load, 489 do not; 244 nested
# mappings load, 245 do not; a mapping holding 326 nested sequences dumps, 327 do not).
LOAD_PAD = 7
DUMP_PAD = 5


def padded(frames, fn, *args):
    if frames == 0:
        return fn(*args)
    return padded(frames - 1, fn, *args)


def one(path, data):
    out, loaded = padded(LOAD_PAD, load, path, data)
    if loaded is not None:
        padded(DUMP_PAD, dump, out, loaded)
    return out


def main():
    req = json.load(sys.stdin)
    path = req['path']
    results = [one(path, base64.b64decode(d)) for d in req['docs']]
    sys.stdout.write(json.dumps(results, ensure_ascii=True))


if __name__ == '__main__':
    main()
