"""Each input file is parsed and schema-checked once (generator/spec/inputcache.py): a later load
reads and hashes it, and parses only what changed. What it serves equals what parsing gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import fingerprint
from generator.errors import SpecError
from generator.spec import document, inputcache, load, schema


@pytest.fixture
def cached(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("INFRAGEN_NO_CACHE", raising=False)
    monkeypatch.delenv("INFRAGEN_NO_STAMP", raising=False)
    load.load_repo(example)  # warms the cache
    return example


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the next loads parse."""
    files: list[str] = []
    real = document.parse_bytes

    def spy(raw: bytes, file: str) -> document.Document:
        files.append(file)
        return real(raw, file)

    monkeypatch.setattr(load, "parse_bytes", spy)
    return files


def inputs(repo: Path) -> list[str]:
    return sorted(
        p.relative_to(repo).as_posix()
        for pattern in (
            "teams.yaml",
            "accounts/*/account.yaml",
            "services/*/service.yaml",
            "services/*/environments/*.yaml",
        )
        for p in repo.glob(pattern)
    )


def test_an_unchanged_repository_is_not_parsed_again(cached: Path, parsed: list[str]) -> None:
    assert load.load_repo(cached) == load.load_repo(cached)
    assert parsed == []


def test_an_edited_file_alone_is_parsed_again(cached: Path, parsed: list[str]) -> None:
    spec = cached / "services" / "core" / "service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("desiredCount: 1", "desiredCount: 3"), encoding="utf-8")
    repo = load.load_repo(cached)
    assert parsed == ["services/core/service.yaml"]
    assert repo.service("core").desired_count == 3


def test_cached_documents_equal_parsed_ones(cached: Path) -> None:
    cache = inputcache.InputCache.open(cached)
    assert sorted(cache.entries) == inputs(cached)
    for file, (digest, _kind, data, values, keys) in cache.entries.items():
        fresh = document.load(cached / file, cached)
        assert (data, values, keys) == (fresh.data, fresh.values, fresh.keys), file
        assert cache.get(file, digest, _kind) == fresh


def test_the_cache_is_off_without_caching(cached: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    load.load_repo(cached)
    assert sorted(parsed) == inputs(cached)


def test_a_new_generator_judges_every_file_again(
    cached: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schemas and the kinds are code: another fingerprint is an empty cache. Here a schema
    edit that makes a cached file invalid is reported, not served from the cache."""
    real = schema.schema_text

    def stricter(name: str) -> str:
        if name != "service":
            return real(name)
        edited = json.loads(real(name))
        edited["properties"]["description"]["maxLength"] = 3
        return json.dumps(edited)

    monkeypatch.setattr(schema, "schema_text", stricter)
    monkeypatch.setattr(fingerprint, "package_digest", lambda: "an edited generator")
    schema._schema.cache_clear()
    schema._validator.cache_clear()
    try:
        with pytest.raises(SpecError) as raised:
            load.load_repo(cached)
    finally:
        schema._schema.cache_clear()
        schema._validator.cache_clear()
    assert sorted(parsed) == inputs(cached)
    assert any(p.field == "description" for p in raised.value.problems), raised.value.problems


def test_an_invalid_file_is_never_cached(cached: Path, parsed: list[str]) -> None:
    spec = cached / "services" / "core" / "service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "unknownField: 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SpecError) as raised:
            load.load_repo(cached)
        assert [p.field for p in raised.value.problems] == ["unknownField"]
    assert parsed == ["services/core/service.yaml"] * 2


def test_a_removed_file_leaves_the_cache(cached: Path) -> None:
    env_file = next(iter(sorted((cached / "services").glob("*/environments/*.yaml"))))
    env_file.unlink()
    load.load_repo(cached)
    assert env_file.relative_to(cached).as_posix() not in inputcache.InputCache.open(cached).entries


def test_a_damaged_cache_is_rebuilt(cached: Path, parsed: list[str]) -> None:
    inputcache.cache_file(cached).write_bytes(b"\x80\x05not a pickle")
    load.load_repo(cached)
    assert sorted(parsed) == inputs(cached)
    parsed.clear()
    load.load_repo(cached)
    assert parsed == []
