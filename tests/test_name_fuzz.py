"""Names cannot inject: fuzzed service names, resource names, env variable keys and secret keys are
either accepted (they match the ASCII rules, and the generated HCL parses, is `terraform fmt`
clean and has the intended structure) or rejected by validation with a SpecError.

"A user value never appears outside a quoted string" is checked with a tokenizer for the HCL the
generator emits: every file must tokenise completely into strings, comments, identifiers, numbers
and punctuation; no string may hold an unescaped template (``${``/``%{``); comments may only be
the header and checksum lines; and every identifier outside a string is either part of the
generator's fixed vocabulary or is derived from a validated name in a known position (a module or
data label in a traversal, an output name part, an object key that passed ``hcl.IDENT``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import hcl2
import pytest
import yaml
from conftest import ORG, run_cli
from hcl_literal import local_value
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tfenv import terraform_binary, terraform_env

from generator import api, hcl
from generator.errors import SpecError
from generator.spec import naming
from generator.spec.naming import CHECKSUM_PREFIX

EXAMPLES = int(os.environ.get("INFRAGEN_NAME_FUZZ_EXAMPLES", "150"))
ENV = "staging"
CALLER = "zz-caller"

SERVICE_RULE = re.compile(r"\A[a-z][a-z0-9-]{1,30}[a-z0-9]\Z")
RESOURCE_RULE = re.compile(r"\A[a-z][a-z0-9-]{1,38}[a-z0-9]\Z")
KEY_RULE = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]{0,254}\Z")

# Fragments that would break out of a label, a quoted string, a comment or a YAML scalar.
INJECT = [
    '"', "'", "\\", "\n", "\r", "\t", " ", "#", "//", "/*", "${", "%{", "}", "{", "=", ".", ",", ":",
    "[", "]", "(", ")", "-", "--", "_", "/", "..", "\x00", "\x1b", "\u2028", "\ufeff", "\u200b", "é",
    "\u0430", "K", "Σ", "😀", "0", "9", "<<EOT", "\n}\nmodule \"x\" {\n", '" = 1 #', "a\n", "\u0131",
]  # fmt: skip
ANY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
LOWER = st.from_regex(r"\A[a-z][a-z0-9-]{1,12}[a-z0-9]\Z")
IDENTISH = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,12}\Z")


def mixed(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Valid-looking names, the same with an injection fragment spliced in, or anything."""
    spliced = st.tuples(base, st.sampled_from(INJECT), st.integers(0, 20)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    )
    return st.one_of(base, base, spliced, ANY, st.sampled_from(INJECT))


@dataclass(frozen=True)
class Names:
    service: str
    resource_suffix: str  # the resource is named "<service>-<suffix>" unless raw_resource is set
    raw_resource: str | None
    env_key: str
    secret_key: str

    @property
    def resource(self) -> str:
        return self.raw_resource if self.raw_resource is not None else f"{self.service}-{self.resource_suffix}"


SUFFIX = st.from_regex(r"\A[a-z0-9]{1,8}\Z")


@st.composite
def names_strategy(draw: st.DrawFn) -> Names:
    """Valid names with one field (or none) fuzzed, so both outcomes are common."""
    fuzz = draw(st.sampled_from(["service", "resource", "raw_resource", "env_key", "secret_key", "none"]))
    return Names(
        service=draw(mixed(LOWER) if fuzz == "service" else LOWER),
        resource_suffix=draw(mixed(SUFFIX) if fuzz == "resource" else SUFFIX),
        raw_resource=draw(mixed(LOWER)) if fuzz == "raw_resource" else None,
        env_key=draw(mixed(IDENTISH) if fuzz == "env_key" else IDENTISH),
        secret_key=draw(mixed(IDENTISH) if fuzz == "secret_key" else IDENTISH),
    )


NAMES = names_strategy()


def expected_ok(names: Names) -> bool:
    """The documented rules, written independently of the generator's schema."""
    return bool(
        SERVICE_RULE.match(names.service)
        and names.service != CALLER
        and not names.service.startswith("team-")  # a team alerts project is <env>-team-<team>
        and RESOURCE_RULE.match(names.resource)
        and names.resource.startswith(names.service + "-")
        and "--" not in names.resource
        and KEY_RULE.match(names.env_key)
        and KEY_RULE.match(names.secret_key)
        and names.env_key != names.secret_key
    )


def folder_for(name: str) -> str:
    """The service folder: the name itself when the file system can hold it, else a stand-in
    (the name then cannot equal its folder, which validation must report)."""
    usable = name not in ("", ".", "..") and "/" not in name and "\x00" not in name
    try:
        usable = usable and len(name.encode("utf-8")) <= 255
    except UnicodeEncodeError:
        usable = False
    return name if usable else "not-the-name"


def dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=False, sort_keys=True)


