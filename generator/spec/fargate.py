"""Fargate's allowed CPU and memory combinations (MiB)."""

from __future__ import annotations

MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


def memory_problem(cpu: int, memory: int) -> str | None:
    """A message naming the allowed memory values when the pair is not valid, else None."""
    allowed = MEMORY_BY_CPU.get(cpu)
    if allowed is None:
        return f"cpu {cpu} is not a Fargate size; use one of {', '.join(map(str, MEMORY_BY_CPU))}"
    if memory in allowed:
        return None
    if len(allowed) > 6:
        step = allowed[1] - allowed[0]
        shown = f"{allowed[0]} to {allowed[-1]} in steps of {step}"
    else:
        shown = ", ".join(map(str, allowed))
    return f"memory {memory} is not valid with cpu {cpu}; cpu {cpu} allows memory {shown}"
