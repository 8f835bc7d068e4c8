"""features.py: the ast compiler of prepare_features, its refusals, and the runner."""

import json
import textwrap

import pytest

import features
import runner
from features import FeaturesError


def program(tmp_path, body, name="lambda_function.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return features.compile_file(str(path))


def test_seed_compiles_to_the_program_gen_knows(tmp_path):
    p = features.compile_file(features.SEED)
    assert p["fields"] == ["PULocationID", "DOLocationID", "trip_distance"]
    keys = [s["key"] for s in p["steps"] if "key" in s]
    assert keys == ["PU_DO", "trip_distance"]
    assert p["steps"][1]["text"] == 'features["PU_DO"] = "%s_%s" % (ride["PULocationID"], ride["DOLocationID"])'
    with open(features.SEED) as f:
        line = next(i for i, text in enumerate(f, 1) if text.strip() == "return features")
    assert p["steps"][-1] == {"line": line, "text": "return features", "returns": True}


def test_forms(tmp_path):
    p = program(tmp_path, """
        def prepare_features(ride):
            pu = ride.get("PULocationID", -1)
            features = {"a": f"{pu}-{ride['x']}%"}
            features["b"] = str(int(float(ride["y"]))) + "_" + '%d' % ride.get("z")
            return features
        """)
    assert p["fields"] == ["PULocationID", "x", "y", "z"]
    a = p["steps"][2]["value"]
    assert a["op"] == "format" and a["format"] == "%s-%s%%"
    assert p["steps"][0]["value"] == {"op": "get", "field": "PULocationID", "const": {"type": "int", "value": "-1"},
                                      "src": 'ride.get("PULocationID", -1)'}


@pytest.mark.parametrize("body,want", [
    ("features = {}\n    features['a'] = datetime.fromisoformat(ride['x'])\n    return features",
     "lambda_function.py:3: datetime.fromisoformat(...) is not supported"),
    ("return {'a': ride['x'] * 2}", "lambda_function.py:2: ride['x'] * 2 is not supported"),
    ("return {'a': ride['x'] + 1}", "+ is supported on str only"),
    ("x = 1\n    x = 2\n    return {'a': x}", "x is assigned twice"),
    ("return {'a': '%s_%s' % (ride['x'],)}", "takes 2 values, given 1"),
    ("return {'a': '%5.2f' % ride['x']}", "only %s, %d, %i and %% are supported"),
    ("return {'a': f'{ride[\"x\"]!r}'}", "conversion (!r) or format spec"),
    ("if ride['x']:\n        pass\n    return {}", "lambda_function.py:2: if ride['x']: is not supported"),
    ("return {ride['k']: 1}", "is not a str constant"),
    ("return ride", "must return its features dict"),
    ("features = {}", "must end with return features"),
])
def test_refusals(tmp_path, body, want):
    with pytest.raises(FeaturesError) as e:
        program(tmp_path, "def prepare_features(ride):\n    " + body + "\n")
    assert want in str(e.value)


def test_keys_checked_against_the_vectorizer(tmp_path):
    p = program(tmp_path, "def prepare_features(ride):\n    return {'a': ride['x'], 'extra': 1}\n")
    assert features.check_keys(p, [{"key": "a", "kind": "numeric"}]) == ["extra"]
    with pytest.raises(FeaturesError, match="never writes the vectorizer's key 'b'"):
        features.check_keys(p, [{"key": "a", "kind": "numeric"}, {"key": "b", "kind": "categorical"}])


def test_named_function_and_module_left_alone(tmp_path):
    src = "import pickle\nmodel = pickle.load(open('/nonexistent', 'rb'))\n\ndef mine(r):\n    return {'a': float(r['x'])}\n"
    (tmp_path / "lambda_function.py").write_text(src)
    p = features.compile_file(str(tmp_path / "lambda_function.py") + ":mine")
    assert p["function"] == "mine" and p["fields"] == ["x"]
    fn = runner.load_function(src, "mine")  # the def alone: the module's model is never loaded
    assert runner.run(fn, '{"x": " 1_000 "}') == {"features": [["a", "float", "1000.0"]]}
    assert runner.run(fn, '{"x": null}')["error"] == "TypeError"
    assert runner.run(fn, '{}')["error"] == "KeyError"


def test_describe():
    assert [runner.describe(v) for v in (True, None, "\u00e9", 10 ** 30, 130.0, [1])] == [
        ["bool", "True"], ["NoneType", "None"], ["str", json.dumps("\u00e9")], ["int", str(10 ** 30)], ["float", "130.0"], ["list", ""]]
