"""Compiles the user's prepare_features(ride) into a feature program.

    /usr/bin/python3 model-export/features.py lambda_function.py[:NAME]

reads the function NAME (prepare_features by default) from the file with
Python's own ast, without running it, and prints its feature program, the
"features" object of forest JSON (FORMAT.md, "Feature program"), which gen
compiles into Go. The forms compiled (FORMAT.md lists them with their
semantics) are:

    features = {}                      a dict, built by
    features[K] = E                    assignments to constant str keys
    return features                    and returned, or
    return {K: E, ...}
    x = E                              a local name, assigned once

where E is ride[K], ride.get(K), ride.get(K, constant), str(E), float(E),
int(E), '%s_%s' % (E, E) (and other formats of %s, %d, %i and %%),
f-strings of plain {E}, E + E (one side a str), a local, or a str, int,
float, bool or None constant. Anything else is refused with the file, the
line, the construct and what is supported:

    lambda_function.py:7: datetime.fromisoformat(...) is not supported
"""

import ast
import hashlib
import json
import os
import sys
import textwrap

DEFAULT_FUNCTION = "prepare_features"
SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline", "lambda_function.py")
SUPPORTED = ("supported: ride[K], ride.get(K[, constant]), str(E), float(E), int(E), "
             "'%s'/'%d' % (E, ...), f'{E}', E + E on str, constants and local names (FORMAT.md)")


class FeaturesError(Exception):
    """A function that cannot be compiled, with where and why."""


def parse_spec(spec):
    """(path, function name) of FILE[:NAME]."""
    path, sep, name = spec.rpartition(":")
    if not sep or not name.isidentifier():
        return spec, DEFAULT_FUNCTION
    return path, name


def compile_file(spec):
    """The feature program of FILE[:NAME]."""
    path, name = parse_spec(spec)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FeaturesError(f"features: {path}: {e.strerror}")
    try:
        tree = ast.parse(data, filename=path)
    except SyntaxError as e:
        raise FeaturesError(f"{os.path.basename(path)}:{e.lineno}: {e.msg}")
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if not funcs:
        raise FeaturesError(f"{path}: no function {name}(ride) at the top level")
    text = data.decode("utf-8")
    program = Compiler(os.path.basename(path), text).function(funcs[-1])
    program.update(source=os.path.basename(path), function=name, sha256=hashlib.sha256(data).hexdigest())
    return {k: program[k] for k in ("source", "function", "sha256", "fields", "steps")}


