"""Review finding 11 from the specs to the roots: where the tasks may open HTTPS (account.yaml
`network.httpsEgress`, default the module's private ranges), `kmsKey` on a secret reference
(kms:Decrypt for the execution role via Secrets Manager / SSM only, checked by `terraform test`
in modules/aws/ecs-service), and the account's Container Insights flag (review finding 3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from conftest import run_cli, snapshot

from generator import api

ACCOUNT = "accounts/staging/account.yaml"
ENV_FILE = "services/klausapproves/environments/staging.yaml"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _service_module(root: Path, env: str, service: str) -> str:
    main = (root / f"accounts/{env}/services/{service}/main.tf").read_text(encoding="utf-8")
    return main.split('module "service" {', 1)[1].split("\n}\n", 1)[0]


def test_without_https_egress_the_module_default_applies(example: Path) -> None:
    api.generate(example)
    block = _service_module(example, "staging", "klausapproves")
    assert "https_egress" not in block and "0.0.0.0/0" not in block
    assert "container_insights" not in block


def test_account_https_egress_and_container_insights_reach_every_service(example: Path) -> None:
    def egress(data: dict) -> None:  # type: ignore[type-arg]
        data["network"]["httpsEgress"] = {"prefixListIds": ["pl-6da54004"], "cidrs": ["10.20.0.0/16"]}
        data["ecs"]["containerInsights"] = True

    _edit(example / ACCOUNT, egress)
    api.generate(example)
    for service in ("bpg", "klausapproves"):
        block = _service_module(example, "staging", service)
        assert re.search(r'https_egress_cidr_blocks += \["10\.20\.0\.0/16"\]', block), block
        assert re.search(r'https_egress_prefix_list_ids += \["pl-6da54004"\]', block), block
        assert re.search(r"container_insights += true", block), block
    assert "https_egress" not in _service_module(example, "production", "klausapproves")


def test_only_prefix_lists_means_no_cidr(example: Path) -> None:
    _edit(example / ACCOUNT, lambda d: d["network"].update({"httpsEgress": {"prefixListIds": ["pl-6da54004"]}}))
    api.generate(example)
    block = _service_module(example, "staging", "klausapproves")
    assert re.search(r"https_egress_cidr_blocks += \[\]", block), block


def test_kms_key_of_a_secret_reaches_the_execution_role(example: Path) -> None:
    _edit(example / ENV_FILE, lambda d: d["secrets"]["BPG_API_TOKEN"].update({"kmsKey": KEY}))
    api.generate(example)
    block = _service_module(example, "staging", "klausapproves")
    assert re.search(r'secret_kms_key_arns += \["' + re.escape(KEY) + r'"\]', block), block
    assert "secret_kms_key_arns" not in _service_module(example, "production", "klausapproves")


def test_kms_key_of_another_account_is_an_error_at_its_line(example: Path) -> None:
    other = KEY.replace("111111111111", "999999999999")
    _edit(example / ENV_FILE, lambda d: d["secrets"]["BPG_API_TOKEN"].update({"kmsKey": other}))
    before = snapshot(example)
    result = run_cli("gen", "--json", "--root", str(example))
    assert result.code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == ENV_FILE and problem["field"] == "secrets.BPG_API_TOKEN.kmsKey"
    assert "999999999999" in problem["message"]
    assert snapshot(example) == before


def test_https_egress_needs_a_destination(example: Path) -> None:
    _edit(example / ACCOUNT, lambda d: d["network"].update({"httpsEgress": {"cidrs": []}}))
    result = run_cli("validate", "--json", "--root", str(example))
    assert result.code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == ACCOUNT and "httpsEgress" in problem["field"]