def write_repo(root: Path, names: Names) -> None:
    (root / "accounts" / ENV).mkdir(parents=True)
    teams = yaml.safe_load((ORG / "teams.yaml").read_text(encoding="utf-8"))
    for team in teams["teams"].values():  # alert routes may only name accounts of the repo
        team["alerts"] = {env: route for env, route in (team.get("alerts") or {}).items() if env == ENV}
    (root / "teams.yaml").write_text(dump(teams), encoding="utf-8")
    shutil.copy2(ORG / "accounts" / ENV / "account.yaml", root / "accounts" / ENV / "account.yaml")
    service_dir = root / "services" / folder_for(names.service)
    (service_dir / "environments").mkdir(parents=True)
    service = {
        "name": names.service,
        "owner": "infra",
        "environments": [ENV],
        "spec": {"resources": {"cpu": 256, "memory": 512}, "desiredCount": 1},
        "resources": {names.resource: {"type": "queue"}},
    }
    (service_dir / "service.yaml").write_text(dump(service), encoding="utf-8")
    env_file = {
        "variables": {names.env_key: "value"},
        "secrets": {names.secret_key: {"ssmParameter": "/fuzz/secret"}},
    }
    (service_dir / "environments" / f"{ENV}.yaml").write_text(dump(env_file), encoding="utf-8")
    caller = {
        "name": CALLER,
        "owner": "growth",
        "environments": [ENV],
        "spec": {
            "resources": {"cpu": 256, "memory": 512},
            "desiredCount": 1,
            "dependencies": {"services": [names.service], "datastores": [names.resource]},
        },
    }
    (root / "services" / CALLER).mkdir(parents=True)
    (root / "services" / CALLER / "service.yaml").write_text(dump(caller), encoding="utf-8")


# --- a tokenizer for the HCL subset the generator writes ---------------------------------------

TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>"(?:[^"\\\n]|\\.)*")
      | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<number>[0-9]+)
      | (?P<punct>=>|[{}\[\]=,.:()])
      | (?P<space>[ \n]+)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    before: str  # previous non-space token text
    after: str  # next non-space token text


def tokenize(text: str, file: str) -> list[Token]:
    raw: list[tuple[str, str, int]] = []
    pos, line = 0, 1
    while pos < len(text):
        match = TOKEN.match(text, pos)
        assert match is not None, f"{file}:{line}: text outside any token: {text[pos : pos + 40]!r}"
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            raw.append((kind, match.group(), line))
        line += match.group().count("\n")
        pos = match.end()
    return [
        Token(kind, tok, ln, raw[i - 1][1] if i else "", raw[i + 1][1] if i + 1 < len(raw) else "")
        for i, (kind, tok, ln) in enumerate(raw)
    ]


def unescaped_template(literal: str) -> bool:
    """True when a quoted string would interpolate: a ``${``/``%{`` not written as ``$${``/``%%{``."""
    body = literal[1:-1]
    index = 0
    while index < len(body):
        if body[index] == "\\":
            index += 2
            continue
        if body.startswith(("$${", "%%{"), index):
            index += 3
            continue
        if body.startswith(("${", "%{"), index):
            return True
        index += 1
    return False


OUTPUT_ATTRS = ("client_security_group_id", "url", "arn")


def derived_idents(names: Names) -> set[str]:
    """Identifiers the generator may build from validated names (labels, output names, keys)."""
    found = {names.env_key, names.secret_key}
    for name in (names.service, names.resource):
        label = naming.label(name)
        found |= {label, f"{label}_clients", *(f"{label}_{attr}" for attr in OUTPUT_ATTRS)}
    return found


BASELINE = Names("fuzzbase", "q", None, "BASE_ENV_KEY", "BASE_SECRET_KEY")


@cache
def vocabulary(tmp_root: str) -> frozenset[str]:
    """Identifiers the generator writes on its own: those of a benign repo minus its derived names."""
    root = Path(tmp_root) / "baseline"
    if not root.exists():
        write_repo(root, BASELINE)
        api.generate(root)
    idents = {t.text for f in generated_tf(root) for t in tokenize(f.read_text(encoding="utf-8"), str(f))}
    idents = {i for i in idents if not i.startswith('"')}
    return frozenset(idents - derived_idents(BASELINE))


def generated_tf(root: Path) -> list[Path]:
    return sorted((root / "accounts").rglob("*.tf"))


