"""What a process running learning work needs once: the configured encoder, a lower CPU
priority for background ingests, terminal-safe text. Callers use the module attribute
(``runtime.build_encoder()``) so a test can swap the encoder in one place."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from core.settings import get_settings

if TYPE_CHECKING:
    from learning.encoder import Encoder

_OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def build_encoder() -> Encoder:
    """The encoder the commands use: the configured sentence-transformers model (cached)."""
    for name, value in _OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    from learning.encoder import load_sentence_encoder

    settings = get_settings()
    return load_sentence_encoder(settings.model_path, settings.embed_batch_size)


def lower_priority(niceness: int) -> None:
    """Run this process (and the reader it spawns) at ``niceness`` or lower priority, so that
    an ingest yields the CPU to searches in other processes (the app, the CLI)."""
    current = os.nice(0)
    if niceness > current:
        os.nice(niceness - current)


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (an ESC in a file name) shown as '?'."""
    return _CONTROL.sub("?", text)
