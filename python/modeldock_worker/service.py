"""Loads the package's model_service.py and runs its stages on batches of items."""
import importlib
import inspect
import json
import logging
import os
import pickle
import sys
import traceback
from typing import Any, List, Optional

import tiinfer

from . import jsonable
from .protocol import STAGE_POST, STAGE_PRE, STAGE_PREDICT, TAG_ERROR, TAG_JSON, TAG_PICKLE, Item

log = logging.getLogger("modeldock.worker")

_PASS_CODES = ("INVALID_", "IMAGE_")


class LoadError(Exception):
    """The package cannot serve; the message is the reason shown to the user."""


def error_item(e: BaseException, with_traceback: bool = True) -> Item:
    code = getattr(e, "code", None)
    if isinstance(code, str) and code.startswith(_PASS_CODES):
        body = {"message": str(e) or type(e).__name__, "code": code}
    else:
        text = str(e)
        body = {"message": f"{type(e).__name__}: {text}" if text else type(e).__name__, "code": "MODEL_ERROR"}
        if with_traceback:
            body["traceback"] = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    return (TAG_ERROR, json.dumps(body).encode())


def _find_model_class(module: Any) -> Optional[type]:
    found = [
        getattr(module, name)
        for name in dir(module)  # TI-ONE takes the first in dir() order
        if inspect.isclass(getattr(module, name))
        and issubclass(getattr(module, name), tiinfer.Model)
        and getattr(module, name) is not tiinfer.Model
    ]
    own = [c for c in found if c.__module__ == module.__name__]
    return (own or found or [None])[0]


class _Stage:
    """One mosec-style worker in a chain (tiinfer.append_worker)."""

    def __init__(self, spec: dict):
        self.worker = spec["worker"]()
        self.batch = max(1, int(spec.get("max_batch_size") or 1))


class Service:
    def __init__(self, role: str, model_dir: str, threads: int):
        self.role = role  # "infer" loads the model; "pre" / "post" only construct it (as TI-ONE)
        self.model_dir = model_dir
        self.threads = threads
        self.model: Any = None
        self.chain: List[_Stage] = []
        self.batch = max(1, tiinfer.get_ti_inference_max_batch_size())
        self.own_call = False

    def start(self, serve: Any) -> None:
        """Loads model_service.py, then ``serve(info)`` answers calls until Node closes."""
        serve(self.load())

    def load(self) -> dict:
        if not os.path.isfile(os.path.join(self.model_dir, "model_service.py")):
            raise LoadError("no model_service.py in the package (the Python runtime runs a TI-ONE model_service.py with a tiinfer.Model subclass)")
        module = importlib.import_module(tiinfer.IMPORT_MODULE_NAME)
        if "torch" in sys.modules and self.threads > 0:
            torch = sys.modules["torch"]
            torch.set_num_threads(self.threads)
        cls = _find_model_class(module)
        info: dict = {"role": self.role, "pid": os.getpid(), "python": sys.version.split()[0]}
        if cls is not None:
            self.model = cls(tiinfer.get_ti_model_dir())
            info["class"] = cls.__name__
            if self.role == "infer":
                ok = self.model.load()
                if ok is not None and not ok:
                    raise LoadError(f"{cls.__name__}.load() returned {ok!r}: the model did not load (see the log for its messages)")
                if ok is None:
                    info["warning"] = f"{cls.__name__}.load() returned None; TI-ONE expects True on success"
            self.own_call = type(self.model).__call__ is not tiinfer.Model.__call__
        else:
            specs = tiinfer.get_mosec_workers()
            if not specs:
                raise LoadError("model_service.py defines no subclass of tiinfer.Model (class MyModel(tiinfer.Model): with load/preprocess/predict/postprocess) and appends no worker (tiinfer.append_worker)")
            self.chain = [_Stage(s) for s in specs]
            self.batch = max(s.batch for s in self.chain)
            info["class"] = " -> ".join(type(s.worker).__name__ for s in self.chain)
        if "torch" in sys.modules:
            info["torch"] = sys.modules["torch"].__version__
        info["maxBatchSize"] = self.batch
        return info

    # ---- stages -------------------------------------------------------------------------

    def run(self, op: int, items: List[Item]) -> List[Item]:
        stages = op & 7
        n = len(items)
        vals: List[Any] = [None] * n
        errs: List[Optional[Item]] = [None] * n
        for i, (tag, data) in enumerate(items):
            try:
                vals[i] = json.loads(data) if tag == TAG_JSON else pickle.loads(data)
            except Exception as e:  # noqa: BLE001
                errs[i] = (TAG_ERROR, json.dumps({"message": f"the body is not valid JSON: {e}", "code": "INVALID_INPUT"}).encode())
        if self.chain:
            self._run_chain(vals, errs)
        elif stages == STAGE_PRE | STAGE_PREDICT | STAGE_POST and self.own_call and self.batch == 1:
            self._each(vals, errs, self.model)  # a subclass with its own __call__ (TI-ONE calls model(request))
        else:
            if stages & STAGE_PRE:
                self._each(vals, errs, self.model.preprocess)
            if stages & STAGE_PREDICT:
                if self.batch > 1:
                    self._batch(vals, errs, self.model.predict)
                else:
                    self._each(vals, errs, self.model.predict)
            if stages & STAGE_POST:
                self._each(vals, errs, self.model.postprocess)
        as_json = bool(stages & STAGE_POST) or bool(self.chain)
        out: List[Item] = []
        for v, e in zip(vals, errs):
            if e is not None:
                out.append(e)
                continue
            try:
                out.append((TAG_JSON, jsonable.dumps(v)) if as_json else (TAG_PICKLE, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)))
            except Exception as ex:  # noqa: BLE001
                out.append(error_item(ex))
        return out

    @staticmethod
    def _each(vals: List[Any], errs: List[Optional[Item]], fn: Any) -> None:
        for i, v in enumerate(vals):
            if errs[i] is None:
                try:
                    vals[i] = fn(v)
                except Exception as e:  # noqa: BLE001
                    errs[i] = error_item(e)

    @staticmethod
    def _batch(vals: List[Any], errs: List[Optional[Item]], fn: Any) -> None:
        idx = [i for i in range(len(vals)) if errs[i] is None]
        if not idx:
            return
        try:
            out = fn([vals[i] for i in idx])
            if not isinstance(out, (list, tuple)) or len(out) != len(idx):
                got = f"a list of {len(out)}" if isinstance(out, (list, tuple)) else type(out).__name__
                raise TypeError(f"predict() got a list of {len(idx)} inputs (TI_INFERENCE_MAX_BATCH_SIZE > 1) and must answer a list of {len(idx)} outputs, not {got}")
        except Exception as e:  # noqa: BLE001
            item = error_item(e)
            for i in idx:
                errs[i] = item
            return
        for k, i in enumerate(idx):
            vals[i] = out[k]

    def _run_chain(self, vals: List[Any], errs: List[Optional[Item]]) -> None:
        for stage in self.chain:
            if stage.batch > 1:
                self._batch(vals, errs, stage.worker.forward)
            else:
                self._each(vals, errs, stage.worker.forward)
