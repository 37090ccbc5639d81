"""kserve.ModelRepository: the models a ModelServer serves, by name."""
from typing import Any, Dict, Optional


class ModelRepository:
    def __init__(self, models_dir: str = "/mnt/models"):
        self.models_dir = models_dir
        self.models: Dict[str, Any] = {}

    def update(self, model: Any) -> None:
        self.models[model.name] = model

    def get_model(self, name: str) -> Optional[Any]:
        return self.models.get(name)

    def get_models(self) -> Dict[str, Any]:
        return self.models

    def is_model_ready(self, name: str) -> bool:
        m = self.models.get(name)
        return bool(m and m.ready)

    def unload(self, name: str) -> None:
        self.models.pop(name, None)
