"""The original app's Lambda function (final version), as the baseline.

Same steps as the original: base64-decode each Kinesis record, json.loads,
prepare_features, predict one ride at a time, build the output event;
nothing is put on Kinesis (TEST_RUN behaviour).

With RUN_ID set, the model loads as the original's does at a cold start:
mlflow.pyfunc.load_model("s3://MODEL_BUCKET/EXPERIMENT_ID/RUN_ID/artifacts/model")
(the bucket mlflow-nyc-taxi-reg-exp and experiment 4 by default), from
the AWS SDK's S3 or MLFLOW_S3_ENDPOINT_URL's (moto, in make bench). That
needs an interpreter with mlflow (make deps' build/venv), and MLflow 3
loads a pickled model only with MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true.
Without RUN_ID it unpickles MODEL_PATH from local disk, which Debian's
Python can do: the differential tests (internal/original) run it so.
"""

import base64
import json
import os
import pickle

PREDICTIONS_STREAM_NAME = os.getenv("PREDICTIONS_STREAM_NAME", "ride_prediction")
TEST_RUN = os.getenv("TEST_RUN", "False") == "True"
RUN_ID = os.getenv("RUN_ID")
MODEL_PATH = os.getenv("MODEL_PATH", os.path.join(os.path.dirname(__file__), "..", "..", "build", "model", "model.pkl"))

if RUN_ID:
    import mlflow.pyfunc

    logged_model = "s3://%s/%s/%s/artifacts/model" % (
        os.getenv("MODEL_BUCKET", "mlflow-nyc-taxi-reg-exp"), os.getenv("EXPERIMENT_ID", "4"), RUN_ID)
    model = mlflow.pyfunc.load_model(logged_model)
else:
    with open(MODEL_PATH, "rb") as f:
        model = pickle.load(f)


def prepare_features(ride):
    features = {}
    features["PU_DO"] = "%s_%s" % (ride["PULocationID"], ride["DOLocationID"])
    features["trip_distance"] = ride["trip_distance"]
    return features


def predict(features):
    pred = model.predict(features)
    return float(pred[0])


def lambda_handler(event, context):
    predictions = []
    for record in event["Records"]:
        encoded_data = record["kinesis"]["data"]
        decoded_data = base64.b64decode(encoded_data).decode("utf-8")
        ride_event = json.loads(decoded_data)
        ride = ride_event["ride"]
        ride_id = ride_event["ride_id"]
        features = prepare_features(ride)
        prediction = predict(features)
        prediction_event = {"ride_id": ride_id, "prediction": prediction}
        # The original calls kinesis_client.put_record here unless TEST_RUN.
        predictions.append(prediction_event)
    return {"predictions": predictions}
