"""A queue's SNS filter policy keeps to SNS's constraints at its line: at most five attribute names,
a list of values or operators for each (attribute filtering, platform/queue's scope, takes no
nested policy), and at most 150 combinations (the lists' lengths multiplied). SNS refuses any
other at Subscribe, in the middle of an apply; moto refuses them too, but only there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import gen_refuses

from generator import SpecError, validate
from generator.datastores.queue import FILTER_POLICY_PAGE, filter_policy_combinations

FANOUT = Path(__file__).parent / "fixtures" / "fanout"
SHOP = "services/shop/service.yaml"
POLICY_LINE = 15  # filterPolicy: {type: [invoice.paid]}


def _repo(tmp_path: Path, policy: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FANOUT, root)
    spec = root / SHOP
    text = spec.read_text(encoding="utf-8")
    old = "        filterPolicy: {type: [invoice.paid]}\n"
    assert text.splitlines()[POLICY_LINE - 1] + "\n" == old
    spec.write_text(text.replace(old, f"        filterPolicy: {policy}\n"), encoding="utf-8")
    return root


def _problems(root: Path) -> list[tuple[str, int, str, str]]:
    with pytest.raises(SpecError) as caught:
        validate(root)
    return [(p.file, p.line, p.field, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    "policy",
    [
        "{type: [invoice.paid]}",
        '{a: [x, {prefix: "y"}], b: [{numeric: [">", 0]}], c: [{exists: true}], d: [null], e: [true]}',
        "{a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6]}",  # 150
    ],
)
def test_a_policy_within_the_constraints_validates(tmp_path: Path, policy: str) -> None:
    validate(_repo(tmp_path, policy))


def test_six_attribute_names_are_an_error_at_the_policy(tmp_path: Path) -> None:
    [(file, line, field, message)] = _problems(_repo(tmp_path, "{a: [1], b: [1], c: [1], d: [1], e: [1], f: [1]}"))
    assert (file, line, field) == (SHOP, POLICY_LINE, "resources.shop-invoices.subscribe[0].filterPolicy")
    assert message == "has 6 entries; at most 5 are allowed here", message


def test_a_nested_policy_is_an_error_at_its_attribute(tmp_path: Path) -> None:
    [(file, line, field, _)] = _problems(_repo(tmp_path, "{order: {type: [paid]}}"))
    assert (file, line, field) == (SHOP, POLICY_LINE, "resources.shop-invoices.subscribe[0].filterPolicy.order")


def test_an_attribute_without_values_is_an_error(tmp_path: Path) -> None:
    [(file, _, field, _)] = _problems(_repo(tmp_path, "{type: []}"))
    assert (file, field) == (SHOP, "resources.shop-invoices.subscribe[0].filterPolicy.type")


def test_151_combinations_are_an_error_at_the_policy(tmp_path: Path) -> None:
    policy = "{a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6], d: [1, 2, 3, 4, 5, 6, 7]}"  # 1,050
    [(file, line, field, message)] = _problems(_repo(tmp_path, policy))
    assert (file, line, field) == (SHOP, POLICY_LINE, "resources.shop-invoices.subscribe[0].filterPolicy")
    assert "combines 1050 values" in message and "SNS allows 150" in message and FILTER_POLICY_PAGE in message


def test_combinations_are_the_lengths_multiplied() -> None:
    assert filter_policy_combinations({"a": [1, 2], "b": [1, 2, 3], "c": [{"prefix": "x"}]}) == 6
    assert filter_policy_combinations({}) == 1


def test_gen_writes_nothing_for_a_policy_sns_refuses(tmp_path: Path) -> None:
    root = _repo(
        tmp_path, "{a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}"
    )
    gen_refuses(root, f"{SHOP}:{POLICY_LINE}:", "combines 156 values")
