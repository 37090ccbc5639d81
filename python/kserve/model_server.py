"""kserve.ModelServer and kserve.model_server.parser as modeldock provides them.

There is no HTTP server here: the modeldock instance process serves HTTP (KServe v1
``:predict``, OIP v2 ``/infer``) and hands the calls to the worker. ``start`` hands the
models to the worker (which registered itself with ``_serve_with``) and returns when the
instance stops, as KServe's ``start`` returns when its server stops.
"""
import argparse
from typing import Any, Callable, Dict, List, Optional

from .model_repository import ModelRepository

parser = argparse.ArgumentParser(add_help=False)
_original_conflict_error = argparse._ActionsContainer._handle_conflict_error


def _kserve_options_yield(self, action, conflicting_actions):  # type: ignore[no-untyped-def]
    """Scripts written for older KServe add --model_name (and the like) to a parser with
    ``parents=[model_server.parser]`` themselves; newer KServe's parser has it. Both run:
    the script's own option replaces the one that came from this parser."""
    if all(getattr(a, "_from_kserve", False) for _, a in conflicting_actions):
        return self._handle_conflict_resolve(action, conflicting_actions)
    return _original_conflict_error(self, action, conflicting_actions)


argparse._ActionsContainer._handle_conflict_error = _kserve_options_yield
parser.add_argument("--http_port", default=8080, type=int, help="ignored: the instance serves HTTP")
parser.add_argument("--grpc_port", default=8081, type=int, help="ignored")
parser.add_argument("--workers", default=1, type=int, help="ignored: TI_INFERENCE_NUMS sets the workers")
parser.add_argument("--max_threads", default=4, type=int)
parser.add_argument("--max_asyncio_workers", default=None, type=int)
parser.add_argument("--enable_grpc", default=True, type=lambda v: str(v).lower() in ("1", "true", "yes"))
parser.add_argument("--enable_docs_url", default=False, type=lambda v: str(v).lower() in ("1", "true", "yes"))
parser.add_argument("--enable_latency_logging", default=True, type=lambda v: str(v).lower() in ("1", "true", "yes"))
parser.add_argument("--configure_logging", default=True, type=lambda v: str(v).lower() in ("1", "true", "yes"))
parser.add_argument("--log_config_file", default=None, type=str)
parser.add_argument("--access_log_format", default=None, type=str)
parser.add_argument("--model_name", default="model", type=str, help="the model's name")
parser.add_argument("--predictor_host", default=None, type=str)
parser.add_argument("--predictor_protocol", default="v1", type=str)
parser.add_argument("--predictor_use_ssl", default=False, type=lambda v: str(v).lower() in ("1", "true", "yes"))
parser.add_argument("--predictor_request_timeout_seconds", default=600, type=int)

for _action in parser._actions:
    _action._from_kserve = True  # type: ignore[attr-defined]

_serve: Optional[Callable[[List[Any]], None]] = None


def _serve_with(fn: Optional[Callable[[List[Any]], None]]) -> None:
    """Used by the modeldock worker: ``fn(models)`` serves until the instance stops."""
    global _serve
    _serve = fn


class ModelServer:
    def __init__(self, http_port: int = 8080, grpc_port: int = 8081, workers: int = 1, registered_models: Optional[ModelRepository] = None, **kwargs: Any):
        self.http_port = http_port
        self.grpc_port = grpc_port
        self.workers = workers
        self.registered_models = registered_models or ModelRepository()
        self.options: Dict[str, Any] = kwargs

    def register_model(self, model: Any) -> None:
        self.registered_models.update(model)

    def register_exception_handler(self, handler: Any) -> None:
        return None

    def start(self, models: Optional[List[Any]] = None) -> None:
        for m in models or []:
            self.register_model(m)
        chosen = list(self.registered_models.get_models().values())
        if not chosen:
            raise RuntimeError("ModelServer.start() was given no model")
        if _serve is None:
            raise RuntimeError("this is modeldock's kserve module: deploy the package on modeldock's Python runtime instead of running model.py yourself")
        _serve(chosen)

    def stop(self, sig: Any = None) -> None:
        return None
