"""SNS topics (generator/datastores/topic.py) and queues that subscribe to them: publishers get
sns:Publish on exactly the topic, subscribers' roots come after the topic owner's, and every wrong
reference is an error at its file, line and field (tests/golden/fanout holds the output)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator import SpecError, generate, validate
from generator.datastores.queue import Queue, Subscription
from generator.tools.explain import explain
from generator.tools.patterns import owners, parse_codeowners

FANOUT = Path(__file__).parent / "golden" / "fanout" / "input"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FANOUT, root)
    return root


def _edit(root: Path, service: str, old: str, new: str) -> Path:
    path = root / "services" / service / "service.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _error(root: Path) -> str:
    with pytest.raises(SpecError) as caught:
        validate(root)
    return str(caught.value)


def test_subscriptions_are_read_typed_with_a_canonical_filter_policy(repo: Path) -> None:
    (datastore,) = validate(repo).service("shop").datastores
    assert isinstance(datastore.options, Queue)
    assert datastore.options.subscriptions == (
        Subscription(topic="ledger-events", filter_policy='{"type": ["invoice.paid"]}', raw_message_delivery=True),
    )


def test_publishers_get_publish_on_exactly_the_topic_and_its_arn_by_convention(repo: Path) -> None:
    generate(repo)
    web = (repo / "accounts/dev/services/web/main.tf").read_text(encoding="utf-8")
    statement = re.search(r'sid += "Topics"\n\s+actions += (.*)\n\s+resources = (.*)\n', web)
    assert statement is not None
    assert statement.groups() == ('["sns:Publish"]', '["arn:aws:sns:us-east-1:333333333333:ledger-events"]')
    assert 'name = "LEDGER_EVENTS_TOPIC_ARN", valueFrom = ' in web
    # a subscriber that does not declare the topic may not publish to it
    shop = (repo / "accounts/dev/services/shop/main.tf").read_text(encoding="utf-8")
    assert "sns:Publish" not in shop and "TOPIC_ARN" not in shop


def test_subscriber_roots_apply_after_the_topic_owner(repo: Path) -> None:
    generate(repo)
    projects = {p["name"]: p for p in yaml.safe_load((repo / "atlantis.yaml").read_text())["projects"]}
    for subscriber in ("dev-shop", "dev-reports"):
        assert "dev-ledger" in projects[subscriber]["depends_on"]
        assert projects[subscriber]["execution_order_group"] > projects["dev-ledger"]["execution_order_group"]
    # the subscriber's root lists the topic owner's spec among its inputs (its header)
    header = (repo / "accounts/dev/services/shop/main.tf").read_text().splitlines()[0]
    assert "services/ledger/service.yaml" in header


def test_an_unknown_topic_is_an_error_at_its_line(repo: Path) -> None:
    path = _edit(repo, "reports", "subscribe: [{topic: ledger-events}]", "subscribe: [{topic: ledger-event}]")
    line = path.read_text().splitlines().index("    subscribe: [{topic: ledger-event}]") + 1
    message = _error(repo)
    assert f"services/reports/service.yaml:{line}:25: resources.reports-feed.subscribe[0].topic: " in message
    assert "unknown datastore 'ledger-event'; did you mean 'ledger-events'?" in message


def test_only_topics_can_be_subscribed_to(repo: Path) -> None:
    _edit(repo, "reports", "subscribe: [{topic: ledger-events}]", "subscribe: [{topic: shop-invoices}]")
    assert "'shop-invoices' is a queue, not a topic" in _error(repo)


def test_fifo_topics_deliver_only_to_fifo_queues(repo: Path) -> None:
    _edit(repo, "ledger", "{type: topic, encryption: own}", "{type: topic, encryption: own, fifo: true}")
    message = _error(repo)
    assert "topic 'ledger-events' is a FIFO topic and this queue is standard" in message
    assert "services/shop/service.yaml" in message and "services/reports/service.yaml" in message
    # both FIFO: valid, and the subscription names the .fifo topic
    _edit(repo, "reports", "    type: queue\n", "    type: queue\n    fifo: true\n")
    _edit(repo, "shop", "    type: queue\n", "    type: queue\n    fifo: true\n")
    generate(repo)
    assert 'topic_arn = "arn:aws:sns:us-east-1:333333333333:ledger-events.fifo"' in (
        repo / "accounts/dev/services/shop/main.tf"
    ).read_text(encoding="utf-8")


def test_a_subscribing_queue_needs_its_dead_letter_queue(repo: Path) -> None:
    _edit(repo, "reports", "    type: queue\n", "    type: queue\n    deadLetterQueue: false\n")
    assert "needs deadLetterQueue: true" in _error(repo)


def test_a_topic_must_exist_in_every_environment_of_the_subscriber(repo: Path) -> None:
    shutil.copytree(repo / "accounts/dev", repo / "accounts/prod")  # the account's name is its folder
    _edit(repo, "reports", "environments: [dev]", "environments: [dev, prod]")
    message = _error(repo)
    assert "datastore 'ledger-events' (service 'ledger') does not exist in prod" in message


def test_subscriptions_are_not_an_environment_override(repo: Path) -> None:
    env_file = repo / "services/reports/environments/dev.yaml"
    env_file.parent.mkdir(parents=True)
    env_file.write_text("overrides:\n  datastores:\n    reports-feed:\n      subscribe: []\n", encoding="utf-8")
    message = _error(repo)
    assert "services/reports/environments/dev.yaml:4" in message and "subscribe" in message


def test_generating_writes_nothing_when_a_reference_is_wrong(repo: Path) -> None:
    generate(repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and "services" not in p.parts[-3:-1]}
    _edit(repo, "shop", "topic: ledger-events", "topic: nowhere-events")
    with pytest.raises(SpecError):
        generate(repo)
    after = {p: p.read_bytes() for p in before}
    assert after == before


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _codeowners(root: Path) -> list[tuple[str, str]]:
    return parse_codeowners((root / "CODEOWNERS").read_text(encoding="utf-8"))


def _approvals(repo: Path, service: str, old: str, new: str) -> set[str]:
    """The reviews GitHub requires of the pull request that edits ``service``'s spec and runs
    `make gen`: one owner of each changed file's last matching line in the CODEOWNERS of the BASE
    branch (GitHub reads it there: "the CODEOWNERS file must be on the base branch of the pull
    request", https://docs.github.com/articles/about-code-owners). A line with several owners is
    satisfied by any one of them, so it is one requirement."""
    generate(repo)
    base, rules = _tree(repo), _codeowners(repo)
    _edit(repo, service, old, new)
    generate(repo)
    head = _tree(repo)
    changed = {path for path in base.keys() | head.keys() if base.get(path) != head.get(path)}
    return {who for path in changed if (who := owners(rules, path)) is not None}


SUBSCRIBED = "    subscribe: [{topic: ledger-events}]\n"
QUEUE = "    type: queue\n"


def test_the_first_subscription_to_a_topic_needs_the_topic_owner_team(repo: Path) -> None:
    _edit(repo, "reports", SUBSCRIBED, "")
    # reports named nothing on the base branch: the topic owner team reviews all the same
    assert _approvals(repo, "reports", QUEUE, QUEUE + SUBSCRIBED) == {"@acme/platform", "@acme/payments"}
    text = (repo / "accounts/dev/services/reports/references-payments.tf").read_text(encoding="utf-8")
    assert "# reports-feed subscribe[0].topic = ledger-events: service ledger" in text
    assert text.startswith(
        "# Code generated by infragen from services/ledger/service.yaml, services/reports/service.yaml"
    )
    # and so does the pull request that unsubscribes
    assert _approvals(repo, "reports", SUBSCRIBED, "") == {"@acme/platform", "@acme/payments"}
    assert not list((repo / "accounts/dev/services/reports").glob("references*"))


def test_the_first_subscription_of_a_terragrunt_unit_needs_the_topic_owner_team(repo: Path) -> None:
    (repo / "infragen.yaml").write_text("flavor: terragrunt\n", encoding="utf-8")
    _edit(repo, "reports", SUBSCRIBED, "")
    assert _approvals(repo, "reports", QUEUE, QUEUE + SUBSCRIBED) == {"@acme/platform", "@acme/payments"}
    unit = repo / "accounts/dev/services/reports/reports-feed"
    assert sorted(p.name for p in unit.iterdir()) == ["references-payments.hcl", "terragrunt.hcl"]
    text = (unit / "references-payments.hcl").read_text(encoding="utf-8")
    assert "# reports-feed subscribe[0].topic = ledger-events: service ledger" in text
    assert "approval of terragrunt.hcl" in text
    assert _approvals(repo, "reports", SUBSCRIBED, "") == {"@acme/platform", "@acme/payments"}
    assert not (unit / "references-payments.hcl").exists()


def test_each_named_team_reviews_its_own_references(repo: Path) -> None:
    # a second topic, of another team: reports subscribes to both in one pull request
    topic = "    datastores: [ledger-events, web-events]\nresources:\n  web-events: {type: topic}\n"
    _edit(repo, "web", "    datastores: [ledger-events]\n", topic)
    _edit(repo, "reports", SUBSCRIBED, "")
    both = "    subscribe: [{topic: ledger-events}, {topic: web-events}]\n"
    # one requirement per team: neither team can approve the other's subscription
    required = _approvals(repo, "reports", QUEUE, QUEUE + both)
    assert required == {"@acme/platform", "@acme/payments", "@acme/commerce"}
    assert sorted(p.name for p in (repo / "accounts/dev/services/reports").glob("references*")) == [
        "references-commerce.tf",
        "references-payments.tf",
    ]


def test_a_root_naming_nothing_of_another_team_has_no_references_file(repo: Path) -> None:
    generate(repo)
    assert not list((repo / "accounts/dev/services/web").glob("references*"))
    assert not list((repo / "accounts/dev/services/ledger").glob("references*"))
    # the platform team owns every root folder: its line would say nothing new
    assert all(not p.endswith("references-platform.tf") for p, _ in _codeowners(repo))


def test_terragrunt_subscriber_units_apply_after_the_topic_unit(repo: Path) -> None:
    (repo / "infragen.yaml").write_text("flavor: terragrunt\n", encoding="utf-8")
    generate(repo)
    projects = {p["name"]: p for p in yaml.safe_load((repo / "atlantis.yaml").read_text())["projects"]}
    for unit in ("dev-shop.shop-invoices", "dev-reports.reports-feed"):
        assert "dev-ledger.ledger-events" in projects[unit]["depends_on"]
        assert projects[unit]["execution_order_group"] > projects["dev-ledger.ledger-events"]["execution_order_group"]
    unit = (repo / "accounts/dev/services/shop/shop-invoices/terragrunt.hcl").read_text(encoding="utf-8")
    assert 'topic_arn = "arn:aws:sns:us-east-1:333333333333:ledger-events"' in unit


def test_explain_names_the_topic_owner_team_among_the_approvers(repo: Path) -> None:
    generate(repo)
    text = explain(repo, "reports")
    row = next(line for line in text.splitlines() if line.startswith("| `dev-reports`"))
    assert row.endswith("| @acme/platform, and @acme/payments for references-payments.tf |")
    assert "- `atlantis.yaml` (one project per root)" in text
    # the Terragrunt flavor: the queue's unit, whose folder holds references-payments.hcl
    (repo / "infragen.yaml").write_text("flavor: terragrunt\n", encoding="utf-8")
    generate(repo)
    text = explain(repo, "reports")
    row = next(line for line in text.splitlines() if line.startswith("| `dev-reports.reports-feed`"))
    assert row.endswith("| @acme/platform, and @acme/payments for references-payments.hcl |")
    service = next(line for line in text.splitlines() if line.startswith("| `dev-reports` "))
    assert service.endswith("| @acme/platform |")
    assert "- `atlantis.yaml` (one project per unit)" in text
