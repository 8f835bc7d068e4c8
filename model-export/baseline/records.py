"""The original's lambda_handler on one Kinesis record at a time, for the
Go differential tests (handler/original_test.go, through internal/original).

    MODEL_PATH=build/model/model.pkl records.py < RECORDS > OUTCOMES

Each line in is one record's data, base64 (as Lambda's event carries it);
each line out is its outcome, in order:

    P {"ride_id": 123, "prediction": 18.3}   what the original puts on
                                             Kinesis: json.dumps(prediction_event)
    E "ValueError: ..."                      what it raises (failing the
                                             whole batch), as a JSON string

The baseline runs as tools/internal/baseline runs it, with TEST_RUN (so that
nothing is put on Kinesis), one long-lived process for many records: the
model loads once.
"""

import json
import os
import sys
import warnings

os.environ["TEST_RUN"] = "True"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lambda_function  # noqa: E402  (loads the model)


def outcome(data):
    event = {"Records": [{"kinesis": {"data": data}}]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's overflow warnings, on stderr
            prediction_event = lambda_function.lambda_handler(event, None)["predictions"][0]
    except Exception as e:
        return "E " + json.dumps(f"{type(e).__name__}: {e}")
    # What the original's put_record sends.
    return "P " + json.dumps(prediction_event)


def main():
    for line in sys.stdin:
        sys.stdout.write(outcome(line.strip()) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
