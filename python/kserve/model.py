"""kserve.Model as modeldock provides it (written for modeldock, after KServe's documented
contract). A custom predictor subclasses it::

    class MyModel(kserve.Model):
        def __init__(self, name):
            super().__init__(name)
            self.load()
        def load(self):
            ...                          # read weights from the working directory
            self.ready = True
        def preprocess(self, payload, headers=None): ...   # sync or async
        def predict(self, payload, headers=None): ...      # dict (v1) or InferRequest (v2)
        def postprocess(self, result, headers=None): ...

    if __name__ == "__main__":
        kserve.ModelServer().start([MyModel("my-model")])

The modeldock worker (python/modeldock_worker/kserve_service.py) runs that ``__main__``
block and serves the models handed to ``ModelServer.start``.
"""
from typing import Any, Dict, List, Optional

from .constants import PredictorProtocol_V1


class BaseKServeModel:
    def __init__(self, name: str):
        self.name = name
        self.ready = False
        self.engine = False

    async def healthy(self) -> bool:
        return self.ready

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    async def start_engine(self) -> None:
        return None

    def stop_engine(self) -> None:
        return None


class Model(BaseKServeModel):
    def __init__(self, name: str, predictor_config: Any = None, return_response_headers: bool = False):
        super().__init__(name)
        self.protocol = getattr(predictor_config, "predictor_protocol", None) or PredictorProtocol_V1
        self.predictor_host = getattr(predictor_config, "predictor_host", None)
        self.explainer_host: Optional[str] = None
        self.timeout = 600
        self.use_ssl = False
        self.return_response_headers = return_response_headers

    def get_input_types(self) -> List[Dict[str, Any]]:
        """OIP tensor metadata of the inputs (``[{"name", "datatype", "shape"}]``), for /v2/models/{m}."""
        return []

    def get_output_types(self) -> List[Dict[str, Any]]:
        return []

    def validate(self, payload: Any) -> Any:
        return payload

    def preprocess(self, payload: Any, headers: Optional[Dict[str, str]] = None) -> Any:
        return payload

    def predict(self, payload: Any, headers: Optional[Dict[str, str]] = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define predict()")

    def postprocess(self, result: Any, headers: Optional[Dict[str, str]] = None, response_headers: Optional[Dict[str, str]] = None) -> Any:
        return result

    def explain(self, payload: Any, headers: Optional[Dict[str, str]] = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} defines no explain()")
