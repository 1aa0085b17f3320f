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


def test_the_topic_owner_team_reviews_a_new_subscription(repo: Path) -> None:
    generate(repo)
    codeowners = (repo / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
    # GitHub applies the last matching line and requires one owner of EACH changed file: main.tf
    # stays the platform team's, references.tf (changed with it) is the topic owner team's.
    root_line = codeowners.index("/accounts/dev/services/shop/ @acme/platform")
    assert codeowners.index("/accounts/dev/services/shop/references.tf @acme/payments") > root_line
    references = (repo / "accounts/dev/services/shop/references.tf").read_text(encoding="utf-8")
    assert (
        "# shop-invoices subscribe[0].topic = ledger-events: service ledger, team payments (@acme/payments)"
        in references
    )
    assert references.startswith(
        "# Code generated by infragen from services/ledger/service.yaml, services/shop/service.yaml"
    )
    # a root that names nothing of another service has no references.tf and no extra line
    assert not (repo / "accounts/dev/services/web/references.tf").exists()
    assert not any(line.startswith("/accounts/dev/services/web/references.tf") for line in codeowners)
    # unsubscribing removes the file and its line
    _edit(repo, "reports", "    subscribe: [{topic: ledger-events}]\n", "")
    generate(repo)
    assert not (repo / "accounts/dev/services/reports/references.tf").exists()
    assert "/accounts/dev/services/reports/references.tf @acme/payments" not in (repo / "CODEOWNERS").read_text()


def test_terragrunt_subscriber_units_apply_after_the_topic_unit(repo: Path) -> None:
    (repo / "infragen.yaml").write_text("flavor: terragrunt\n", encoding="utf-8")
    generate(repo)
    projects = {p["name"]: p for p in yaml.safe_load((repo / "atlantis.yaml").read_text())["projects"]}
    for unit in ("dev-shop.shop-invoices", "dev-reports.reports-feed"):
        assert "dev-ledger.ledger-events" in projects[unit]["depends_on"]
        assert projects[unit]["execution_order_group"] > projects["dev-ledger.ledger-events"]["execution_order_group"]
    unit = (repo / "accounts/dev/services/shop/shop-invoices/terragrunt.hcl").read_text(encoding="utf-8")
    assert 'topic_arn = "arn:aws:sns:us-east-1:333333333333:ledger-events"' in unit
    # units have no references.tf: the topic owner team's review is a plain-flavor feature (README)
    assert "references.tf" not in (repo / "CODEOWNERS").read_text(encoding="utf-8")
