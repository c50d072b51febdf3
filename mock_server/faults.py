"""Seeded fault injection: which requests fail, and how.

Every API request takes exactly four numbers from one seeded generator, whatever happens to
it, so the same seed and the same sequence of requests give the same faults.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from mock_server.config import Faults


@dataclass(frozen=True)
class Draw:
    before: str | None  # fault applied before anything happens (nothing changes)
    after: str | None  # fault that replaces the answer once the request was carried out


class FaultInjector:
    def __init__(self, faults: Faults, seed: int | None) -> None:
        self.faults = faults
        self._seed = seed
        self._rng = random.Random(seed)
        self._lost_kinds = faults.lost_kinds
        self.count = 0

    def reset(self) -> None:
        self._rng = random.Random(self._seed)
        self.count = 0

    def draw(self) -> Draw:
        rng = self._rng
        u_before, u_kind, u_lost, u_lost_kind = (
            rng.random(),
            rng.random(),
            rng.random(),
            rng.random(),
        )
        kinds = self.faults.kinds
        before = kinds[int(u_kind * len(kinds))] if u_before < self.faults.rate else None
        after = None
        if u_lost < self.faults.lost_response_rate:
            after = self._lost_kinds[int(u_lost_kind * len(self._lost_kinds))]
        self.count += 1
        return Draw(before, after)