class Compiler:
    """Walks one function's ast into steps."""

    def __init__(self, filename, text):
        self.filename, self.text = filename, text
        self.lines = text.splitlines()
        self.fields, self.locals, self.steps = [], {}, []
        self.ride, self.dict = None, None

    def refuse(self, node, what):
        raise FeaturesError(f"{self.filename}:{node.lineno}: {what}")

    def unsupported(self, node):
        src = ast.get_source_segment(self.text, node) or type(node).__name__
        if isinstance(node, ast.Call):
            src = (ast.get_source_segment(self.text, node.func) or "call") + "(...)"
        src = src.splitlines()[0] if src else src  # a statement: its first line
        self.refuse(node, f"{clip(src)} is not supported ({SUPPORTED})")

    def function(self, fn):
        args = fn.args
        if len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
            self.refuse(fn, f"{fn.name} must take exactly one argument, the ride")
        if fn.decorator_list:
            self.refuse(fn.decorator_list[0], "decorators are not supported")
        self.ride = args.args[0].arg
        body = fn.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body = body[1:]  # the docstring
        returned = False
        for stmt in body:
            if returned:
                self.refuse(stmt, "statements after return are not supported")
            returned = self.statement(stmt)
        if not returned:
            self.refuse(fn, f"{fn.name} must end with return features (a dict)")
        return {"fields": self.fields, "steps": self.steps}

    def source(self, node):
        return textwrap.dedent("\n".join(self.lines[node.lineno - 1:node.end_lineno]))

    def step(self, node, **kw):
        self.steps.append({"line": node.lineno, "text": self.source(node)} | kw)

    def statement(self, stmt):
        """Compiles one statement; True for the return."""
        if isinstance(stmt, ast.Return):
            return self.return_(stmt)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                return self.assign_name(stmt, target.id)
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == self.dict:
                self.step(stmt, key=self.key(target.slice), value=self.expr(stmt.value))
                return False
        if isinstance(stmt, ast.Pass):
            return False
        self.unsupported(stmt)

    def assign_name(self, stmt, name):
        if name in self.locals or name in (self.ride, self.dict):
            self.refuse(stmt, f"{name} is assigned twice; a local name may be assigned once")
        if isinstance(stmt.value, ast.Dict) and self.dict is None:
            self.dict = name
            self.step(stmt)
            for k, v in zip(stmt.value.keys, stmt.value.values):
                if k is None:
                    self.refuse(stmt, "** in a dict is not supported")
                self.steps.append({"line": v.lineno, "text": self.source(stmt), "key": self.key(k), "value": self.expr(v)})
            return False
        self.locals[name] = True
        self.step(stmt, local=name, value=self.expr(stmt.value))
        return False

    def return_(self, stmt):
        value = stmt.value
        if isinstance(value, ast.Name) and value.id == self.dict:
            self.step(stmt, returns=True)
            return True
        if isinstance(value, ast.Dict) and self.dict is None:
            keys = []
            for k, v in zip(value.keys, value.values):
                if k is None:
                    self.refuse(stmt, "** in a dict is not supported")
                keys.append({"line": v.lineno, "text": self.source(stmt), "key": self.key(k), "value": self.expr(v)})
            self.steps.extend(keys)
            self.step(stmt, returns=True)
            return True
        self.refuse(stmt, "the function must return its features dict (return features, or return {K: E, ...})")

    def key(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        self.refuse(node, f"the key {clip(ast.get_source_segment(self.text, node) or '?')} is not a str constant; feature keys must be")

    def field(self, node):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            self.refuse(node, f"ride[{clip(ast.get_source_segment(self.text, node) or '?')}]: the field must be a str constant")
        if node.value not in self.fields:
            self.fields.append(node.value)
        return node.value

    def expr(self, node):
        src = ast.get_source_segment(self.text, node) or ""
        e = self.expr_(node)
        e.setdefault("src", src)
        return e

    def expr_(self, node):
        node = fold(node)
        if isinstance(node, ast.Constant):
            return {"op": "const", "const": constant(self, node)}
        if isinstance(node, ast.Name):
            if node.id in self.locals:
                return {"op": "local", "name": node.id}
            self.refuse(node, f"{node.id} is not a local name assigned before")
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == self.ride:
            return {"op": "item", "field": self.field(node.slice)}
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return self.percent(node)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.expr(node.left), self.expr(node.right)
            if not (is_str(left) or is_str(right)):
                self.refuse(node, f"{clip(ast.get_source_segment(self.text, node))}: + is supported on str only (wrap a side in str())")
            return {"op": "concat", "args": [left, right]}
        self.unsupported(node)

    def call(self, node):
        f = node.func
        if node.keywords:
            self.unsupported(node)
        if isinstance(f, ast.Name) and f.id in ("str", "float", "int") and len(node.args) == 1 and f.id not in self.locals:
            return {"op": f.id, "args": [self.expr(node.args[0])]}
        if isinstance(f, ast.Attribute) and f.attr == "get" and isinstance(f.value, ast.Name) and f.value.id == self.ride and 1 <= len(node.args) <= 2:
            e = {"op": "get", "field": self.field(node.args[0])}
            if len(node.args) == 2:
                default = fold(node.args[1])
                if not isinstance(default, ast.Constant):
                    self.refuse(node, "ride.get(K, default): the default must be a constant")
                e["const"] = constant(self, default)
            return e
        self.unsupported(node)

    def percent(self, node):
        fmt = node.left.value
        args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        n = count_specs(self, node, fmt)
        if n != len(args):
            self.refuse(node, f"the format {fmt!r} takes {n} values, given {len(args)} (Python raises TypeError on every ride)")
        return {"op": "format", "format": fmt, "args": [self.expr(a) for a in args]}

    def fstring(self, node):
        fmt, args = "", []
        for part in node.values:
            if isinstance(part, ast.Constant):
                fmt += part.value.replace("%", "%%")
            elif part.conversion == -1 and part.format_spec is None:
                fmt += "%s"
                args.append(self.expr(part.value))
            else:
                self.refuse(node, "f-string fields with a conversion (!r) or format spec (:...) are not supported, only plain {E}")
        return {"op": "format", "format": fmt, "args": args}


def fold(node):
    """A signed number constant (-7, -0.0, +1.5) as one constant; any other node as it is."""
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) in (int, float)):
        v = node.operand.value
        folded = ast.Constant(-v if isinstance(node.op, ast.USub) else +v)
        return ast.copy_location(folded, node)
    return node


def is_str(e):
    """Whether the expression is a str whatever the ride holds."""
    return e["op"] in ("str", "format", "concat") or e["op"] == "const" and e["const"]["type"] == "str"


def constant(c, node):
    v = node.value
    if isinstance(v, bool):
        return {"type": "bool", "value": repr(v)}
    if v is None:
        return {"type": "None", "value": "None"}
    if isinstance(v, str):
        return {"type": "str", "value": v}
    if isinstance(v, int):
        return {"type": "int", "value": str(v)}
    if isinstance(v, float):
        return {"type": "float", "value": repr(v)}
    c.refuse(node, f"the constant {clip(repr(v))} is not supported (str, int, float, bool or None)")


def count_specs(c, node, fmt):
    """The values a %-format takes; anything but %s, %d, %i and %% is refused."""
    n, i = 0, 0
    while i < len(fmt):
        if fmt[i] == "%":
            spec = fmt[i + 1:i + 2]
            if spec in ("s", "d", "i"):
                n += 1
            elif spec != "%":
                c.refuse(node, f"the format {clip(fmt)!r}: only %s, %d, %i and %% are supported")
            i += 2
            continue
        i += 1
    return n


def clip(s):
    return s if len(s) <= 60 else s[:60] + "..."


def check_keys(program, inputs):
    """Refuses a vectorizer key the function never writes; returns the keys it
    writes that the vectorizer does not know (to report)."""
    written = {s["key"] for s in program["steps"] if "key" in s}
    missing = [i["key"] for i in inputs if i["key"] not in written]
    if missing:
        raise FeaturesError(f"{program['source']}: {program['function']} never writes the vectorizer's key {missing[0]!r}"
                            + (f" (nor {', '.join(map(repr, missing[1:]))})" if missing[1:] else "")
                            + f"; it writes {sorted(written)}")
    known = {i["key"] for i in inputs}
    return sorted(written - known)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--serve"]:
        import runner  # the Python side of the differential tests
        runner.serve(sys.stdin, sys.stdout)
        return 0
    if len(argv) != 1:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        program = compile_file(argv[0])
    except FeaturesError as e:
        print(e, file=sys.stderr)
        return 1
    json.dump(program, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
