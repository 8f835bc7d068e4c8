"""Runs the user's prepare_features in Python: the other side of every proof.

golden.py runs the function (its def alone, load_function) on the rides
the golden answers hold; the walker test runs a forest's feature program
in Python itself (evaluate); gen's differential tests talk to serve, one
long-lived process (features.py --serve).
"""

import ast
import json

import features


def load_function(source, name=features.DEFAULT_FUNCTION, filename="<features>"):
    """The function NAME of the Python source, defined alone (its def, without
    the rest of the module, which may load a model): the forms compiled use
    builtins only, so it runs as it would in the user's module."""
    tree = ast.parse(source, filename=filename)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if not funcs:
        raise features.FeaturesError(f"{filename}: no function {name}(ride) at the top level")
    module = ast.Module(body=[funcs[-1]], type_ignores=[])
    namespace = {}
    exec(compile(module, filename, "exec"), {"__builtins__": __builtins__}, namespace)
    return namespace[name]


def evaluate(program, ride):
    """Runs a feature program (forest JSON's "features") on a ride in Python
    itself: the dict prepare_features returns, or its exception. The walker
    test uses it to rebuild the model's inputs without the user's file."""
    local = {}

    def value(e):
        op = e["op"]
        if op == "item":
            return ride[e["field"]]
        if op == "get":
            return ride.get(e["field"], const(e["const"]) if "const" in e else None)
        if op == "const":
            return const(e["const"])
        if op == "local":
            return local[e["name"]]
        args = [value(a) for a in e.get("args", [])]
        if op in ("str", "float", "int"):
            return {"str": str, "float": float, "int": int}[op](args[0])
        if op == "concat":
            return args[0] + args[1]
        return e["format"] % tuple(args)

    out = {}
    for step in program["steps"]:
        if "local" in step:
            local[step["local"]] = value(step["value"])
        elif "key" in step:
            out[step["key"]] = value(step["value"])
    return out


def const(c):
    return {"str": str, "int": int, "float": float, "bool": lambda v: v == "True", "None": lambda v: None}[c["type"]](c["value"])


def describe(v):
    """[type, text] of a feature value, as Go's pyval.Describe writes it."""
    if isinstance(v, bool):
        return ["bool", repr(v)]
    if v is None:
        return ["NoneType", "None"]
    if isinstance(v, str):
        return ["str", json.dumps(v)]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", repr(v)]
    return [type(v).__name__, ""]


def run(fn, ride_json):
    """{"features": [[key, type, text], ...]} of fn on the ride, or {"error": its type}."""
    try:
        ride = json.loads(ride_json)
        out = fn(ride)
        return {"features": [[k] + describe(v) for k, v in out.items()]}
    except Exception as e:  # the ride's error, whatever the function raised
        return {"error": type(e).__name__, "message": str(e)[:200]}


def serve(stdin, stdout):
    """The Python side of the differential tests and of make refresh's proof:
    one JSON object a line in, {"source", "function", "ride"} (the ride as JSON
    text; "compile": true also returns the program), one answer a line out."""
    cache = {}
    for line in stdin:
        req = json.loads(line)
        key = (req["source"], req.get("function", features.DEFAULT_FUNCTION))
        answer = {}
        try:
            if key not in cache:
                cache.clear() if len(cache) > 1000 else None
                cache[key] = load_function(*key)
            if req.get("compile"):
                tree = ast.parse(req["source"])
                fn = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == key[1]][-1]
                answer["program"] = features.Compiler("features.py", req["source"]).function(fn)
            answer |= run(cache[key], req["ride"])
        except (features.FeaturesError, SyntaxError) as e:
            answer = {"refused": str(e)}
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()
