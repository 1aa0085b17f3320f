"""The ElastiCache user's access string, proven against a real Redis 7 server's ACL.

ElastiCache RBAC access strings are Redis ACL rules (AWS, "Role-Based Access Control (RBAC)":
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html), so the string that
``modules/platform/cache/main.tf`` gives every service's user is read from that file (not a copy)
and applied with ``ACL SETUSER`` on Debian's redis-server (tests/servers.py). A password stands in
for the IAM token (ElastiCache authenticates the user, then the same ACL applies). Then a table of
what redis-py, Lettuce/Jedis and ioredis send on connect and in normal use must work, and the
dangerous administration commands must be refused with NOPERM.

What ElastiCache adds that Redis does not: the access string may not name a restricted or renamed
command nor use ``reset`` (same page) -- checked below on the string itself -- and the restricted
commands (CONFIG, DEBUG, SHUTDOWN, SAVE, ...) do not exist for anyone there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import servers

MODULE = Path(__file__).resolve().parent.parent / "modules" / "platform" / "cache" / "main.tf"
PASSWORD = "test-only-password-for-the-iam-token"  # pragma: allowlist secret
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ClientConfig.RestrictedCommands.html
RESTRICTED = {
    "bgrewriteaof",
    "bgsave",
    "config",
    "debug",
    "migrate",
    "replicaof",
    "save",
    "slaveof",
    "shutdown",
    "sync",
}


def access_string() -> str:
    """The service user's access string, from the module source."""
    found = re.findall(r'^\s*service_access_string\s*=\s*"([^"]*)"\s*$', MODULE.read_text(), re.MULTILINE)
    assert len(found) == 1, f"no single service_access_string in {MODULE}"
    text = MODULE.read_text()
    assert "access_string = local.service_access_string" in text, "the service users must use the local"
    return str(found[0])


def test_the_access_string_keeps_elasticache_rules() -> None:
    rules = access_string().split()
    assert rules[0] == "on", "ElastiCache: on or off in the string, else the user is off"
    assert "reset" not in rules and not any(r.startswith((">", "<", "#", "!")) for r in rules), "no reset/password"
    named = {r[1:].split("|")[0].lower() for r in rules if r[:1] in "+-" and not r.startswith(("+@", "-@"))}
    assert not named & RESTRICTED, f"ElastiCache refuses an access string naming {named & RESTRICTED}"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[servers.Redis]:
    with servers.redis() as server:
        yield server


@pytest.fixture(scope="module")
def user(redis_server: servers.Redis) -> Iterator[Callable[..., Any]]:
    import redis

    admin = redis.Redis(host=redis_server.host, port=redis_server.port)
    admin.execute_command("ACL", "SETUSER", "svc", ">" + PASSWORD, *access_string().split())
    admin.close()

    def connect(**options: Any) -> Any:
        return redis.Redis(
            host=redis_server.host,
            port=redis_server.port,
            username="svc",
            password=PASSWORD,
            socket_timeout=5,
            decode_responses=True,
            **options,
        )

    yield connect


def test_connect_handshakes(user: Callable[..., Any]) -> None:
    # redis-py: AUTH + CLIENT SETNAME (RESP2), HELLO 3 AUTH ... SETNAME (RESP3); Lettuce and ioredis
    # send HELLO, CLIENT SETNAME, SELECT 0 and (BullMQ, Sidekiq) INFO on connect
    r2 = user(client_name="svc-app")
    assert r2.ping() is True and r2.client_getname() == "svc-app"
    r3 = user(protocol=3, client_name="svc-app3")
    assert r3.ping() is True
    assert r3.execute_command("HELLO", "3", "AUTH", "svc", PASSWORD)["proto"] == 3
    assert r2.execute_command("SELECT", "0") in (True, "OK")
    assert "redis_version" in r2.info() and "redis_version" in r2.info("server")
    assert isinstance(r2.client_id(), int) and "name=svc-app" in r2.execute_command("CLIENT", "INFO")
    assert r2.execute_command("CLIENT", "SETNAME", "renamed") in (True, "OK")
    assert r2.command_count() > 100  # some clients read the command table
    r2.close()
    r3.close()


