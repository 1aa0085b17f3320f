"""Terraform is the oracle for escaping: arbitrary text goes through the generator and Terraform
evaluates the exact bytes the generator emitted.

Each Hypothesis example writes YAML (``yaml.safe_dump``) into a small copied repo, runs the library
``generate`` and cuts three expressions out of the generated files, byte for byte:

- the ``container_definitions = [...]`` local of main.tf (the task definition's containers, which
  ``module "service"`` reads its ``environment_variables`` from), evaluated to that map,
- the whole ``output "description"`` block (outputs.tf), renamed,
- the ``default_tags`` ``tags = {...}`` object (providers.tf).

All examples are then evaluated by ``terraform apply`` in a provider-free root (outputs only) and
``terraform output -json`` must equal the input after NFC normalisation (Terraform normalises
strings to NFC). Tags that break AWS's tag rules, and text no Terraform string can hold (NUL, lone
surrogates), must instead be rejected by validation with a clear SpecError.

``INFRAGEN_FUZZ_EXAMPLES`` sets the number of examples (300 by default; ``make fuzz`` runs 10,000).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ORG
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tfenv import run_terraform, terraform_binary

from generator import api
from generator.errors import SpecError

EXAMPLES = int(os.environ.get("INFRAGEN_FUZZ_EXAMPLES", "300"))
BATCH = 500  # examples per terraform root; roots are applied in parallel
SERVICE = "fuzz-svc"
ENV = "staging"
# cost-center: the owner team (infra) costCenter in teams.yaml, which overrides an account tag of that key
FIXED_TAGS = {
    "environment": ENV,
    "managed-by": "infragen",
    "owner": "infra",
    "service": SERVICE,
    "cost-center": "CC-100",
}

pytestmark = pytest.mark.terraform

# Fragments that have broken template/string encoders somewhere: template openers and their
# escapes, quotes, backslashes, line breaks of every kind, control and format characters,
# heredoc markers, emoji sequences, combining marks and characters NFC changes.
SPECIAL = [
    "${", "%{", "$${", "%%{", "$$${", "}", "~}", "${~", "$", "%", "{", '"', "'", "`", "\\", "\\\\",
    '\\"', "\\n", "\\u0041", "\\U0001F600", "\n", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1b", "\x7f",
    "\x85", "\xa0", "\u2028", "\u2029", "\ufeff", "\u200b", "\u200d", "\u202e", "\u2066",
    "<<EOT", "<<-EOT\nx\nEOT\n", "EOT", "#", "//", "/*", "*/", "${var.x}", "%{ if true }x%{ endif }",
    "😀", "👩\u200d👩\u200d👧", "🇩🇪", "\U0001f3fb", "\u0301", "e\u0301", "A\u030a", "\u212b", "\u00c5",
    "\u0958", "\u1e9b\u0323", "\ufb01", "\uffff", "\ufffe", "\U0010ffff", "\ue000", "\U000e0041",
    "ß", "İ", "ǅ", "\u0345", "null", "true", "0x1", " ", "=", ":", "@", "+", "/", "-", "_", ".",
]  # fmt: skip

# Any code point except the two a Terraform string cannot hold (tested separately below).
ANY_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(ANY_CHAR, max_size=6)), max_size=10).map("".join)
# Tag text: mostly within AWS's tag alphabet (so many are accepted), sometimes anything.
TAG_ALPHABET = st.characters(whitelist_categories=("L", "N", "Zs", "Mn"), whitelist_characters="_.:/=+-@ ")
TAG_TEXT = st.one_of(st.text(TAG_ALPHABET, max_size=12), TEXT)
ENV_KEY = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,20}\Z")


@dataclass(frozen=True)
class Example:
    variables: dict[str, str]
    description: str
    tags: dict[str, str]


@st.composite
def examples(draw: st.DrawFn) -> Example:
    return Example(
        variables=draw(st.dictionaries(ENV_KEY, TEXT, max_size=4)),
        description=draw(TEXT),
        tags=draw(st.dictionaries(TAG_TEXT, TAG_TEXT, max_size=3)),
    )


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def aws_tag_ok(text: str, *, key: bool) -> bool:
    """AWS's tag rule (``^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$``, 128/256 chars, no ``aws:`` key prefix),
    applied to what AWS receives: the NFC-normalised string Terraform sends."""
    sent = nfc(text)
    if key and (not sent or sent.lower().startswith("aws:")):
        return False
    if len(sent) > (128 if key else 256):
        return False
    return all(unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@ " for c in sent)


def tags_acceptable(tags: dict[str, str]) -> bool:
    keys = [nfc(k) for k in tags]
    distinct = len(set(keys)) == len(keys)  # two keys that NFC makes equal would collide in AWS
    return distinct and all(aws_tag_ok(k, key=True) and aws_tag_ok(v, key=False) for k, v in tags.items())


def dump(data: Any) -> str:
    """YAML as a person would write it; falls back to escaped ASCII where PyYAML's Unicode emitter
    does not round-trip (it writes U+0085 raw, which its own loader reads as a line break)."""
    for dumper, loader, raw in ((DUMPER, LOADER, True), (yaml.SafeDumper, yaml.SafeLoader, False)):
        try:
            text = yaml.dump(data, Dumper=dumper, allow_unicode=raw, sort_keys=True)
        except UnicodeEncodeError:  # libyaml cannot write a lone surrogate, even escaped
            continue
        if yaml.load(text, Loader=loader) == data:
            return text
    raise AssertionError(f"PyYAML cannot round-trip {data!r}")


DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: same YAML, faster
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


ACCOUNT = yaml.safe_load((ORG / "accounts/staging/account.yaml").read_text(encoding="utf-8"))


def make_repo(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "accounts" / ENV).mkdir(parents=True)
    (root / "services" / SERVICE / "environments").mkdir(parents=True)
    teams = yaml.safe_load((ORG / "teams.yaml").read_text(encoding="utf-8"))
    for team in teams["teams"].values():  # alert routes may only name accounts of the repo
        team["alerts"] = {env: route for env, route in (team.get("alerts") or {}).items() if env == ENV}
    (root / "teams.yaml").write_text(yaml.safe_dump(teams), encoding="utf-8")
    return root


def write_example(root: Path, example: Example) -> None:
    account = {**ACCOUNT, "defaultTags": example.tags}
    (root / "accounts" / ENV / "account.yaml").write_text(dump(account), encoding="utf-8")
    service = {
        "name": SERVICE,
        "owner": "infra",
        "description": example.description,
        "environments": [ENV],
        "spec": {"resources": {"cpu": 256, "memory": 512}, "desiredCount": 1},
    }
    (root / "services" / SERVICE / "service.yaml").write_text(dump(service), encoding="utf-8")
    env_file = {"variables": example.variables}
    (root / "services" / SERVICE / "environments" / f"{ENV}.yaml").write_text(dump(env_file), encoding="utf-8")


def cut_object(text: str, opener: str, brackets: str = "{}") -> str:
    """The object (or, with ``brackets="[]"``, tuple) expression that starts on the line ``opener``
    (``<indent>name = {``), verbatim."""
    lines = text.split("\n")
    left, right = brackets
    for index, raw in enumerate(lines):
        line = re.sub(r"(?<=\S) +=", " =", raw, count=1)  # terraform fmt aligns the = of a group
        if line.rstrip() == opener.rstrip() + f" {brackets}":
            return brackets
        if line == f"{opener} {left}":
            indent = opener[: len(opener) - len(opener.lstrip())]
            end = lines.index(indent + right, index + 1)
            return "\n".join([left, *lines[index + 1 : end], indent + right])
    raise AssertionError(f"{opener!r} not found in generated file")


def cut_block(text: str, opening: str) -> str:
    start = text.index(opening + " {\n")
    end = text.index("\n}\n", start)
    return text[start : end + 2]


@dataclass
class Batch:
    """Generated expression text per example, with the values Terraform must produce."""

    hcl: list[str] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Example] = field(default_factory=dict)
    rejected: list[tuple[Example, str]] = field(default_factory=list)


def collect(work: Path, count: int) -> Batch:
    batch = Batch()
    repo = make_repo(work / "repo")
    root = repo / "accounts" / ENV / "services" / SERVICE

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(examples())
    # Found by this test: NFC turns U+0958 into KA + NUKTA (a combining mark AWS refuses), and
    # U+212B / U+00C5 are different keys in YAML but one key once Terraform normalises them.
    @example(Example({}, "", {"team": "\u0958"}))
    @example(Example({}, "", {"team": "e\u0301"}))
    @example(Example({}, "", {"\u212b": "a", "\u00c5": "b"}))
    @example(Example({"A": '${x}%{y}$${z}\\"\n'}, "<<EOT\n${a}\nEOT", {}))
    def run(example: Example) -> None:
        write_example(repo, example)
        if not tags_acceptable(example.tags):
            with pytest.raises(SpecError) as info:
                api.generate(repo)
            message = str(info.value)
            assert "defaultTags" in message and "tag" in message, message
            batch.rejected.append((example, message))
            return
        api.generate(repo)
        index = len(batch.inputs)
        main = (root / "main.tf").read_text(encoding="utf-8")
        outputs = (root / "outputs.tf").read_text(encoding="utf-8")
        providers = (root / "providers.tf").read_text(encoding="utf-8")
        containers = cut_object(main, "  container_definitions =", "[]")
        env_expr = f"{{ for item in {containers}[0].environment : item.name => item.value }}"
        tags_expr = cut_object(providers, "    tags =")
        desc_block = cut_block(outputs, 'output "description"').replace('output "description"', f'output "d{index}"', 1)
        batch.hcl.append(f'output "e{index}" {{\n  value = {env_expr}\n}}\n')
        batch.hcl.append(desc_block)
        batch.hcl.append(f'output "t{index}" {{\n  value = {tags_expr}\n}}\n')
        batch.expected[f"e{index}"] = {k: nfc(v) for k, v in example.variables.items()}
        batch.expected[f"d{index}"] = nfc(example.description)
        batch.expected[f"t{index}"] = {**{nfc(k): nfc(v) for k, v in example.tags.items()}, **FIXED_TAGS}
        batch.inputs[str(index)] = example

    run()
    return batch


def evaluate(work: Path, blocks: list[str]) -> dict[str, Any]:
    """Apply roots made of ``blocks`` (outputs only, no provider) and return every output value."""
    chunks = [blocks[i : i + 3 * BATCH] for i in range(0, len(blocks), 3 * BATCH)]

    def one(number: int, chunk: list[str]) -> dict[str, Any]:
        root = work / f"oracle-{number}"
        root.mkdir()
        (root / "main.tf").write_text("\n".join(chunk), encoding="utf-8")
        for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
            done = run_terraform(args, root)
            assert done.returncode == 0, f"terraform {args[0]} failed in {root}:\n{done.stderr}\n{done.stdout}"
        shown = run_terraform(["output", "-json"], root)
        assert shown.returncode == 0, shown.stderr
        return {name: item["value"] for name, item in json.loads(shown.stdout).items()}

    values: dict[str, Any] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for result in pool.map(one, range(len(chunks)), chunks):
            values.update(result)
    return values


def describe(example: Example) -> str:
    return f"variables={example.variables!r} description={example.description!r} tags={example.tags!r}"


def test_terraform_evaluates_generated_strings_to_the_input(tmp_path: Path) -> None:
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: the escaping oracle needs it")
    batch = collect(tmp_path, EXAMPLES)
    values = evaluate(tmp_path, batch.hcl) if batch.hcl else {}
    mismatches = [
        f"{name}: terraform gave {values.get(name)!r}, expected {want!r}\n  input: {describe(batch.inputs[name[1:]])}"
        for name, want in batch.expected.items()
        if values.get(name) != want
    ]
    total = len(batch.inputs) + len(batch.rejected)
    print(
        f"\nescaping oracle: {total} examples, {len(batch.inputs)} evaluated by terraform "
        f"({len(batch.expected)} expressions), {len(batch.rejected)} rejected (AWS tag rules), "
        f"{len(mismatches)} mismatches"
    )
    assert not mismatches, "\n".join(mismatches[:20])
    assert total >= EXAMPLES, f"hypothesis ran {total} examples, wanted {EXAMPLES}"
    assert len(batch.inputs) >= EXAMPLES // 4, "too few examples reached terraform; widen the tag strategy"


# --- text no Terraform string can hold is refused by validation, never emitted ------------------


def _set_variable(value: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / "services" / SERVICE / "environments" / f"{ENV}.yaml"
        path.write_text(dump({"variables": {"BAD": value}}), encoding="utf-8")

    return mutate


def _set_description(value: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / "services" / SERVICE / "service.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(dump({**data, "description": value}), encoding="utf-8")

    return mutate


def _set_tag(value: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / "accounts" / ENV / "account.yaml"
        path.write_text(dump({**ACCOUNT, "defaultTags": {"team": value}}), encoding="utf-8")

    return mutate


@pytest.mark.parametrize(
    ("where", "mutate_with", "field", "says"),
    [
        ("variable", _set_variable, "variables.BAD", None),
        ("description", _set_description, "description", None),
        ("tag", _set_tag, "defaultTags.team", "tag value"),
    ],
)
@pytest.mark.parametrize(
    ("bad", "reason"),
    [("nul \x00 inside", "NUL"), ("lone \ud800 surrogate", "surrogate"), ("\udfff", "surrogate")],
)
def test_unrepresentable_text_is_rejected_by_validation(
    tmp_path: Path,
    where: str,
    mutate_with: Callable[[str], Callable[[Path], None]],
    field: str,
    says: str | None,
    bad: str,
    reason: str,
) -> None:
    repo = make_repo(tmp_path / "repo")
    write_example(repo, Example(variables={"OK": "fine"}, description="fine", tags={"team": "fine"}))
    api.generate(repo)
    before = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    mutate_with(bad)(repo)
    changed = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    with pytest.raises(SpecError) as info:
        api.generate(repo)
    message = str(info.value)
    assert field in message, message
    if says is None:
        assert reason in message, message  # names the character class: NUL or lone surrogate
    else:
        assert says in message, message
    after = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    assert after == changed, "a rejected spec must leave every generated file as it was"
    assert {p for p in before} == {p for p in after}
