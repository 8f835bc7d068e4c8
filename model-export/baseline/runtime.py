"""A minimal Lambda Runtime API client, so that the baseline can run under
the Runtime Interface Emulator like the Go bootstrap (awslambdaric is on
PyPI, which this machine cannot reach). Usage, as the emulator's bootstrap:

    aws-lambda-rie ... /usr/bin/python3 model-export/baseline/runtime.py
"""

import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lambda_function  # noqa: E402  (loads the model, as at a real cold start)

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"


def main():
    while True:
        with urllib.request.urlopen(API + "next") as res:
            request_id = res.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(res.read())
        try:
            body, path = json.dumps(lambda_function.lambda_handler(event, None)), "/response"
        except Exception as e:  # reported to the caller, as Lambda does
            body, path = json.dumps({"errorMessage": str(e), "errorType": type(e).__name__}), "/error"
        req = urllib.request.Request(API + request_id + path, data=body.encode(), method="POST")
        urllib.request.urlopen(req).close()


if __name__ == "__main__":
    main()