ALLOWED: list[tuple[str, Callable[[Any], object]]] = [
    (
        "strings",
        lambda r: (r.set("s", "1", ex=60), r.incr("s"), r.get("s"), r.mget("s", "t"), r.set("u", "x", px=5000)),
    ),
    ("hashes", lambda r: (r.hset("h", mapping={"a": "1"}), r.hgetall("h"), r.hincrby("h", "a", 2))),
    ("lists", lambda r: (r.lpush("l", "a", "b"), r.lrange("l", 0, -1), r.rpop("l"), r.brpop("l", timeout=1))),
    ("sets", lambda r: (r.sadd("st", "a"), r.smembers("st"), r.sismember("st", "a"))),
    ("sorted sets", lambda r: (r.zadd("z", {"a": 1}), r.zrangebyscore("z", 0, 2), r.zincrby("z", 1, "a"))),
    ("expire/ttl", lambda r: (r.expire("s", 30), r.ttl("s"), r.persist("s"), r.pexpire("s", 5000), r.pttl("s"))),
    ("scan", lambda r: (list(r.scan_iter(match="*", count=10)), r.exists("s"), r.type("s"), r.delete("u"))),
    ("publish", lambda r: r.publish("events", "hello")),
    ("eval", lambda r: r.eval("return redis.call('GET', KEYS[1])", 1, "s")),
    ("script load/evalsha", lambda r: r.evalsha(r.script_load("return 1"), 0)),
    ("multi/exec", lambda r: r.pipeline(transaction=True).set("m", 1).incr("m").execute()),
    ("watch", lambda r: _watched(r)),
    ("streams", lambda r: _streams(r)),
    ("dbsize/time/object", lambda r: (r.dbsize(), r.time(), r.object("encoding", "s"))),
]


def _watched(r: Any) -> object:
    with r.pipeline() as pipe:
        pipe.watch("w")
        pipe.multi()
        pipe.set("w", 1)
        return pipe.execute()


def _streams(r: Any) -> object:
    r.xadd("stream", {"k": "v"})
    if not any(g["name"] == "workers" for g in r.xinfo_groups("stream")):
        r.xgroup_create("stream", "workers", id="0")
    read = r.xreadgroup("workers", "w1", {"stream": ">"}, count=10, block=100)
    assert read, "XREADGROUP returned nothing"
    entry_id = read[0][1][0][0]
    return r.xack("stream", "workers", entry_id), r.xpending("stream", "workers"), r.xlen("stream")


@pytest.mark.parametrize(("name", "call"), ALLOWED, ids=[name for name, _ in ALLOWED])
def test_normal_use_is_allowed(user: Callable[..., Any], name: str, call: Callable[[Any], object]) -> None:
    r = user()
    try:
        call(r)  # raises NoPermissionError when the ACL refuses
    finally:
        r.close()


def test_pubsub_subscribe_and_psubscribe(user: Callable[..., Any]) -> None:
    subscriber, publisher = user(), user()
    pubsub = subscriber.pubsub()
    pubsub.subscribe("orders")
    pubsub.psubscribe("order*")
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"
    assert pubsub.get_message(timeout=2)["type"] == "psubscribe"
    assert publisher.publish("orders", "created") == 2  # the channel and the pattern
    got = [pubsub.get_message(timeout=2) for _ in range(2)]
    assert sorted(m["type"] for m in got if m) == ["message", "pmessage"]
    pubsub.close()
    subscriber.close()
    publisher.close()


REFUSED = [
    ("FLUSHALL",),
    ("FLUSHDB",),
    ("CONFIG", "GET", "maxmemory"),
    ("CONFIG", "SET", "maxmemory", "1"),
    ("DEBUG", "SLEEP", "0"),
    ("SHUTDOWN", "NOSAVE"),
    ("KEYS", "*"),
    ("MONITOR",),
    ("SAVE",),
    ("BGSAVE",),
    ("BGREWRITEAOF",),
    ("REPLICAOF", "127.0.0.1", "1"),
    ("SWAPDB", "0", "1"),
    ("ACL", "SETUSER", "svc", "+@all"),
    ("ACL", "LIST"),
    ("CLIENT", "KILL", "ID", "1"),
    ("CLIENT", "LIST"),
    ("CLIENT", "PAUSE", "10"),
    ("MODULE", "LIST"),
    ("SLOWLOG", "GET"),
    ("MIGRATE", "127.0.0.1", "1", "k", "0", "10"),
    ("SORT", "l", "BY", "nosort", "GET", "*"),  # reads other keys through GET patterns
]


@pytest.mark.parametrize("command", REFUSED, ids=[" ".join(c[:2]) for c in REFUSED])
def test_dangerous_commands_are_refused(user: Callable[..., Any], command: tuple[str, ...]) -> None:
    import redis

    r = user()
    try:
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.execute_command(*command)
        assert r.ping() is True  # still served: nothing was flushed or shut down
    finally:
        r.close()


def test_default_user_is_off(redis_server: servers.Redis) -> None:
    """The group's mandatory default user has "off -@all" (module source): no unauthenticated access."""
    import redis

    found = re.findall(r'access_string\s*=\s*"(off[^"]*)"', MODULE.read_text())
    assert found == ["off -@all"]
    admin = redis.Redis(host=redis_server.host, port=redis_server.port)
    admin.execute_command("ACL", "SETUSER", "admin", "on", ">" + PASSWORD, "~*", "&*", "+@all")
    admin.close()
    admin = redis.Redis(host=redis_server.host, port=redis_server.port, username="admin", password=PASSWORD)
    admin.execute_command("ACL", "SETUSER", "default", *found[0].split())
    anonymous = redis.Redis(host=redis_server.host, port=redis_server.port)
    with pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.ping()
    admin.execute_command("ACL", "SETUSER", "default", "on", "nopass", "~*", "&*", "+@all")  # restore
    admin.close()
