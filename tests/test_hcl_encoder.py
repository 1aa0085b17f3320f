"""The HCL string encoder and the fmt-style layout, checked against terraform where it judges."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tfenv import run_terraform

from generator import hcl


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("line\nbreak\r\ttab", '"line\\nbreak\\r\\ttab"'),
        ("${var.secret}", '"$${var.secret}"'),
        ("%{ if true }x%{ endif }", '"%%{ if true }x%%{ endif }"'),
        ("$${already}", '"$$${already}"'),
        ("$ { not a template", '"$ { not a template"'),
        ("trailing $", '"trailing $"'),
        ("bell\x07", '"bell\\u0007"'),
        ("zero\u200bwidth", '"zero\\u200Bwidth"'),
        ("line\u2028sep", '"line\\u2028sep"'),
        ("emoji 🚀 é", '"emoji 🚀 é"'),
        ("<<EOT\nx\nEOT", '"<<EOT\\nx\\nEOT"'),
    ],
)
def test_string_escapes(text: str, encoded: str) -> None:
    assert hcl.string(text) == encoded


@pytest.mark.parametrize("text", ["nul\x00", "lone \ud800 surrogate"])
def test_unrepresentable_text_is_refused(text: str) -> None:
    assert hcl.unrepresentable(text)
    with pytest.raises(hcl.EncodingBug):
        hcl.string(text)


@pytest.mark.parametrize("name", ["ok", "a_b", "a-b", "_x", "A1"])
def test_identifiers_accepted(name: str) -> None:
    assert hcl.ident(name) == name


@pytest.mark.parametrize("name", ["", "1a", "a b", 'a"', "a}", "é", "a.b", "a\n"])
def test_identifiers_rejected(name: str) -> None:
    with pytest.raises(hcl.EncodingBug):
        hcl.ident(name)


def test_body_aligns_like_terraform_fmt(tmp_path: Path) -> None:
    body = hcl.body(
        [
            ("source", "../x"),
            ("a", 1),
            ("env", {"A": "x", "LONGER_KEY": "y"}),
            ("flag", True),
            ("items", ["a", 2, None]),
            ("object", {"k": 1, "longer": hcl.Raw("module.x.id")}),
            ("nothing", None),
            ("empty_map", {}),
            ("empty_list", []),
        ]
    )
    tf = tmp_path / "main.tf"
    tf.write_text(f"locals {{\n{body}\n}}\n", encoding="utf-8")
    result = run_terraform(["fmt", "-check", "-diff", str(tf)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.terraform
def test_terraform_evaluates_encoded_strings_back_to_the_input(tmp_path: Path) -> None:
    """Terraform is the oracle: each encoded string evaluates to exactly the input."""
    samples = [
        "${x}",
        "$${x}",
        "$$${x}",
        "%{x}",
        "%%{x}",
        'a"b\\c',
        "tab\tnew\nline\rcr",
        "\x01\x1f\x7f",
        "\u200b\u2028\u2029\ufeff",
        "🚀 mañana",
        "<<EOT\nEOT",
        "$",
        "%",
        "{}",
        "\\u0041",
    ]
    outputs = "\n".join(f'output "o{i}" {{\n  value = {hcl.string(s)}\n}}' for i, s in enumerate(samples))
    (tmp_path / "main.tf").write_text(outputs + "\n", encoding="utf-8")
    assert shutil.which("terraform")
    applied = run_terraform(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    shown = run_terraform(["output", "-json"], cwd=tmp_path)
    values = json.loads(shown.stdout)
    assert [values[f"o{i}"]["value"] for i in range(len(samples))] == samples


_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")  # what Terraform can hold
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(_TEXT, max_size=12),
    st.sampled_from(["%s", "%", "\x01", "a"]),
)
_KEYS = st.one_of(st.sampled_from(["Action", "name", "for", "%s", "a b", "\x01", "%", ""]), st.text(_TEXT, max_size=6))
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=24,
)


@settings(max_examples=400, deadline=None)
@given(data=_DOCUMENTS, depth=st.integers(0, 3))
def test_a_document_filled_into_its_shapes_stencil_is_the_reference_layout(data: Any, depth: int) -> None:
    """hcl.document lays out each shape once (the reference, hcl._document, on a stand-in whose
    scalars are a mark) and fills the scalars in: byte for byte the reference layout, the first
    time and from the cached stencil, whatever the keys and strings hold (%, the mark itself)."""
    reference = hcl._document(data, depth)
    assert hcl.document(data, depth) == reference
    assert hcl.document(data, depth) == reference


def test_documents_of_one_shape_share_a_stencil() -> None:
    hcl._stencil.cache_clear()
    first = {"Sid": "A", "Action": ["x", "y"], "Resource": {"k": 1}}
    second = {"Sid": "B", "Action": ["z", "w"], "Resource": {"k": 2}}
    assert hcl.document(first) != hcl.document(second)
    assert hcl._stencil.cache_info().misses == 1
    assert hcl.document({**first, "Extra": True}) == hcl._document({**first, "Extra": True})
    assert hcl._stencil.cache_info().misses == 2


_IDENTS = st.sampled_from(["name", "vpc_id", "source", "a", "longer_name", "Tags", "x-y", "for"])
_VALUES = st.recursive(
    st.one_of(
        _SCALARS,
        st.sampled_from([hcl.Raw("module.x.id"), hcl.Raw("[\n    a,\n  ]"), hcl.Raw("100%")]),
        st.builds(hcl.Document, _DOCUMENTS),
        st.builds(hcl.JsonEncode, _DOCUMENTS),
        st.lists(_SCALARS, max_size=3),
    ),
    lambda inner: st.dictionaries(st.one_of(_IDENTS, _KEYS), inner, max_size=4),
    max_leaves=16,
)


@settings(max_examples=400, deadline=None)
@given(
    attrs=st.lists(st.tuples(_IDENTS, _VALUES), max_size=6),
    depth=st.integers(1, 3),
    quote_keys=st.booleans(),
)
def test_a_body_filled_into_its_layouts_stencil_is_the_reference_layout(
    attrs: list[tuple[str, Any]], depth: int, quote_keys: bool
) -> None:
    """hcl.body lays out each shape of body once (which keys, which values span lines) and fills
    the values' texts in: byte for byte the attribute-by-attribute layout, the first time and from
    the cached stencil, whatever the keys and values hold (%, multi-line references, documents)."""
    if not quote_keys and any(not hcl.IDENT.fullmatch(key) for key, _ in attrs):
        with pytest.raises(hcl.EncodingBug):
            hcl.body(attrs, depth)
        return
    reference = hcl._body_reference(attrs, depth, quote_keys=quote_keys)
    assert hcl.body(attrs, depth, quote_keys=quote_keys) == reference
    assert hcl.body(attrs, depth, quote_keys=quote_keys) == reference


def test_bodies_of_one_layout_share_a_stencil() -> None:
    hcl._body_stencil.cache_clear()
    first = hcl.body([("name", "a"), ("tags", {"team": "x"}), ("count", 1)])
    second = hcl.body([("name", "bb"), ("tags", {"team": "y"}), ("count", 22)])
    assert first != second
    assert second == hcl._body_reference([("name", "bb"), ("tags", {"team": "y"}), ("count", 22)])
    assert hcl._body_stencil.cache_info().misses == 2  # the body's and its object's
    hcl.body([("name", "a"), ("tags", hcl.Raw("local.tags")), ("count", 1)])  # tags on one line now
    assert hcl._body_stencil.cache_info().misses == 3
