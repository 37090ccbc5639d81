"""kserve.utils.utils: the helpers KServe's examples import."""
import uuid
from typing import Any, Dict, List, Optional, Union

import numpy as np

from ..protocol.infer_type import InferOutput, InferRequest, InferResponse, from_np_dtype


def generate_uuid() -> str:
    return str(uuid.uuid4())


def get_predict_input(payload: Union[Dict[str, Any], InferRequest], columns: Optional[List[str]] = None) -> Any:
    """The model input as numpy: v1 ``instances`` / ``inputs``, or the first v2 input."""
    if isinstance(payload, InferRequest):
        return payload.inputs[0].as_numpy()
    if isinstance(payload, dict):
        instances = payload["inputs"] if "inputs" in payload else payload.get("instances")
        return np.array(instances)
    return payload


def get_predict_response(payload: Union[Dict[str, Any], InferRequest], result: Any, model_name: str) -> Union[Dict[str, Any], InferResponse]:
    """v1 ``{"predictions": …}`` or a v2 InferResponse (one output, ``output-0``), as the request was."""
    if isinstance(payload, InferRequest):
        return InferResponse(payload.id or generate_uuid(), model_name, [numpy_output("output-0", result)])
    return {"predictions": np.asarray(result).tolist() if hasattr(result, "tolist") else result}


def numpy_output(name: str, value: Any) -> InferOutput:
    arr = value if isinstance(value, np.ndarray) else np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value)
    out = InferOutput(name, list(arr.shape), from_np_dtype(arr.dtype) or "FP64")
    out.set_data_from_numpy(arr)
    return out
