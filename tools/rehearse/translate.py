"""Translates a SAM template to plain CloudFormation, as `sam deploy` does
before it creates the stack, for the deploy rehearsal against moto (which
has no SAM transform).

    python3 tools/rehearse/translate.py TEMPLATE [CODE_URI] > stack.json

CODE_URI (an s3:// URI) replaces the function's local CodeUri, as
`sam package` does after uploading build/function.zip. Needs
aws-sam-translator: the python3 on PATH, or build/venv's, where make deps
installs it when that one lacks it.
"""

import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The templates name no AWS managed policies, so none need loading."""

    def load(self):
        return {}


def main():
    with open(sys.argv[1]) as f:
        template = yaml_parse(f.read())
    if len(sys.argv) > 2:
        template["Resources"]["RideDurationFunction"]["Properties"]["CodeUri"] = sys.argv[2]
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    json.dump(transform(template, {}, NoManagedPolicies()), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
