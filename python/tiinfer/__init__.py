"""tiinfer, as modeldock provides it: the TI-ONE inference framework's Python API.

A TI-ONE model package's ``model_service.py`` runs unchanged::

    import tiinfer

    class MyModel(tiinfer.Model):
        def __init__(self, model_dir: str):
            super().__init__(model_dir)
        def load(self) -> bool:            # once per inference process; False fails the load
            ...
            return True
        def preprocess(self, request: dict): ...   # the request JSON
        def predict(self, data): ...               # a list when TI_INFERENCE_MAX_BATCH_SIZE > 1
        def postprocess(self, result): ...         # -> the JSON answer

The platform finds the subclass of ``tiinfer.Model`` in ``model_service`` (as TI-ONE
does), constructs it with ``TI_MODEL_DIR`` (the package folder, also the working
directory) and calls the methods from its worker (python/modeldock_worker). The
environment variables below are read as TI-ONE reads them.

modeldock extensions: ``tiinfer.InputError`` (raise it to answer 400 instead of 500) and
``tiinfer.images`` (image inputs: URL, data URI, base64, under the platform's policy).
"""
import logging
import os
from typing import Any, Dict, List, Optional, Type

IMPORT_MODULE_NAME = "model_service"


def get_int_env(env_name: str, default_var: int) -> int:
    try:
        return int(os.environ[env_name])
    except (KeyError, ValueError):
        return default_var


__ti_model_dir = os.getenv("TI_MODEL_DIR", "/data/model")
__ti_preprocess_nums = get_int_env("TI_PREPROCESS_NUMS", 0)
__ti_inference_nums = get_int_env("TI_INFERENCE_NUMS", 1)
__ti_postprocess_nums = get_int_env("TI_POSTPROCESS_NUMS", 0)
__ti_inference_max_batch_size = get_int_env("TI_INFERENCE_MAX_BATCH_SIZE", 1)


def get_ti_model_dir() -> str:
    return __ti_model_dir


def get_ti_preprocess_nums() -> int:
    return __ti_preprocess_nums


def get_ti_inference_nums() -> int:
    return __ti_inference_nums


def get_ti_postprocess_nums() -> int:
    return __ti_postprocess_nums


def get_ti_inference_max_batch_size() -> int:
    return __ti_inference_max_batch_size


def Is_Multi_Framework_Type() -> bool:  # noqa: N802 (TI-ONE's name)
    """True when preprocess / postprocess run in processes of their own."""
    return __ti_preprocess_nums != 0 or __ti_postprocess_nums != 0


def print_envs() -> None:
    logging.info("TI_PREPROCESS_NUMS: %s", __ti_preprocess_nums)
    logging.info("TI_INFERENCE_NUMS: %s", __ti_inference_nums)
    logging.info("TI_POSTPROCESS_NUMS: %s", __ti_postprocess_nums)
    logging.info("TI_INFERENCE_MAX_BATCH_SIZE: %s", __ti_inference_max_batch_size)


class InputError(ValueError):
    """Raised by model code for a bad request: answered as 400 (code INVALID_INPUT), not 500."""

    code = "INVALID_INPUT"


class Model:
    """Base class of a TI-ONE model service (see the module docstring)."""

    def __init__(self, model_dir: str):
        self.model_dir = model_dir
        self.ready = False

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def preprocess(self, request: Any) -> Any:
        return request

    def predict(self, request: Any) -> Any:
        raise NotImplementedError("tiinfer.Model subclasses must define predict()")

    def postprocess(self, result: Any) -> Any:
        return result

    def __call__(self, request: Any) -> Any:
        return self.postprocess(self.predict(self.preprocess(request)))


# TI-ONE also accepts plain mosec workers: tiinfer.append_worker(MyWorker, num=2).
__workers: List[Dict[str, Any]] = []


def append_worker(
    worker: Type[Any],
    num: int = 1,
    max_batch_size: int = 1,
    start_method: str = "spawn",
    env: Optional[List[Dict[str, str]]] = None,
) -> None:
    __workers.append(
        {"worker": worker, "num": num, "max_batch_size": max_batch_size, "start_method": start_method, "env": env}
    )


def get_mosec_workers() -> List[Dict[str, Any]]:
    return __workers
