"""kserve.errors as modeldock provides them. ``code`` is what the worker answers with:
INVALID_INPUT becomes 400, anything else a 500 naming the error."""


class InvalidInput(ValueError):
    code = "INVALID_INPUT"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class InferenceError(RuntimeError):
    def __init__(self, reason: str, status: str = None, debug_details: str = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.debug_details = debug_details


class ModelNotFound(Exception):
    def __init__(self, model_name: str = None):
        super().__init__(f"Model with name {model_name} does not exist.")
        self.model_name = model_name


class ModelNotReady(RuntimeError):
    def __init__(self, model_name: str, detail: str = None):
        super().__init__(f"Model with name {model_name} is not ready." + (f" {detail}" if detail else ""))
        self.model_name = model_name


class ModelMissingError(Exception):
    def __init__(self, path: str):
        super().__init__(f"model file missing: {path}")
        self.path = path


class UnsupportedProtocol(Exception):
    def __init__(self, protocol_version: str = None):
        super().__init__(f"Unsupported protocol {protocol_version}")
