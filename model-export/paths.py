"""Counts the splits a ride walks in forest.json, by kind: why Predict costs what it does.

    /usr/bin/python3 model-export/paths.py [--rides 2000] [--height 4]

For a sample of Feb 2022 rides (build/model/2022-02.csv, from make model),
prints per ride over all trees: splits, distance splits, category splits,
and distance splits inside distance-only subtrees no taller than --height
(the ones a branch-free step table could replace).
"""

import argparse
import json
import os

import numpy as np

from rides import read_trips

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forest", default=os.path.join(HERE, "artifacts", "forest.json"))
    ap.add_argument("--val", default="build/model/2022-02.csv")
    ap.add_argument("--rides", type=int, default=2000)
    ap.add_argument("--height", type=int, default=4)
    args = ap.parse_args()
    with open(args.forest) as f:
        forest = json.load(f)
    names = forest["vectorizer"]["feature_names"]
    dist = names.index("trip_distance")
    df = read_trips(args.val).sample(args.rides, random_state=1)
    rides = [(f"PU_DO={p}_{d}", float(np.float32(t))) for p, d, t in zip(df.PULocationID, df.DOLocationID, df.trip_distance)]
    splits = on_dist = on_cat = in_pure = 0
    for t in forest["trees"]:
        left, right, feat, thr = t["children_left"], t["children_right"], t["feature"], t["threshold"]
        # height of the distance-only subtree at each node, -1 if it tests a category
        order, stack = [], [0]
        while stack:
            n = stack.pop()
            order.append(n)
            if left[n] != -1:
                stack += [left[n], right[n]]
        pure = [0] * len(left)
        for n in reversed(order):
            if left[n] == -1:
                pure[n] = 0
            elif feat[n] == dist and pure[left[n]] >= 0 and pure[right[n]] >= 0:
                pure[n] = 1 + max(pure[left[n]], pure[right[n]])
            else:
                pure[n] = -1
        for cat, d in rides:
            n = 0
            while left[n] != -1:
                splits += 1
                if feat[n] == dist:
                    on_dist += 1
                    in_pure += 0 < pure[n] <= args.height
                    n = left[n] if d <= thr[n] else right[n]
                else:
                    on_cat += 1
                    n = left[n] if names[feat[n]] != cat else right[n]
    k = len(rides)
    print(f"per ride over all trees: {splits / k:.0f} splits, {on_dist / k:.0f} on distance, {on_cat / k:.0f} on categories; "
          f"{in_pure / k:.0f} distance splits in distance-only subtrees of height <= {args.height}")


if __name__ == "__main__":
    main()
