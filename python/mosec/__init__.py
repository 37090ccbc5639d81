"""A minimal stand-in for mosec (https://github.com/mosecorg/mosec), enough for TI-ONE
packages written against ``mosec.Worker`` + ``tiinfer.append_worker``: the modeldock
worker chains each appended worker's ``forward`` in one process. Not the real mosec:
there is no server here (the Node instance process serves HTTP).
"""
from typing import Any

from . import errors  # noqa: F401
from .errors import ClientError, ValidationError  # noqa: F401


class Worker:
    """Subclass and define forward(self, data) -> result."""

    example: Any = None

    def __init__(self) -> None:
        self.worker_id = 0

    def forward(self, data: Any) -> Any:
        raise NotImplementedError

    def serialize(self, data: Any) -> Any:
        return data

    def deserialize(self, data: Any) -> Any:
        return data
