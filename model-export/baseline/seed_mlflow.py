"""The seed's model where the original keeps it: an MLflow sklearn model in
S3, which lambda_function.py loads with mlflow.pyfunc.load_model when
RUN_ID is set (make bench's cold start).

    PYTHON model-export/baseline/seed_mlflow.py --train JAN.csv --dir build/model/mlflow-seed \
        --uri s3://mlflow-nyc-taxi-reg-exp/4/<run_id>/artifacts/model

Trains the seed's pipeline (train.py's PARAMS on Jan 2022) with this
interpreter's sklearn and saves it to DIR with mlflow.sklearn.save_model
(cloudpickle, as MLflow 2 saved the original's), unless DIR holds it
already; then uploads DIR to URI with MLflow's own S3 artifact repository
(MLFLOW_S3_ENDPOINT_URL, or the AWS SDK's variables). The pickle make
model writes cannot serve: sklearn 1.3 and later refuse the tree arrays of
the Debian sklearn 1.2 that wrote it.
"""

import argparse
import os
import shutil
import warnings

import mlflow.sklearn
from mlflow.store.artifact.s3_artifact_repo import S3ArtifactRepository
from sklearn.ensemble import RandomForestRegressor
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import make_pipeline

HERE = os.path.dirname(os.path.abspath(__file__))


def train_seed(path):
    import sys
    sys.path.insert(0, os.path.join(HERE, ".."))
    from rides import prepare_dictionaries, read_dataframe
    from train import PARAMS

    df = read_dataframe(path)
    return make_pipeline(DictVectorizer(), RandomForestRegressor(**PARAMS)).fit(prepare_dictionaries(df), df.duration.values)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True, help="Jan 2022 rides (build/model/2022-01.csv)")
    ap.add_argument("--dir", required=True, help="the MLflow model directory, made once")
    ap.add_argument("--uri", required=True, help="s3://BUCKET/EXPERIMENT/RUN_ID/artifacts/model")
    args = ap.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not os.path.exists(os.path.join(args.dir, "MLmodel")):
            tmp = args.dir + ".tmp"  # a run stopped half-way leaves no DIR behind
            shutil.rmtree(tmp, ignore_errors=True)
            mlflow.sklearn.save_model(train_seed(args.train), tmp, serialization_format="cloudpickle")
            shutil.rmtree(args.dir, ignore_errors=True)
            os.rename(tmp, args.dir)
        S3ArtifactRepository(args.uri).log_artifacts(args.dir)
    print(args.uri)


if __name__ == "__main__":
    main()
