"""kserve.protocol: the OIP v2 types (infer_type)."""
from .infer_type import InferInput, InferOutput, InferRequest, InferResponse, RequestedOutput  # noqa: F401
