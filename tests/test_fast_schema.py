"""The compiled validator (generator/spec/fastcheck.py) and jsonschema give the same verdict.

schema.check trusts fastjsonschema's "valid" and only asks jsonschema for the messages of an
invalid file: if the two ever disagreed, an invalid file would pass unreported (or a valid one
get an empty error list). So every YAML input the tests ship is checked both ways, and so are
thousands of seeded mutations of them: values of other types, dropped and unknown keys, the
edge cases where Python and JSON Schema differ (1.0 as an integer, True as a number, a final
newline against a `$`-anchored pattern).
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec import fastcheck, schema
from generator.spec.document import load

TESTS = Path(__file__).resolve().parent
REPLACEMENTS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    -1,
    10**6,
    "",
    "x",
    "core",
    "core\n",
    "UPPER",
    "/health",
    "/health\n",
    [],
    ["a"],
    {},
    {"unknown": 1},
)


def kind_of_file(path: Path) -> schema.Kind | None:
    if path.name == "service.yaml":
        return "service"
    if path.parent.name == "environments":
        return "environment"
    if path.name == "account.yaml":
        return "account"
    if path.name == "teams.yaml":
        return "teams"
    return None


def corpus() -> list[tuple[schema.Kind, Path, Any]]:
    found = []
    for path in sorted(TESTS.rglob("*.yaml")):
        kind = kind_of_file(path)
        if kind is None:
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # the bad-YAML cases never reach the schema
        found.append((kind, path, data))
    return found


def reference(kind: schema.Kind, data: Any) -> bool:
    return not any(True for _ in schema.validator(kind).iter_errors(data))


def fast(kind: schema.Kind) -> fastcheck.Check:
    check = fastcheck.checker(schema.schema_text(kind))
    assert check is not None, "fastjsonschema is a runtime dependency"
    return check


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(paths(value, (*prefix, index)))
    return out


def mutate(data: Any, rng: random.Random) -> Any:
    data = copy.deepcopy(data)
    target = rng.choice(paths(data)[1:] or [()])
    if not target:
        return rng.choice(REPLACEMENTS)
    parent = data
    for part in target[:-1]:
        parent = parent[part]
    last = target[-1]
    action = rng.random()
    if action < 0.2 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.3 and isinstance(parent, dict):
        parent[f"{last}x"] = parent[last]  # a misspelt key beside (or instead of) the real one
    else:
        parent[last] = rng.choice(REPLACEMENTS)
    return data


def test_every_shipped_input_gets_the_same_verdict() -> None:
    files = corpus()
    assert len(files) > 50, "the corpus is the YAML inputs the tests ship"
    for kind, path, data in files:
        expected = reference(kind, data)
        assert fast(kind)(data) == expected, f"{path}: jsonschema says valid={expected}"


@pytest.mark.parametrize("kind", schema.KINDS)
def test_mutations_get_the_same_verdict(kind: schema.Kind) -> None:
    valid = [data for k, _, data in corpus() if k == kind and reference(k, data)]
    assert valid, f"a valid {kind} file in the corpus"
    rng = random.Random(f"fast-schema-{kind}")
    rejected = 0
    for _ in range(1500):
        data = mutate(rng.choice(valid), rng)
        expected = reference(kind, data)
        assert fast(kind)(data) == expected, f"{kind}: jsonschema says valid={expected} for {data!r}"
        rejected += not expected
    assert rejected > 300, "the mutations reach invalid files"


def test_a_final_newline_fails_an_anchored_pattern_both_ways() -> None:
    (path, data) = next((p, d) for k, p, d in corpus() if k == "service" and reference(k, d))
    data = copy.deepcopy(data)
    data["name"] = f"{data['name']}\n"
    assert not reference("service", data), path
    assert not fast("service")(data)


def test_an_invalid_file_still_gets_jsonschemas_positioned_messages(tmp_path: Path) -> None:
    file = tmp_path / "service.yaml"
    file.write_text("name: core\nowner: growth\nenvironments: [staging]\nspec: {}\nextra: 1\n", encoding="utf-8")
    problems = schema.check(load(file, tmp_path), "service")
    fields = {(p.line, p.field) for p in problems}
    assert (5, "extra") in fields, problems
    assert (4, "spec", "missing required field 'resources'") in {(p.line, p.field, p.message) for p in problems}


def test_the_compiled_code_is_cached_outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fastcheck.checker.cache_clear()
    try:
        assert fastcheck.checker(schema.schema_text("teams")) is not None
        stored = list((tmp_path / "infragen" / "validators").glob("*.marshal"))
        assert len(stored) == 1
        stored[0].write_bytes(b"not marshal data")  # a damaged entry is rebuilt, not trusted
        fastcheck.checker.cache_clear()
        check = fastcheck.checker(schema.schema_text("teams"))
        assert check is not None and not check({"teams": 1})
    finally:
        fastcheck.checker.cache_clear()


@pytest.mark.parametrize("kind", schema.KINDS)
def test_the_check_leaves_the_data_as_it_was(kind: schema.Kind) -> None:
    """fastjsonschema can write a schema's defaults into the value it checks; the documents the
    generator reads must stay exactly what the file says (an input cache stores them)."""
    for k, path, data in corpus():
        if k == kind:
            before = copy.deepcopy(data)
            fast(kind)(data)
            assert data == before, path


def test_datastore_overrides_get_the_same_verdict() -> None:
    """An environment file's datastore override is checked against its kind's part of the schema
    (generator/spec/load.py); that sub-schema takes the compiled path too."""
    from generator.datastores import REGISTRY, kind_of

    overrides = [
        (override, name)
        for k, _, data in corpus()
        if k == "environment"
        for name, override in ((data.get("overrides") or {}).get("datastores") or {}).items()
    ]
    rng = random.Random("fast-schema-overrides")
    defs = schema.schema("environment")["$defs"]
    checked = 0
    for type_name in sorted(REGISTRY.types()):
        sub = defs[kind_of(type_name).schema_def]
        samples = [o for o, _ in overrides] + [{}, {"unknown": 1}, *REPLACEMENTS]
        for _ in range(200):
            data = mutate(rng.choice(samples), rng) if rng.random() < 0.7 else rng.choice(samples)
            expected = not any(True for _ in schema.make_validator(sub).iter_errors(data))
            assert schema.is_valid(data, "environment", sub) == expected, f"{type_name}: {data!r}"
            checked += 1
    assert checked


@pytest.mark.parametrize(
    ("pattern", "value", "valid"),
    [
        ("^[A-Za-z$]+$", "a$b", True),  # a literal $ in a class (fastjsonschema alone breaks on it)
        ("^[A-Za-z$]+$", "ab\n", False),
        ("^a$|^b$", "a\n", False),  # every anchor is ECMA's: the very end
        ("^a\\$$", "a$", True),
    ],
)
def test_dollars_mean_the_same_on_both_paths(pattern: str, value: str, valid: bool) -> None:
    sub = {"type": "string", "pattern": pattern}
    assert schema.is_valid(value, "service", sub) is valid
    assert (not any(True for _ in schema.make_validator(sub).iter_errors(value))) is valid


@pytest.mark.parametrize("const", [True, False, 1, 0, 1.5, "1", None, [1], {"a": 1}])
def test_a_const_is_the_same_test_both_ways(const: Any) -> None:
    """fastcheck gives fastjsonschema each `const` as an `enum` of its one value (fastcheck.prepared),
    which JSON Schema defines as the same test: true is not 1, 1.0 is 1, a property named `const`
    is a name."""
    sub = {
        "type": "object",
        "properties": {"value": {"const": const}, "const": {"type": "string"}},
        "additionalProperties": False,
    }
    check = fastcheck.checker(json.dumps(sub, sort_keys=True))
    assert check is not None
    assert fastcheck.prepared(sub)["properties"]["value"] == {"enum": [const]}
    assert fastcheck.prepared(sub)["properties"]["const"] == {"type": "string"}
    for value in (True, False, 1, 0, 1.0, 1.5, "1", None, [1], [True], {"a": 1}, {"a": True}, "x"):
        data = {"value": value, "const": "named"}
        expected = schema.make_validator(sub).is_valid(data)
        assert check(data) == expected, f"const {const!r}, value {value!r}: jsonschema says valid={expected}"
    assert check({"value": const, "const": 1}) is False  # the property named `const` is checked as one


@pytest.mark.parametrize("const", [1, 3, True])
def test_a_const_beside_an_enum_keeps_both_tests(const: Any) -> None:
    sub = {"const": const, "enum": [1, 2], "allOf": [{"type": "integer"}]}
    check = fastcheck.checker(json.dumps(sub, sort_keys=True))
    assert check is not None
    for value in (1, 2, 3, True, 1.0, "1"):
        expected = schema.make_validator(sub).is_valid(value)
        assert check(value) == expected, f"const {const!r}, value {value!r}: jsonschema says valid={expected}"
