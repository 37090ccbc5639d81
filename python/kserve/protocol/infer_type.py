"""OIP v2 request and response types as KServe's Python SDK names them (written for
modeldock; the shapes follow the Open Inference Protocol's REST JSON).

    from kserve import InferRequest, InferResponse, InferInput, InferOutput

Data is kept as a flat, row-major Python list (what the REST JSON carries); ``as_numpy``
and ``set_data_from_numpy`` convert. BYTES elements are ``str`` (the JSON form).
"""
from typing import Any, Dict, List, Optional

import numpy as np

_NUMPY = {
    "BOOL": np.bool_,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
    "UINT32": np.uint32,
    "UINT64": np.uint64,
    "INT8": np.int8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FP16": np.float16,
    "FP32": np.float32,
    "FP64": np.float64,
    "BYTES": np.object_,
}


def to_np_dtype(datatype: str) -> Any:
    """The numpy dtype of an OIP datatype (None when unknown)."""
    return _NUMPY.get(datatype)


def from_np_dtype(dtype: Any) -> Optional[str]:
    """The OIP datatype of a numpy dtype (BYTES for strings and objects)."""
    dt = np.dtype(dtype)
    if dt.kind in ("U", "S", "O"):
        return "BYTES"
    for name, t in _NUMPY.items():
        if name != "BYTES" and np.dtype(t) == dt:
            return name
    return None


def _flat(data: Any) -> List[Any]:
    if data is None:
        return []
    if hasattr(data, "tolist") and not isinstance(data, list):
        data = data.tolist()
    if not isinstance(data, (list, tuple)):
        return [data]
    out: List[Any] = []
    stack = [iter(data)]
    while stack:
        for v in stack[-1]:
            if isinstance(v, (list, tuple)):
                stack.append(iter(v))
                break
            out.append(v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else v)
        else:
            stack.pop()
    return out


class _Tensor:
    def __init__(self, name: str, shape: List[int], datatype: str, data: Any = None, parameters: Optional[Dict[str, Any]] = None):
        self.name = name
        self.shape = [int(d) for d in shape]
        self.datatype = datatype
        self.parameters = parameters or {}
        self._data = _flat(data)

    @property
    def data(self) -> List[Any]:
        return self._data

    def set_data_from_numpy(self, input_tensor: Any, binary_data: bool = False) -> None:
        arr = np.asarray(input_tensor)
        datatype = from_np_dtype(arr.dtype)
        if datatype is None:
            raise ValueError(f"numpy dtype {arr.dtype} has no OIP datatype")
        self.datatype = datatype
        self.shape = list(arr.shape)
        self._data = _flat(arr)

    def as_numpy(self) -> Any:
        dtype = to_np_dtype(self.datatype)
        if dtype is None:
            raise ValueError(f"unknown datatype {self.datatype}")
        return np.array(self._data, dtype=dtype).reshape(self.shape)

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"name": self.name, "shape": self.shape, "datatype": self.datatype, "data": self._data}
        if self.parameters:
            d["parameters"] = self.parameters
        return d

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, shape={self.shape}, datatype={self.datatype!r})"


class InferInput(_Tensor):
    """One input tensor of an InferRequest."""


class InferOutput(_Tensor):
    """One output tensor of an InferResponse."""


class RequestedOutput:
    def __init__(self, name: str, parameters: Optional[Dict[str, Any]] = None):
        self.name = name
        self.parameters = parameters or {}


class InferRequest:
    def __init__(
        self,
        model_name: str,
        infer_inputs: List[InferInput],
        request_id: Optional[str] = None,
        raw_inputs: Any = None,
        from_grpc: bool = False,
        parameters: Optional[Dict[str, Any]] = None,
        request_outputs: Optional[List[RequestedOutput]] = None,
        model_version: Optional[str] = None,
    ):
        self.id = request_id
        self.model_name = model_name
        self.model_version = model_version
        self.inputs = infer_inputs
        self.parameters = parameters or {}
        self.request_outputs = request_outputs or []
        self.from_grpc = from_grpc

    @classmethod
    def from_rest(cls, model_name: str, body: Dict[str, Any]) -> "InferRequest":
        inputs = [InferInput(i["name"], i.get("shape", []), i.get("datatype", "BYTES"), i.get("data"), i.get("parameters")) for i in body.get("inputs") or []]
        outputs = [RequestedOutput(o["name"], o.get("parameters")) for o in body.get("outputs") or []]
        return cls(model_name, inputs, request_id=body.get("id"), parameters=body.get("parameters"), request_outputs=outputs)

    def get_input_by_name(self, name: str) -> Optional[InferInput]:
        return next((i for i in self.inputs if i.name == name), None)

    def to_rest(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"inputs": [i.to_dict() for i in self.inputs]}
        if self.id is not None:
            d["id"] = self.id
        if self.parameters:
            d["parameters"] = self.parameters
        if self.request_outputs:
            d["outputs"] = [{"name": o.name, **({"parameters": o.parameters} if o.parameters else {})} for o in self.request_outputs]
        return d


class InferResponse:
    def __init__(
        self,
        response_id: Optional[str],
        model_name: str,
        infer_outputs: List[InferOutput],
        model_version: Optional[str] = None,
        raw_outputs: Any = None,
        from_grpc: bool = False,
        parameters: Optional[Dict[str, Any]] = None,
        use_binary_outputs: bool = False,
        requested_outputs: Any = None,
    ):
        self.id = response_id
        self.model_name = model_name
        self.model_version = model_version
        self.outputs = infer_outputs
        self.parameters = parameters or {}
        self.from_grpc = from_grpc

    def get_output_by_name(self, name: str) -> Optional[InferOutput]:
        return next((o for o in self.outputs if o.name == name), None)

    def to_rest(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"model_name": self.model_name, "outputs": [o.to_dict() for o in self.outputs]}
        if self.id is not None:
            d["id"] = self.id
        if self.model_version is not None:
            d["model_version"] = self.model_version
        if self.parameters:
            d["parameters"] = self.parameters
        return d
