"""modeldock: the Python SDK for the modeldock platform (standard library only).

    from modeldock import Client, ModeldockError
    md = Client("http://127.0.0.1:8080")

Not to be confused with ``modeldock_worker`` (the Python runtime's side inside instances)
or the ``tiinfer`` / ``kserve`` compatibility modules beside it.
"""
from ._http import ModeldockError
from .client import Calls, Client, Models, Services, Storage, Tasks
from .tensors import decode_tensor, pack_infer, tensor_bytes, unpack_infer

__all__ = ["Client", "ModeldockError", "Models", "Services", "Tasks", "Calls", "Storage",
           "decode_tensor", "pack_infer", "tensor_bytes", "unpack_infer"]
