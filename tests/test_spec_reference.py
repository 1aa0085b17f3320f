"""docs/spec-reference.md is generated from the JSON Schemas and current; every field has words."""

from __future__ import annotations

from pathlib import Path

from generator.tools import specref

REPO = Path(__file__).resolve().parent.parent


def test_the_committed_reference_is_what_the_schemas_give() -> None:
    assert (REPO / specref.PATH).read_text(encoding="utf-8") == specref.reference(), "run `infragen docs`"


def test_every_field_a_service_owner_writes_is_described() -> None:
    missing = [
        f"{s.title}: {f.path}"
        for s in specref.sections()
        for f in s.fields
        if not f.description and f.path != "type" and s.title in ("service", "environment")
    ]
    assert not missing, missing


def test_the_reference_lists_autoscaling_ingress_and_acknowledgements() -> None:
    text = specref.reference()
    for field in ("`spec.autoscaling.target`", "`spec.ingress.domain`", "`acknowledge.replace[].address`",
                  "`overrides.datastores`", "`visibilityTimeoutSeconds`"):  # fmt: skip
        assert field in text, field
    assert "](docs/spec-reference.md)" in (REPO / "README.md").read_text(encoding="utf-8")
