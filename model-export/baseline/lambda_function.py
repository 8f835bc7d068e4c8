"""The original app's Lambda function (final version), as the baseline.

Same steps as the original: base64-decode each Kinesis record, json.loads,
prepare_features, predict one ride at a time, build the output event. The
model is unpickled from local disk at import time, where the original
loads it from S3 through MLflow: mlflow and boto3 cannot be installed here,
so the original's cold start is higher than this baseline's (the mlflow
import and the S3 download come on top), and nothing is put on Kinesis
(TEST_RUN behaviour).
"""

import base64
import json
import os
import pickle

PREDICTIONS_STREAM_NAME = os.getenv("PREDICTIONS_STREAM_NAME", "ride_prediction")
TEST_RUN = os.getenv("TEST_RUN", "False") == "True"
MODEL_PATH = os.getenv("MODEL_PATH", os.path.join(os.path.dirname(__file__), "..", "..", "build", "model", "model.pkl"))

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
