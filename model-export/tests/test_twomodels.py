"""twomodels.chart: a PNG, the same bytes for the same predictions, and
other bytes for others (the refresh and shadow reports' chart)."""

import numpy as np

import twomodels


def draw(tmp_path, name, a, b):
    path = tmp_path / name
    twomodels.chart(a, b, ("old", "new"), ("How predictions move", "Old against new"), "3 rides", str(path))
    return path.read_bytes()


def test_chart(tmp_path):
    a = np.array([1.0, 5.0, 12.5])
    b = np.array([1.5, 4.0, 12.5])
    first = draw(tmp_path, "a.png", a, b)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert draw(tmp_path, "b.png", a, b) == first
    assert draw(tmp_path, "c.png", a, b + 3) != first
