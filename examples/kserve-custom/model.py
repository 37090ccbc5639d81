# A KServe custom predictor, written the way KServe's "custom model" docs write one:
# a kserve.Model subclass started by kserve.ModelServer in the __main__ block. It runs
# on modeldock's Python runtime without a line changed (docs/model-package.md).
#
# The model is a small torch network whose weights are read from weights.json in the
# package (4 features in, 3 scores out), so it needs no download.
import argparse
import json
from typing import Dict, Union

import numpy as np
import torch
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer, model_server
from kserve.errors import InvalidInput
from kserve.utils.utils import generate_uuid


class LinearScorer(Model):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name
        self.model = None
        self.ready = False
        self.load()

    def load(self):
        with open("weights.json") as f:
            w = json.load(f)
        self.model = torch.nn.Linear(4, 3)
        with torch.no_grad():
            self.model.weight.copy_(torch.tensor(w["weight"], dtype=torch.float32))
            self.model.bias.copy_(torch.tensor(w["bias"], dtype=torch.float32))
        self.model.eval()
        self.ready = True

    def get_input_types(self):
        return [{"name": "features", "datatype": "FP32", "shape": [-1, 4]}]

    def get_output_types(self):
        return [{"name": "scores", "datatype": "FP32", "shape": [-1, 3]}]

    def _features(self, data: np.ndarray) -> torch.Tensor:
        if data.ndim != 2 or data.shape[1] != 4:
            raise InvalidInput(f"expected rows of 4 features, got shape {list(data.shape)}")
        return torch.from_numpy(data.astype(np.float32))

    def predict(self, payload: Union[Dict, InferRequest], headers: Dict[str, str] = None) -> Union[Dict, InferResponse]:
        if isinstance(payload, InferRequest):  # OIP v2: /v2/models/{name}/infer
            features = self._features(payload.inputs[0].as_numpy())
        else:  # KServe v1: {"instances": [[f1, f2, f3, f4], ...]}
            features = self._features(np.asarray(payload["instances"], dtype=np.float32))
        with torch.no_grad():
            scores = self.model(features).numpy()
        if isinstance(payload, InferRequest):
            output = InferOutput(name="scores", shape=list(scores.shape), datatype="FP32", data=scores)
            return InferResponse(model_name=self.name, infer_outputs=[output], response_id=generate_uuid())
        return {"predictions": scores.tolist()}


parser = argparse.ArgumentParser(parents=[model_server.parser])
args, _ = parser.parse_known_args()

if __name__ == "__main__":
    model = LinearScorer(args.model_name)
    model.load()
    ModelServer().start([model])
