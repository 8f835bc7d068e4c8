"""Trains the seed model: DictVectorizer + RandomForestRegressor on Jan 2022.

    /usr/bin/python3 model-export/train.py --train JAN.csv --val FEB.csv \
        --data JAN.parquet FEB.parquet --model build/model.pkl \
        --metrics model-export/artifacts/metrics.json \
        --plot model-export/artifacts/validation.png

The pipeline is exactly the seed's (see docs/model.md). The model is saved as a
pickled sklearn Pipeline; validation predictions use n_jobs=1 so that their
summation order, and so the RMSE, is deterministic.
"""

import argparse
import hashlib
import json
import os
import pickle

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402
from sklearn.feature_extraction import DictVectorizer  # noqa: E402
from sklearn.metrics import mean_squared_error  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from rides import prepare_dictionaries, read_dataframe  # noqa: E402

PARAMS = dict(max_depth=20, min_samples_leaf=10, n_estimators=100, random_state=0)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def plot(y_val, y_pred, rmse, path):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    ax1.scatter(y_val, y_pred, s=1, alpha=0.15)
    ax1.plot([0, 60], [0, 60], color="black", linewidth=0.8)
    ax1.set_xlabel("actual duration (min)")
    ax1.set_ylabel("predicted duration (min)")
    ax1.set_title("predicted vs actual")
    ax2.hist(y_pred - y_val, bins=120, range=(-60, 60))
    ax2.set_xlabel("residual: predicted - actual (min)")
    ax2.set_ylabel("rides")
    ax2.set_title("residuals")
    fig.suptitle(f"Feb 2022 validation, {len(y_val):,} rides, RMSE {rmse:.4f} min")
    fig.tight_layout()
    # No timestamps or software versions in the file: the same model gives
    # the same bytes.
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--data", nargs=2, required=True, help="the source Parquet files")
    ap.add_argument("--model", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--plot", required=True)
    ap.add_argument("--params", default="{}",
                    help='JSON object overriding the seed\'s hyperparameters, e.g. \'{"max_depth": null}\'')
    args = ap.parse_args()
    params = {**PARAMS, **json.loads(args.params)}

    df_train = read_dataframe(args.train)
    df_val = read_dataframe(args.val)
    dict_train = prepare_dictionaries(df_train)
    dict_val = prepare_dictionaries(df_val)
    y_train = df_train["duration"].values
    y_val = df_val["duration"].values

    pipeline = make_pipeline(DictVectorizer(), RandomForestRegressor(**params, n_jobs=-1))
    pipeline.fit(dict_train, y_train)
    forest = pipeline[-1]
    forest.set_params(n_jobs=1)
    y_pred = pipeline.predict(dict_val)
    rmse = mean_squared_error(y_val, y_pred, squared=False)

    os.makedirs(os.path.dirname(os.path.abspath(args.model)), exist_ok=True)
    with open(args.model, "wb") as f:
        pickle.dump(pipeline, f, protocol=4)

    metrics = {
        "val_rmse": float(rmse),
        "train_rows": len(y_train),
        "val_rows": len(y_val),
        "n_trees": len(forest.estimators_),
        "n_nodes": int(sum(t.tree_.node_count for t in forest.estimators_)),
        "n_features": len(pipeline[0].feature_names_),
        "params": params,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "data_sha256": {os.path.basename(p): sha256(p) for p in args.data},
    }
    with open(args.metrics, "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    plot(y_val, y_pred, rmse, args.plot)
    print(f"train: val RMSE {rmse:.4f} on {len(y_val)} rides, {metrics['n_nodes']} nodes")


if __name__ == "__main__":
    main()
