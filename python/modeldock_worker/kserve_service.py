"""Serves a KServe custom predictor: the package's ``model.py``, run unchanged.

``model.py`` is run as ``__main__`` (runpy), so its ``if __name__ == "__main__":`` block
builds the model (argparse with ``kserve.model_server.parser`` sees only
MODELDOCK_MODEL_ARGS, so its defaults apply). Its call to ``kserve.ModelServer().start([model])``
lands in ``_adopt``: the worker takes the first model, loads it if ``ready`` is still
False, reports READY and serves the calls from inside ``start`` until the instance
stops; then ``start`` returns to model.py, as KServe's does when its server stops.

Calls: a KServe v1 / TI-ONE body (a dict) or, with RUN_V2, an OIP v2 request (an
``InferRequest``) goes through preprocess → predict → postprocess (sync or async).
"""
import asyncio
import inspect
import json
import os
import runpy
import shlex
import sys
from typing import Any, Callable, Dict, List, Optional

import kserve.model_server as kserve_server
from kserve.protocol.infer_type import InferOutput, InferRequest, InferResponse
from kserve.utils.utils import numpy_output

from . import jsonable
from .protocol import RUN_V2, TAG_JSON, Item
from .service import LoadError, error_item

ENTRY = "model.py"


def _takes(fn: Any, name: str, position: int) -> bool:
    """Whether fn accepts an argument by this name or at this position (after self)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return True
    return any(p.name == name for p in params) or len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) > position


class KServeService:
    def __init__(self, role: str, model_dir: str, threads: int):
        self.role = role
        self.model_dir = model_dir
        self.threads = threads
        self.model: Any = None
        self.batch = 1
        self.loop = asyncio.new_event_loop()
        self._stages: List[Callable[[Any], Any]] = []

    def start(self, serve: Callable[[dict], None]) -> None:
        """Runs model.py; ``serve(info)`` is called from inside ModelServer.start."""
        path = os.path.join(self.model_dir, ENTRY)
        served: List[bool] = []

        def adopt(models: List[Any]) -> None:
            info = self._adopt(models)
            served.append(True)
            serve(info)

        kserve_server._serve_with(adopt)
        sys.argv = [path, *shlex.split(os.environ.get("MODELDOCK_MODEL_ARGS", ""))]
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as e:
            if not served:
                raise LoadError(f"{ENTRY} exited (status {e.code}) before calling kserve.ModelServer().start([model])") from None
        finally:
            kserve_server._serve_with(None)
        if not served:
            raise LoadError(f'{ENTRY} ran to its end without calling kserve.ModelServer().start([model]) (put it under if __name__ == "__main__":)')

    def _adopt(self, models: List[Any]) -> dict:
        self.model = models[0]
        m = self.model
        if "torch" in sys.modules and self.threads > 0:
            sys.modules["torch"].set_num_threads(self.threads)
        if not m.ready:
            self._await(m.load())
        if not m.ready:
            raise LoadError(f"{type(m).__name__}.ready is still False after load(): the model did not load (set self.ready = True in load())")
        self._await(m.start())
        self._stages = [self._stage(m.preprocess), self._stage(m.validate, headers=False) if hasattr(m, "validate") else None, self._stage(m.predict)]
        self._stages = [s for s in self._stages if s is not None]
        post = m.postprocess
        with_resp = _takes(post, "response_headers", 3)
        with_headers = _takes(post, "headers", 2)
        self._post = lambda r: self._await(post(r, {}, {}) if with_resp else post(r, {}) if with_headers else post(r))
        info: Dict[str, Any] = {"role": self.role, "pid": os.getpid(), "python": sys.version.split()[0], "kind": "kserve", "class": type(m).__name__, "modelName": m.name, "maxBatchSize": 1}
        info["inputs"] = self._types(m, "get_input_types")
        info["outputs"] = self._types(m, "get_output_types")
        if len(models) > 1:
            info["warning"] = f"ModelServer.start got {len(models)} models; this instance serves the first, {m.name!r}"
        if "torch" in sys.modules:
            info["torch"] = sys.modules["torch"].__version__
        return info

    def _types(self, m: Any, name: str) -> list:
        fn = getattr(m, name, None)
        if fn is None:
            return []
        value = self._await(fn())
        return json.loads(jsonable.dumps(list(value or [])))

    def _stage(self, fn: Any, headers: bool = True) -> Callable[[Any], Any]:
        with_headers = headers and _takes(fn, "headers", 2)
        return lambda v: self._await(fn(v, {}) if with_headers else fn(v))

    def _await(self, value: Any) -> Any:
        return self.loop.run_until_complete(value) if inspect.isawaitable(value) else value

    def run(self, op: int, items: List[Item]) -> List[Item]:
        v2 = bool(op & RUN_V2)
        out: List[Item] = []
        for tag, data in items:
            try:
                body = json.loads(data) if tag == TAG_JSON else None
                payload: Any = InferRequest.from_rest(self.model.name, body) if v2 else body
                value = payload
                for stage in self._stages:
                    value = stage(value)
                value = self._post(value)
                out.append((TAG_JSON, jsonable.dumps(as_v2(value, self.model.name, payload) if v2 else as_v1(value))))
            except Exception as e:  # noqa: BLE001
                out.append(error_item(e))
        return out


def as_v2(value: Any, model_name: str, request: InferRequest) -> dict:
    """A model's answer to a v2 call as OIP JSON (KServe wraps plain arrays as output-0)."""
    if isinstance(value, InferResponse):
        return value.to_rest()
    if isinstance(value, dict) and isinstance(value.get("outputs"), list):
        return value
    if isinstance(value, InferOutput):
        return InferResponse(request.id, model_name, [value]).to_rest()
    if isinstance(value, dict) and "predictions" in value:
        value = value["predictions"]
    return InferResponse(request.id, model_name, [numpy_output("output-0", value)]).to_rest()


def as_v1(value: Any) -> Any:
    """A model's answer to a v1 call: dicts as they are, an InferResponse or array as predictions."""
    if isinstance(value, InferResponse):
        outs = value.outputs
        if len(outs) == 1:
            return {"predictions": outs[0].as_numpy().tolist()}
        return {"predictions": {o.name: o.as_numpy().tolist() for o in outs}}
    if isinstance(value, dict):
        return value
    return {"predictions": value}
