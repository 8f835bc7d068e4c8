"""Translates a SAM template to plain CloudFormation, as `sam deploy` does
before it creates the stack, for the deploy rehearsal against moto (which
has no SAM transform).

    python3 tools/deploy/rehearse/translate.py TEMPLATE [CODE_URI] [NAME=VALUE ...] > stack.json

CODE_URI (an s3:// URI) replaces the function's local CodeUri, as
`sam package` does after uploading build/function.zip. NAME=VALUE sets a
parameter, as `sam deploy --parameter-overrides` does: SAM resolves the
parameters the function's version depends on (AutoPublishAlias), such as
ImageUri, when it translates. Needs
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
    params = {}
    for arg in sys.argv[2:]:
        if arg.startswith("s3://"):
            template["Resources"]["RideDurationFunction"]["Properties"]["CodeUri"] = arg
        else:
            name, _, value = arg.partition("=")
            params[name] = value
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    json.dump(transform(template, params, NoManagedPolicies()), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
