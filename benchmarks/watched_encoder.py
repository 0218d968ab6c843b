"""An encoder wrapped for measuring: it counts its calls, the texts it encoded and the seconds
spent encoding, and otherwise behaves as the encoder it wraps."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any


class WatchedEncoder:
    """The ``inner`` encoder, counting calls, texts and seconds in ``encode``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0
        self.texts = 0
        self.seconds = 0.0

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def dimension(self) -> int:
        return int(self.inner.dimension)

    def encode(self, texts: Sequence[str]) -> Any:
        started = time.perf_counter()
        vectors = self.inner.encode(texts)
        self.seconds += time.perf_counter() - started
        self.calls += 1
        self.texts += len(texts)
        return vectors