def check_tree(root: Path, names: Names, vocab: frozenset[str]) -> None:
    inputs = {p.relative_to(root).as_posix() for p in root.rglob("*.yaml")}
    allowed = vocab | derived_idents(names)
    for path in generated_tf(root):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        tokens = tokenize(text, rel)
        last_line = text.rstrip("\n").count("\n") + 1
        for token in tokens:
            where = f"{rel}:{token.line}"
            if token.kind == "comment":
                assert token.line in (1, last_line), f"{where}: comment outside the header/checksum lines"
                if token.line == 1:
                    listed = token.text.removeprefix("# Code generated by infragen from ").removesuffix(
                        naming.HEADER_SUFFIX
                    )
                    assert set(listed.split(", ")) <= inputs, f"{where}: header lists unknown inputs: {listed!r}"
                else:
                    assert re.fullmatch(re.escape(CHECKSUM_PREFIX) + "[0-9a-f]{64}", token.text), where
            elif token.kind == "string":
                assert not unescaped_template(token.text), f"{where}: string interpolates: {token.text}"
            elif token.kind == "ident":
                assert token.text in allowed, f"{where}: unexpected identifier {token.text!r} outside a string"
                if token.text not in vocab:  # derived from a user name: only in identifier positions
                    assert hcl.IDENT.fullmatch(token.text), where
                    assert token.before == "." or token.after == "=", (
                        f"{where}: {token.text!r} is neither a traversal step nor an attribute key"
                    )
    main_text = (root / naming.root_dir(ENV, names.service) / "main.tf").read_text(encoding="utf-8")
    main = hcl2.loads(main_text)
    module_labels = {label for block in main["module"] for label in block}
    assert {s.strip('"') for s in module_labels} == {"service", "dashboard", naming.label(names.resource)}
    service = next(block['"service"'] if '"service"' in block else block["service"] for block in main["module"])
    assert "local.container_definitions[0].environment" in service["environment_variables"]
    (container,) = local_value(main_text, "container_definitions")
    assert {item["name"] for item in container["environment"]} == {names.env_key}
    assert {item["name"] for item in container["secrets"]} == {names.secret_key}
    hcl2.loads((root / naming.root_dir(ENV, CALLER) / "main.tf").read_text(encoding="utf-8"))
    atlantis = yaml.safe_load((root / "atlantis.yaml").read_text(encoding="utf-8"))
    services = sorted(p["name"] for p in atlantis["projects"] if "/services/" in p["dir"])
    assert services == sorted([f"{ENV}-{CALLER}", f"{ENV}-{names.service}"])
    owners = (root / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
    for line in owners:
        if line and not line.startswith("#"):
            pattern, *handles = line.split()
            assert handles and all(h.startswith("@") for h in handles), line
            assert re.fullmatch(r"\*|/[A-Za-z0-9/*._-]+", pattern), line


def test_fuzzed_names_are_valid_hcl_or_rejected(tmp_path: Path) -> None:
    vocab = vocabulary(str(tmp_path))
    accepted: list[Path] = []
    rejected: list[str] = []
    counter = iter(range(10**9))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(NAMES)
    @example(Names('a"b', "q", None, "K", "S"))
    @example(Names("svc", "q", 'svc-q"\n}\nmodule "x" {', "K", "S"))
    @example(Names("svc", "q", None, 'K" = 1 #', "S"))
    @example(Names("svc", "q", None, "K", "S\n"))
    @example(Names("svc", "q", None, "lower_key", "S"))
    @example(Names("svc\n", "q", None, "K", "S"))
    @example(Names("sv\u0441", "q", None, "K", "S"))
    def run(names: Names) -> None:
        root = tmp_path / f"ex{next(counter)}"
        write_repo(root, names)
        if not expected_ok(names):
            with pytest.raises(SpecError):
                api.generate(root)
            assert not (root / "atlantis.yaml").exists(), "a rejected spec must write nothing"
            rejected.append(repr(names))
            shutil.rmtree(root)
            return
        api.generate(root)
        check_tree(root, names, vocab)
        accepted.append(root)

    run()
    print(f"\nname fuzz: {len(accepted) + len(rejected)} examples, {len(accepted)} accepted, {len(rejected)} rejected")
    assert accepted and rejected
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: `terraform fmt -check` of the accepted trees could not run")
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(tmp_path)],
        capture_output=True,
        text=True,
        env=terraform_env(),
        timeout=300,
    )
    assert done.returncode == 0, f"terraform fmt -check failed for:\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize(
    "names",
    [
        Names('bad"name', "q", None, "K", "S"),
        Names("svc", "q", None, "K=1", "S"),
        Names("svc", "q", "svc-q\n", "K", "S"),
        Names("svc", "q", None, "K", "S}"),
    ],
    ids=["quote-in-service", "equals-in-env-key", "newline-in-resource", "brace-in-secret-key"],
)
def test_cli_rejects_injection_with_exit_1_and_no_traceback(tmp_path: Path, names: Names) -> None:
    write_repo(tmp_path / "repo", names)
    result = run_cli("gen", "--root", str(tmp_path / "repo"))
    assert result.code == 1, result
    assert "Traceback" not in result.stderr and result.stderr.strip(), result
    assert not (tmp_path / "repo" / "atlantis.yaml").exists()
