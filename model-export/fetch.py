"""Downloads the MLflow model at a URI into a local directory, for export.py.

    PYTHON model-export/fetch.py URI DIR

URI is what mlflow.artifacts.download_artifacts reads: runs:/<run_id>/model
(with MLFLOW_TRACKING_URI), models:/<name>/<version> or models:/<name>@<alias>
from the registry, or the artifact store's own address,
s3://<bucket>/<experiment>/<run_id>/artifacts/model as the original's is
(the AWS SDK's usual credentials, and MLFLOW_S3_ENDPOINT_URL or
AWS_ENDPOINT_URL_S3 for another endpoint). It prints the model directory
(inside DIR), which export.py and golden.py then read like any other.
mlflow is needed only here, so it must be installed in this interpreter
(make refresh's PYTHON=); anything that goes wrong exits with status 1 and
one sentence.
"""

import sys
import warnings


def fetch(uri, dst):
    try:
        import mlflow.artifacts
    except ImportError:
        raise SystemExit(f"fetch: {uri} is an MLflow model URI, and {sys.executable} has no mlflow to read it: "
                         f"pip install mlflow there, or give make refresh PYTHON= an interpreter that has it "
                         f"(make deps' build/venv/bin/python)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=dst)
    except Exception as e:  # mlflow, boto3 and the network raise many kinds
        first = (str(e).strip().splitlines() or [""])[0]
        raise SystemExit(f"fetch: cannot download {uri} ({type(e).__name__}: {first})")


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__.split("\n\n")[1])
    print(fetch(argv[0], argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
