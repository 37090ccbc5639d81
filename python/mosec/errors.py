"""mosec's client-side errors: answered as 400 by modeldock (as mosec answers 4xx)."""


class MosecError(Exception):
    code = "MODEL_ERROR"


class ClientError(MosecError):
    code = "INVALID_INPUT"


class ValidationError(ClientError):
    code = "INVALID_INPUT"


class DecodingError(ClientError):
    code = "INVALID_INPUT"
