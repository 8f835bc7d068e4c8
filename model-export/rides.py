"""Reading the extracted trip CSVs and building the seed's features.

Kept separate from training so that training, golden answers and the
baseline read rides in exactly one way.
"""

import pandas as pd


def read_trips(path):
    """Reads a CSV written by tools/model/extract, rows in file order.

    trip_distance is parsed with float_precision="round_trip" so that every
    value is the float64 that was in the Parquet file; pandas' default parser
    may be off in the last bit.
    """
    df = pd.read_csv(
        path,
        dtype={"PULocationID": "Int64", "DOLocationID": "Int64"},
        float_precision="round_trip",
    )
    df["lpep_pickup_datetime"] = pd.to_datetime(df.pickup_us, unit="us")
    df["lpep_dropoff_datetime"] = pd.to_datetime(df.dropoff_us, unit="us")
    return df


def read_dataframe(path):
    """The seed's read_dataframe: duration in minutes, kept when 1 <= d <= 60."""
    df = read_trips(path)
    df["duration"] = df.lpep_dropoff_datetime - df.lpep_pickup_datetime
    df.duration = df.duration.apply(lambda td: td.total_seconds() / 60)
    df = df[(df.duration >= 1) & (df.duration <= 60)].copy()
    categorical = ["PULocationID", "DOLocationID"]
    df[categorical] = df[categorical].astype(str)
    return df


def prepare_dictionaries(df):
    """The seed's features: PU_DO = "<PU>_<DO>" and trip_distance."""
    df = df.copy()
    df["PU_DO"] = df["PULocationID"] + "_" + df["DOLocationID"]
    return df[["PU_DO", "trip_distance"]].to_dict(orient="records")
