"""kserve, as modeldock provides it: the parts of KServe's Python SDK a custom predictor
uses (``kserve.Model``, ``kserve.ModelServer``, ``kserve.model_server.parser``, the OIP v2
types, ``kserve.errors``, ``kserve.utils.utils``), written for modeldock so that a KServe
``model.py`` runs unchanged on the Python runtime (docs/model-package.md). Not KServe:
no HTTP server, storage or clients; the instance process serves the protocols.
"""
from . import constants, errors, logging, model_server  # noqa: F401
from .model import BaseKServeModel, Model  # noqa: F401
from .model_repository import ModelRepository  # noqa: F401
from .model_server import ModelServer  # noqa: F401
from .protocol.infer_type import InferInput, InferOutput, InferRequest, InferResponse, RequestedOutput  # noqa: F401

__version__ = "0.13.0+modeldock"
